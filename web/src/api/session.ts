// The access token lives in this module's memory only: never in localStorage or a cookie
// script can read. The refresh token is the API's httpOnly `paylink_refresh` cookie, which
// this code never sees; `refreshSession` swaps it for a new access token.

export const SESSION_HEADER = "X-PayLink-Session";

type Listener = (token: string | null) => void;

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

export function getAccessToken(): string | null {
  return accessToken;
}

export function setAccessToken(token: string | null): void {
  accessToken = token;
  for (const listener of listeners) listener(token);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Swap the refresh cookie for a new access token; one request however many callers wait. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await fetch("/api/v1/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json", [SESSION_HEADER]: "cookie" },
        body: "{}",
        credentials: "same-origin",
        // the server has swapped the cookie once it answers: a reload meanwhile must not drop
        // the new one, or the old one comes back as a reused token and ends the session
        keepalive: true,
      });
      if (!response.ok) {
        setAccessToken(null);
        return false;
      }
      const body = (await response.json()) as { access_token: string };
      setAccessToken(body.access_token);
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}
