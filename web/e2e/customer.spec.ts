import { expect, test } from "@playwright/test";
import { ACCESS_TTL_S } from "./global-setup";
import { logIn, look, nav, paylink, setPin, signUp, url } from "./support";

const PHONE = "08031230001";
const PIN = "2580";

test("a customer signs up, is credited, sets a PIN, buys electricity and sees the token", async ({ page }) => {
  await test.step("sign up with the code read from the outbox", async () => {
    await page.goto(`${url()}/login`);
    await look(page, "01-login");
    await signUp(page, PHONE);
    await look(page, "03-account-new");
  });

  await test.step("an operator credits the wallet by CLI", async () => {
    paylink("wallet", "credit", PHONE, "20000", "--reference", "e2e-topup-1");
    await nav(page, "Wallet").click();
    await expect(page.getByTestId("balance")).toHaveText("₦20,000.00");
    await look(page, "04-wallet");
  });

  await test.step("set the transaction PIN", async () => {
    await setPin(page, PIN);
    await expect(page.getByTestId("pin-state")).toHaveText("Set");
  });

  await test.step("buy electricity: the meter's owner and the price with its fee before the PIN", async () => {
    await nav(page, "Buy").click();
    await look(page, "05-buy");
    await page.getByRole("link", { name: /Electricity/ }).click();
    await page.getByRole("link", { name: /Ikeja Electric/ }).click();
    await page.getByLabel("Meter number").fill("1111111111111");
    await page.getByLabel("Amount (₦)").fill("1000");
    await look(page, "06-buy-electricity-form");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByTestId("customer")).toContainText("TESTMETER1");
    await expect(page.getByTestId("quote")).toContainText("₦1,000.00");
    await expect(page.getByTestId("quote")).toContainText("₦100.00");
    await expect(page.getByTestId("quote")).toContainText("₦1,100.00");
    await look(page, "07-buy-confirm");
  });

  await test.step("a wrong PIN is refused in plain words", async () => {
    await page.getByLabel("Transaction PIN").fill("9137");
    await page.getByRole("button", { name: /^Pay / }).click();
    await expect(page.getByRole("alert")).toHaveText("That PIN is not right.");
    await look(page, "08-wrong-pin");
  });

  await test.step("the right PIN buys, and the receipt shows the token once delivered", async () => {
    await page.getByLabel("Transaction PIN").fill(PIN);
    await page.getByRole("button", { name: /^Pay / }).click();
    await expect(page.getByTestId("purchase-status")).toHaveText("Delivered.", { timeout: 30_000 });
    await expect(page.getByTestId("token")).not.toBeEmpty();
    await page.getByRole("button", { name: "Copy the token" }).click();
    await expect(page.getByRole("button", { name: "Copy the token" })).toHaveText("Copied");
    await look(page, "09-receipt");
  });

  await test.step("an expired access token is refreshed without the customer noticing", async () => {
    await page.waitForTimeout((ACCESS_TTL_S + 1) * 1000);
    const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/refresh") && r.status() === 200);
    await nav(page, "History").click();
    await refreshed;
    await expect(page.getByTestId("history-summary")).toHaveText("1 purchase, ₦1,100.00 paid");
    await expect(page.getByText("IKEDC Prepaid")).toBeVisible();
    await look(page, "10-history");
  });

  await test.step("history filters: nothing failed", async () => {
    await page.getByLabel("Status").selectOption("failed");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByTestId("history-summary")).toHaveText("0 purchases, ₦0.00 paid");
  });

  await test.step("a reload keeps the session (the refresh cookie), and log out ends it", async () => {
    await page.reload();
    await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await logIn(page, PHONE);
    await expect(page.getByTestId("balance")).toHaveText("₦18,900.00");
  });
});
