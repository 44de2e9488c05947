import { afterEach, describe, expect, it, vi } from "vitest";
import { authFetch, whenSessionLost } from "./client";
import { getAccessToken, setAccessToken } from "./session";

afterEach(() => {
  vi.restoreAllMocks();
  setAccessToken(null);
});

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("authFetch", () => {
  it("sends the access token held in memory", async () => {
    setAccessToken("access-1");
    const fetchMock = vi.spyOn(globalThis, "fetch").mockResolvedValue(json(200, {}));

    await authFetch(new Request("http://app/api/v1/wallet"));

    const sent = fetchMock.mock.calls[0]![0] as Request;
    expect(sent.headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("refreshes an expired token from the cookie once and retries, unseen", async () => {
    setAccessToken("expired");
    const fetchMock = vi
      .spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(json(401, { error: { code: "token_expired", message: "the token has expired" } }))
      .mockResolvedValueOnce(json(200, { access_token: "fresh", refresh_token: "" }))
      .mockResolvedValueOnce(json(200, { balance: { kobo: 100 } }));

    const response = await authFetch(new Request("http://app/api/v1/wallet"));

    expect(response.status).toBe(200);
    expect(getAccessToken()).toBe("fresh");
    const refresh = fetchMock.mock.calls[1]!;
    expect(refresh[0]).toBe("/api/v1/auth/refresh");
    expect((refresh[1]!.headers as Record<string, string>)["X-PayLink-Session"]).toBe("cookie");
    const retried = fetchMock.mock.calls[2]![0] as Request;
    expect(retried.headers.get("Authorization")).toBe("Bearer fresh");
  });

  it("reports the session lost when the cookie cannot be swapped", async () => {
    setAccessToken("expired");
    const lost = vi.fn();
    whenSessionLost(lost);
    vi.spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(json(401, { error: { code: "token_expired", message: "" } }))
      .mockResolvedValueOnce(json(401, { error: { code: "token_reused", message: "" } }));

    const response = await authFetch(new Request("http://app/api/v1/wallet"));

    expect(response.status).toBe(401);
    expect(lost).toHaveBeenCalledOnce();
    expect(getAccessToken()).toBeNull();
  });

  it("never puts the refresh token anywhere script could keep it", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(json(200, { access_token: "a", refresh_token: "" }));
    const stored = vi.spyOn(Storage.prototype, "setItem");

    await authFetch(new Request("http://app/api/v1/auth/login", { method: "POST", body: "{}" }));

    expect(stored).not.toHaveBeenCalled();
    expect(document.cookie).toBe("");
  });
});
