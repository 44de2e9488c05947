import { describe, expect, it } from "vitest";
import { ApiError, plainWords, toApiError } from "./errors";

describe("plainWords", () => {
  it("says a wrong PIN in a customer's words", () => {
    expect(plainWords(new ApiError(422, "pin_incorrect", "wrong PIN"))).toBe("That PIN is not right.");
  });

  it("says until when a locked PIN waits, in Lagos time", () => {
    const error = new ApiError(423, "pin_locked", "locked", { locked_until: "2026-12-01T09:30:00.000Z", reset_required: false });
    expect(plainWords(error)).toBe("Your PIN is locked after too many wrong tries. Try again after 10:30.");
  });

  it("turns a rate limit into minutes to wait", () => {
    expect(plainWords(new ApiError(429, "rate_limited", "", { retry_after_s: 61 }))).toBe("Too many tries. Wait 2 minutes and try again.");
  });

  it("falls back to the API's own message as a sentence", () => {
    expect(plainWords(toApiError(422, { error: { code: "price_mismatch", message: "the price is ₦900.00" } }))).toBe(
      "The price is ₦900.00.",
    );
  });

  it("explains a failed connection", () => {
    expect(plainWords(new TypeError("Failed to fetch"))).toMatch(/cannot be reached/);
  });
});
