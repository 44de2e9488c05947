// A feature phone's side of Africa's Talking's USSD protocol: each hop posts a form with the
// whole session's answers joined by `*`, and the reply starts `CON ` (go on) or `END `.

const NETWORKS: [string, string[]][] = [
  ["62130", ["0703", "0706", "0803", "0806", "0810", "0813", "0814", "0816", "0903", "0906", "0913", "0916"]],
  ["62120", ["0701", "0708", "0802", "0808", "0812", "0901", "0902", "0904", "0907", "0912"]],
  ["62150", ["0705", "0805", "0807", "0811", "0815", "0905", "0915"]],
  ["62160", ["0809", "0817", "0818", "0908", "0909"]],
];

/** `08031234567` or `+2348031234567` as AT sends it: `+2348031234567`. */
export function e164(phone: string): string {
  const digits = phone.replace(/[\s-]/g, "");
  if (digits.startsWith("+234")) return digits;
  if (digits.startsWith("234")) return `+${digits}`;
  if (digits.startsWith("0")) return `+234${digits.slice(1)}`;
  return digits;
}

export function networkCode(phone: string): string {
  const local = `0${e164(phone).slice(4, 7)}`;
  return NETWORKS.find(([, prefixes]) => prefixes.includes(local))?.[0] ?? "99999";
}

/** `*347*88*1#` -> service code `*347*88#` and first answers `["1"]`. */
export function splitCode(dialled: string): { serviceCode: string; first: string[] } {
  const parts = dialled.replace(/^\*|#$/g, "").split("*").filter(Boolean);
  return { serviceCode: `*${parts.slice(0, 2).join("*")}#`, first: parts.slice(2) };
}

export interface Hop {
  text: string;
  goesOn: boolean;
}

export async function hop(
  form: { sessionId: string; serviceCode: string; phoneNumber: string; answers: string[] },
  url = "/ussd/africastalking",
): Promise<Hop> {
  const body = new URLSearchParams({
    sessionId: form.sessionId,
    serviceCode: form.serviceCode,
    phoneNumber: e164(form.phoneNumber),
    networkCode: networkCode(form.phoneNumber),
    text: form.answers.join("*"),
  });
  const response = await fetch(url, { method: "POST", body });
  const reply = await response.text();
  if (!response.ok || !/^(CON|END) /.test(reply)) {
    throw new Error(response.status === 404 ? "The USSD service is not open here." : "The network did not answer.");
  }
  return { text: reply.slice(4), goesOn: reply.startsWith("CON ") };
}
