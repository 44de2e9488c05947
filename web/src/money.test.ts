import { describe, expect, it } from "vitest";
import { naira, parseNaira } from "./money";

describe("naira", () => {
  it("formats kobo with the naira sign, grouping and two decimals", () => {
    expect(naira(150000)).toBe("₦1,500.00");
  });
  it("keeps the kobo", () => {
    expect(naira(123456789)).toBe("₦1,234,567.89");
  });
  it("shows a debit with a minus sign", () => {
    expect(naira(-5050)).toBe("-₦50.50");
  });
});

describe("parseNaira", () => {
  it("reads plain, grouped and signed amounts as integer kobo", () => {
    expect(parseNaira("1500")).toBe(150000);
    expect(parseNaira("₦1,500.5")).toBe(150050);
  });
  it("refuses what is not an amount", () => {
    expect(parseNaira("12.345")).toBeNull();
    expect(parseNaira("abc")).toBeNull();
    expect(parseNaira("")).toBeNull();
  });
});
