import { describe, expect, it } from "vitest";
import { FUNDING_WORDS, fundingForm, fundingKobo, isSettled, returnedReference } from "./funding";

function problems(amount: string): string[] {
  const result = fundingForm.safeParse({ amount });
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe("fundingForm", () => {
  it("takes naira as people type them and sends integer kobo", () => {
    expect(problems("5,000")).toEqual([]);
    expect(fundingKobo({ amount: "₦1,500.50" })).toBe(150050);
  });

  it("refuses what is not an amount", () => {
    expect(problems("five thousand")).toContain("Enter an amount in naira, e.g. 5000");
    expect(problems("")).toContain("Enter an amount in naira, e.g. 5000");
  });

  it("refuses less than Paystack's smallest payment before asking the API", () => {
    expect(problems("49.99")).toEqual(["The smallest card payment is ₦50.00"]);
    expect(problems("50")).toEqual([]);
  });
});

describe("isSettled", () => {
  it("keeps asking only while the funding is open", () => {
    expect(isSettled("open")).toBe(false);
    for (const status of ["credited", "failed", "abandoned", "review", "reversed"] as const) {
      expect(isSettled(status)).toBe(true);
    }
  });

  it("has words for every status", () => {
    expect(Object.values(FUNDING_WORDS).every((words) => words.length > 0)).toBe(true);
  });
});

describe("returnedReference", () => {
  it("reads the reference Paystack adds to the return address", () => {
    expect(returnedReference("?trxref=PLF-7Q2M&reference=PLF-7Q2M")).toBe("PLF-7Q2M");
    expect(returnedReference("?trxref=PLF-ONLY")).toBe("PLF-ONLY");
  });

  it("ignores a missing or malformed reference", () => {
    expect(returnedReference("")).toBeNull();
    expect(returnedReference("?reference=../../etc")).toBeNull();
  });
});
