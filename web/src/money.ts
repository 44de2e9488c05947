// Money is integer kobo end to end; the browser only formats it and parses what people type.

const GROUPED = new Intl.NumberFormat("en-NG", { maximumFractionDigits: 0 });

/** `150000` kobo as `₦1,500.00`. */
export function naira(kobo: number): string {
  const sign = kobo < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(kobo));
  const whole = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, "0");
  return `${sign}₦${GROUPED.format(whole)}.${cents}`;
}

/** What someone typed (`1500`, `1,500`, `₦1,500.50`) as kobo, or null when it is not money. */
export function parseNaira(text: string): number | null {
  const cleaned = text.replace(/[₦,\s]/g, "");
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? "").padEnd(2, "0"));
  return whole * 100 + cents;
}
