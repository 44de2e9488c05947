import { expect, test } from "@playwright/test";
import { look, nav, paylink, setPin, signUp, url } from "./support";

const OPERATOR = "08031230002";
const PIN = "2580";

test("an operator finds a pending purchase by reference and by phone, and requeries it", async ({ page }) => {
  let reference = "";

  await test.step("a customer (here the operator's own wallet) buys airtime that stays pending", async () => {
    await signUp(page, OPERATOR, "Ngozi Eze");
    paylink("wallet", "credit", OPERATOR, "5000", "--reference", "e2e-topup-op");
    await setPin(page, PIN);
    await page.goto(`${url()}/buy/airtime/mtn`);
    await page.getByLabel("Phone number to top up").fill("201000000000"); // the simulator's "pending"
    await page.getByLabel("Amount (₦)").fill("100");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByLabel("Transaction PIN").fill(PIN);
    await page.getByRole("button", { name: /^Pay / }).click();
    await expect(page.getByTestId("purchase-status")).toHaveText(/Waiting for the provider/, { timeout: 20_000 });
    reference = (await page.getByTestId("reference").textContent()) ?? "";
    expect(reference).toMatch(/^PL-/);
  });

  await test.step("made an operator by CLI, the console appears after a reload", async () => {
    paylink("users", "role", OPERATOR, "operator");
    await nav(page, "Wallet").click(); // leave the receipt, which polls the pending purchase
    await page.waitForLoadState("networkidle");
    await page.reload();
    await nav(page, "Operator").click();
    await expect(page.getByRole("heading", { name: "Operator console" })).toBeVisible();
    await expect(page.getByTestId("reconcile")).toContainText("Every invariant holds.");
    await expect(page.getByTestId("float")).toContainText("₦");
  });

  await test.step("find by reference: the purchase and its audit trail", async () => {
    await page.getByLabel("Reference, id or phone").fill(reference);
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page.getByTestId("operator-purchase")).toContainText(reference);
    await expect(page.getByTestId("audit")).toContainText("pay");
    await look(page, "11-operator");
  });

  await test.step("requery asks VTPass again and records it in the trail", async () => {
    await page.getByRole("button", { name: "Requery now" }).click();
    await expect(page.getByTestId("audit")).toContainText("requery");
  });

  await test.step("find by the buyer's phone", async () => {
    await page.getByLabel("Reference, id or phone").fill(OPERATOR);
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page.getByTestId("operator-purchase")).toContainText(reference);
  });

  await test.step("credit a wallet with a reference, idempotently", async () => {
    await page.getByLabel("Phone", { exact: true }).fill(OPERATOR);
    await page.getByLabel("Amount (₦)").fill("250");
    await page.getByLabel("Reference", { exact: true }).fill("bank-transfer-42");
    await page.getByRole("button", { name: "Credit" }).click();
    await expect(page.getByText(/^Credited\. The balance is now/)).toBeVisible();
    await page.getByRole("button", { name: "Credit" }).click();
    await expect(page.getByText(/credited before; nothing moved/)).toBeVisible();
  });
});
