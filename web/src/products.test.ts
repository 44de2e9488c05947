import { describe, expect, it } from "vitest";
import { formSpec } from "./products";

describe("formSpec", () => {
  it("asks electricity for the meter type, a verified meter number and an amount", () => {
    const spec = formSpec("electricity-bill", "ikeja-electric");
    expect(spec).toMatchObject({ meterType: true, amount: true, plan: false, reference: { verify: "meter" } });
  });

  it("lets DStv renew or change, after verifying the smartcard", () => {
    expect(formSpec("tv-subscription", "dstv")).toMatchObject({ renewOrChange: true, reference: { verify: "smartcard" } });
  });

  it("bills Showmax to a phone, with no card", () => {
    expect(formSpec("tv-subscription", "showmax")).toMatchObject({ phone: true, reference: null });
  });

  it("verifies a JAMB profile and sells WAEC by quantity", () => {
    expect(formSpec("education", "jamb").reference?.verify).toBe("profile");
    expect(formSpec("education", "waec").quantity).toBe(true);
  });
});
