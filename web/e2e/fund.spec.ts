import { expect, test } from "@playwright/test";
import { look, paylink, signUp, url } from "./support";

const PHONE = "08031230003";

test("a customer funds the wallet through Paystack's checkout page and sees the balance go up", async ({ page }) => {
  await test.step("a new customer's wallet is empty, with a way to fund it", async () => {
    await signUp(page, PHONE, "Chidi Eze");
    await page.goto(`${url()}/`);
    await expect(page.getByTestId("balance")).toHaveText("₦0.00");
    await page.getByRole("link", { name: "Fund wallet" }).click();
    await expect(page.getByRole("heading", { name: "Fund your wallet" })).toBeVisible();
  });

  await test.step("the customer's own account number, with a copy button", async () => {
    await expect(page.getByTestId("account-number")).toHaveText(/^\d{10}$/, { timeout: 20_000 });
    await expect(page.getByText(/CHIDI EZE/)).toBeVisible();
    await page.getByRole("button", { name: "Copy the account number" }).click();
    await expect(page.getByRole("button", { name: "Copy the account number" })).toHaveText("Copied");
    await look(page, "15-fund");
  });

  await test.step("the fee and what reaches the wallet, before paying", async () => {
    await page.getByLabel("Amount (₦)").fill("5000");
    await page.getByRole("button", { name: "Continue" }).click();
    const quote = page.getByTestId("funding-quote");
    await expect(quote).toContainText("You pay₦5,000.00");
    await expect(quote).toContainText("Reaches your wallet₦5,000.00");
    await look(page, "16-fund-confirm");
  });

  await test.step("pay on the simulator's checkout page and come back to the result", async () => {
    await page.getByRole("button", { name: "Pay ₦5,000.00 by card" }).click();
    await expect(page.getByRole("heading", { name: "Pay ₦5,000.00" })).toBeVisible();
    await page.getByRole("button", { name: "Pay", exact: true }).click();
    await expect(page).toHaveURL(/\/fund\/return\?/);
    await expect(page.getByTestId("funding-status")).toHaveText("Your wallet is funded.", { timeout: 30_000 });
    await look(page, "17-fund-return");
  });

  await test.step("the wallet shows the money, and reconcile is clean", async () => {
    await page.getByRole("link", { name: "Back to your wallet" }).click();
    await expect(page.getByTestId("balance")).toHaveText("₦5,000.00");
    await expect(page.getByText(/^Paystack card PLF-/)).toBeVisible();
    const report = JSON.parse(paylink("reconcile", "--offline", "--json")) as { ok: boolean };
    expect(report.ok).toBe(true);
  });
});
