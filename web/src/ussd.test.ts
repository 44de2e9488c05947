import { afterEach, describe, expect, it, vi } from "vitest";
import { hop, networkCode, splitCode } from "./ussd";

afterEach(() => vi.restoreAllMocks());

describe("the USSD form", () => {
  it("posts AT's fields, the answers so far joined by *", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("CON Main menu"));

    const reply = await hop({ sessionId: "s1", serviceCode: "*347*88#", phoneNumber: "08031234567", answers: ["1", "500"] });

    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/ussd/africastalking");
    const body = init!.body as URLSearchParams;
    expect(Object.fromEntries(body)).toEqual({
      sessionId: "s1",
      serviceCode: "*347*88#",
      phoneNumber: "+2348031234567",
      networkCode: "62130",
      text: "1*500",
    });
    expect(reply).toEqual({ text: "Main menu", goesOn: true });
  });

  it("ends the session on END", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("END Thank you"));
    const reply = await hop({ sessionId: "s", serviceCode: "*347*88#", phoneNumber: "08011111111", answers: [] });
    expect(reply.goesOn).toBe(false);
  });

  it("names no network for a number outside every prefix", () => {
    expect(networkCode("08011111111")).toBe("99999");
  });

  it("splits a dial string with shortcuts", () => {
    expect(splitCode("*347*88*1*500#")).toEqual({ serviceCode: "*347*88#", first: ["1", "500"] });
  });
});
