import { expect, test, type Page } from "@playwright/test";
import { look, paylink, url } from "./support";

const PHONE = "08011111111"; // the simulator's success number
const PIN = "2580";

async function send(page: Page, keys: string) {
  await page.getByLabel("Your answer").fill(keys);
  await page.getByRole("button", { name: "Send" }).click();
}

test("the phone page dials *347*88# like Africa's Talking and buys airtime", async ({ page }) => {
  paylink("wallet", "credit", PHONE, "2000", "--reference", "e2e-topup-phone");
  await page.goto(`${url()}/phone`);
  await expect(page.getByLabel("This phone's number")).toHaveValue(PHONE);
  await page.getByRole("button", { name: "Call" }).click();
  const screen = page.getByTestId("screen");
  await expect(screen).toContainText("PIN");
  await look(page, "12-phone-first-dial");

  await send(page, PIN); // create the PIN...
  await send(page, PIN); // ...and confirm it: the main menu
  await expect(screen).toContainText("Airtime");
  await send(page, "1"); // Airtime
  await send(page, "1"); // My number
  await send(page, "1"); // MTN
  await send(page, "100");
  await expect(screen).toContainText("PIN");
  await send(page, PIN);
  await expect(screen).toContainText("Request received");
  await expect(page.getByRole("button", { name: "Call" })).toBeVisible();
  await look(page, "13-phone-bought");

  await page.getByRole("tab", { name: "Messages" }).click();
  await expect(page.getByTestId("messages")).toContainText("MTN Airtime for 08011111111 successful", { timeout: 20_000 });
  await look(page, "14-phone-messages");
});
