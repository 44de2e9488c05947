// Funding a wallet by card: the amount form's rule, and reading a funding's state. The API
// checks the amount again against PayLink's own minimum, maximum and daily limit and says so.
import { z } from "zod";
import { parseNaira } from "./money";

/** Paystack takes no payment under ₦50.00; PayLink's own minimum is at least this. */
export const PAYSTACK_MIN_KOBO = 5_000;

export const fundingForm = z.object({
  amount: z
    .string()
    .refine((text) => parseNaira(text) !== null, "Enter an amount in naira, e.g. 5000")
    .refine((text) => (parseNaira(text) ?? 0) >= PAYSTACK_MIN_KOBO, "The smallest card payment is ₦50.00"),
});
export type FundingValues = z.infer<typeof fundingForm>;

/** The typed amount as kobo (after `fundingForm` accepted it). */
export function fundingKobo(values: FundingValues): number {
  return parseNaira(values.amount)!;
}

export type FundingStatus = "open" | "credited" | "failed" | "abandoned" | "review" | "reversed";

/** Every status but `open` is final for the return page: it stops asking. */
export function isSettled(status: FundingStatus): boolean {
  return status !== "open";
}

/** What the person reads on the return page, by status. */
export const FUNDING_WORDS: Record<FundingStatus, string> = {
  open: "Waiting for Paystack to confirm your payment…",
  credited: "Your wallet is funded.",
  failed: "The payment did not go through. Nothing was taken from your card.",
  abandoned: "The payment was cancelled. Nothing was taken from your card.",
  review: "We received the payment, and PayLink staff are checking it before it reaches your wallet.",
  reversed: "Paystack reversed this payment, so it was taken back from your wallet.",
};

/** The `reference` Paystack adds to the return address (`?trxref=…&reference=…`), if any. */
export function returnedReference(search: string): string | null {
  const params = new URLSearchParams(search);
  const found = params.get("reference") ?? params.get("trxref");
  return found && /^[A-Za-z0-9.=-]{1,100}$/.test(found) ? found : null;
}
