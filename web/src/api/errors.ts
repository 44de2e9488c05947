// Every API error has the shape {"error": {"code", "message", "details"}}; people see it in
// plain words.

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> | null };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details?: Record<string, unknown> | null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? {};
  }
}

export function toApiError(status: number, body: unknown): ApiError {
  const error = (body as Partial<ErrorBody> | null)?.error;
  if (error && typeof error.code === "string") {
    return new ApiError(status, error.code, error.message ?? "", error.details);
  }
  return new ApiError(status, status >= 500 ? "server_error" : "unknown", "");
}

const WORDS: Record<string, string> = {
  invalid_credentials: "The phone number or password is not right.",
  already_registered: "This phone already has an account. Log in instead.",
  invalid_code: "That code is not right. Check the SMS and try again.",
  code_expired: "That code has expired or was used too often. Ask for a new one.",
  insufficient_funds: "Your wallet does not have enough money for this.",
  pin_incorrect: "That PIN is not right.",
  pin_not_set: "Set a transaction PIN first (Account page).",
  weak_pin: "That PIN is too easy to guess. Avoid 1234, 0000 and the like.",
  current_pin_required: "Type your current PIN to change it.",
  password_incorrect: "That password is not right.",
  account_inactive: "This account is not active. Contact support.",
  network: "PayLink cannot be reached. Check your connection and try again.",
  server_error: "Something went wrong on our side. Please try again.",
  upstream_unavailable: "The provider is not answering right now. Please try again shortly.",
  upstream_circuit_open: "The provider is not answering right now. Please try again shortly.",
  verification_required: "Verify the number first.",
  token_expired: "Your session has ended. Log in again.",
  token_revoked: "Your session has ended. Log in again.",
  token_reused: "Your session has ended. Log in again.",
  invalid_token: "Your session has ended. Log in again.",
};

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return "Something went wrong. Please try again.";
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

function lagosTime(iso: unknown): string | null {
  if (typeof iso !== "string") return null;
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return null;
  return when.toLocaleTimeString("en-NG", { hour: "2-digit", minute: "2-digit", timeZone: "Africa/Lagos" });
}

/** The error in words a customer understands. */
export function plainWords(error: unknown): string {
  if (!(error instanceof ApiError)) return WORDS.network!;
  if (error.code === "pin_locked") {
    const until = lagosTime(error.details.locked_until);
    return until
      ? `Your PIN is locked after too many wrong tries. Try again after ${until}.`
      : "Your PIN is locked after too many wrong tries. Reset it on the Account page.";
  }
  if (error.code === "rate_limited" || error.status === 429) {
    const seconds = Number(error.details.retry_after_s ?? 0);
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    return `Too many tries. Wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`;
  }
  if (error.code === "validation_error") {
    const fields = (error.details.fields as { field: string; message: string }[] | undefined) ?? [];
    const first = fields[0];
    if (first) return sentence(`${first.field.split(".").pop()}: ${first.message}`);
  }
  return WORDS[error.code] ?? sentence(error.message);
}
