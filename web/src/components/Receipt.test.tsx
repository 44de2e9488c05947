import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "../api/client";
import { Receipt } from "../pages/PurchaseStatus";

const money = (kobo: number, formatted: string) => ({ kobo, formatted });

function purchase(overrides: Partial<Schemas["PurchaseOut"]> = {}): Schemas["PurchaseOut"] {
  return {
    id: 7,
    status: "delivered",
    category: "electricity-bill",
    service_id: "ikeja-electric",
    product: "IKEDC Prepaid",
    variation_code: "prepaid",
    customer_ref: "1111111111111",
    subscription_type: null,
    phone: "+2348031234567",
    quantity: 1,
    amount: money(100000, "₦1,000.00"),
    fee: money(10000, "₦100.00"),
    discount: money(0, "₦0.00"),
    total: money(110000, "₦1,100.00"),
    token: "12345678901234567890",
    units: "40.0 kWh",
    pins: [],
    failure_reason: null,
    reference: "PL-7KQ2M9XD",
    channel: "api",
    created_at: "2026-12-01T09:30:00.000Z",
    updated_at: "2026-12-01T09:30:02.000Z",
    settled_at: "2026-12-01T09:30:02.000Z",
    ...overrides,
  };
}

describe("Receipt", () => {
  it("shows the token in groups of four and copies it whole", async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, "writeText").mockResolvedValue();
    render(<Receipt purchase={purchase()} />);

    expect(screen.getByTestId("token")).toHaveTextContent("1234 5678 9012 3456 7890");
    await user.click(screen.getByRole("button", { name: "Copy the token" }));

    expect(writeText).toHaveBeenCalledWith("12345678901234567890");
    expect(screen.getByRole("button", { name: "Copy the token" })).toHaveTextContent("Copied");
  });

  it("lists exam PINs, each with its own copy button", () => {
    render(<Receipt purchase={purchase({ token: null, units: null, pins: ["1111-2222", "3333-4444"] })} />);

    expect(screen.getAllByTestId("pin").map((p) => p.textContent)).toEqual(["1111-2222", "3333-4444"]);
    expect(screen.getByRole("button", { name: "Copy PIN 2" })).toBeInTheDocument();
  });

  it("says a failed purchase was refunded, with the reason", () => {
    render(<Receipt purchase={purchase({ status: "failed", token: null, failure_reason: "Invalid meter." })} />);

    expect(screen.getByTestId("purchase-status")).toHaveTextContent("It did not go through. Your wallet was refunded. Invalid meter.");
  });

  it("shows what was paid with its fee", () => {
    render(<Receipt purchase={purchase()} />);

    expect(screen.getByText("₦100.00")).toBeInTheDocument();
    expect(screen.getByText("₦1,100.00")).toBeInTheDocument();
  });
});
