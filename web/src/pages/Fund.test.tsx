import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import Fund from "./Fund";

afterEach(() => vi.restoreAllMocks());

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const money = (kobo: number, formatted: string) => ({ kobo, formatted });
const QUOTE = {
  amount: money(500000, "₦5,000.00"),
  fee: money(8500, "₦85.00"),
  credit_amount: money(491500, "₦4,915.00"),
  fee_bearer: "customer",
};
const ACCOUNT = {
  status: "active",
  bank: "Test Bank",
  account_number: "9930000737",
  account_name: "PAYLINK/ADA OBI",
  fee_note: "Paystack keeps 1% of each transfer.",
};
const FUNDING = {
  reference: "PLF-7Q2M4X9KD3RT",
  kind: "card",
  status: "open",
  amount: QUOTE.amount,
  fee: QUOTE.fee,
  credit_amount: QUOTE.credit_amount,
  checkout_url: "https://checkout.paystack.com/abc",
  created_at: "2026-03-03T13:05:00Z",
  credited_at: null,
};

type Answer = (request: Request) => Response;

/** Answer the API by path; every request the page sent is kept for the test to read. */
function serve(answers: Record<string, Answer>): Request[] {
  const sent: Request[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const request = input as Request;
    sent.push(request);
    const path = new URL(request.url).pathname;
    const answer = answers[`${request.method} ${path}`];
    return answer ? answer(request) : json(404, { error: { code: "not_found", message: "no such thing" } });
  });
  return sent;
}

const fundings = (sent: Request[]) => sent.filter((r) => r.method === "POST" && r.url.endsWith("/api/v1/wallet/fundings"));

describe("Fund", () => {
  it("shows Paystack's fee and what reaches the wallet before anything is paid", async () => {
    const user = userEvent.setup();
    const sent = serve({
      "GET /api/v1/wallet/funding-quote": () => json(200, QUOTE),
      "GET /api/v1/wallet/account": () => json(200, ACCOUNT),
    });
    render(<Fund goTo={vi.fn()} />);

    await user.type(screen.getByLabelText("Amount (₦)"), "5,000");
    await user.click(screen.getByRole("button", { name: "Continue" }));

    const quote = await screen.findByTestId("funding-quote");
    expect(within(quote).getByText("₦85.00")).toBeInTheDocument();
    expect(within(quote).getByText("₦4,915.00")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Pay ₦5,000.00 by card" })).toBeInTheDocument();
    const asked = sent.find((r) => r.url.includes("/funding-quote"))!;
    expect(new URL(asked.url).searchParams.get("amount")).toBe("500000");
    expect(fundings(sent)).toHaveLength(0);
  });

  it("refuses an amount under Paystack's minimum without asking the API", async () => {
    const user = userEvent.setup();
    const sent = serve({ "GET /api/v1/wallet/account": () => json(200, ACCOUNT) });
    render(<Fund goTo={vi.fn()} />);

    await user.type(screen.getByLabelText("Amount (₦)"), "20");
    await user.click(screen.getByRole("button", { name: "Continue" }));

    expect(await screen.findByText("The smallest card payment is ₦50.00")).toBeInTheDocument();
    expect(sent.some((r) => r.url.includes("/funding-quote"))).toBe(false);
  });

  it("sends the payer to the checkout, retrying a failed start with the same Idempotency-Key", async () => {
    const user = userEvent.setup();
    const goTo = vi.fn();
    let starts = 0;
    const sent = serve({
      "GET /api/v1/wallet/funding-quote": () => json(200, QUOTE),
      "GET /api/v1/wallet/account": () => json(200, ACCOUNT),
      "POST /api/v1/wallet/fundings": () =>
        ++starts === 1
          ? json(503, { error: { code: "upstream_unavailable", message: "Paystack did not answer" } })
          : json(201, FUNDING),
    });
    render(<Fund goTo={goTo} />);
    await user.type(screen.getByLabelText("Amount (₦)"), "5000");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    const pay = await screen.findByRole("button", { name: "Pay ₦5,000.00 by card" });

    await user.click(pay);
    expect(await screen.findByRole("alert")).toHaveTextContent("The provider is not answering right now.");
    expect(goTo).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Pay ₦5,000.00 by card" }));

    await vi.waitFor(() => expect(goTo).toHaveBeenCalledWith(FUNDING.checkout_url));
    const [first, second] = fundings(sent);
    expect(await second!.clone().json()).toEqual({ amount: 500000 });
    expect(first!.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f]{32}$/);
    expect(second!.headers.get("Idempotency-Key")).toBe(first!.headers.get("Idempotency-Key"));
  });

  it("shows the person's own account number with a copy button", async () => {
    serve({ "GET /api/v1/wallet/account": () => json(200, ACCOUNT) });
    render(<Fund goTo={vi.fn()} />);

    expect(await screen.findByTestId("account-number")).toHaveTextContent("9930000737");
    expect(screen.getByText("PAYLINK/ADA OBI")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy the account number" })).toBeInTheDocument();
  });

  it("says the account is being set up while the API answers 202 pending", async () => {
    serve({
      "GET /api/v1/wallet/account": () =>
        json(202, { status: "pending", bank: null, account_number: null, account_name: null, fee_note: "" }),
    });
    render(<Fund goTo={vi.fn()} />);

    expect(await screen.findByText(/Your account number is being set up/)).toBeInTheDocument();
    expect(screen.queryByTestId("account-number")).toBeNull();
  });
});
