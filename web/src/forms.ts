// Field rules shared by the forms, mirroring the API's schema (the server checks them again).
import { z } from "zod";
import { parseNaira } from "./money";

export const phone = z
  .string()
  .trim()
  .regex(/^(\+?234|0)[789][01][0-9]{8}$/, "Enter a Nigerian mobile number, e.g. 08031234567");
export const recipient = z
  .string()
  .trim()
  .regex(
    /^((\+?234|0)[789][01][0-9]{8}|201000000000|[345]00000000000)$/,
    "Enter a Nigerian mobile number, e.g. 08031234567",
  );
export const password = z.string().min(8, "Use at least 8 characters").max(128, "Use at most 128 characters");
export const pin = z.string().regex(/^[0-9]{4}$/, "The PIN is 4 digits");
export const code = z.string().trim().regex(/^[0-9]{6}$/, "The code is the 6 digits in the SMS");
export const customerRef = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z-]{4,32}$/, "Use 4 to 32 letters or digits");
export const amount = z
  .string()
  .refine((text) => (parseNaira(text) ?? 0) > 0, "Enter an amount in naira, e.g. 1500");
