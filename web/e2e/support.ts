// Steps the browser tests share: the CLI beside the server, the OTP from the outbox, and a
// look at each main screen (screenshot, axe-core, no horizontal scroll at 360 px).
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";

export const PASSWORD = "correct horse 42";

export function url(): string {
  const found = process.env.PAYLINK_E2E_URL;
  if (!found) throw new Error("PAYLINK_E2E_URL is not set: run through playwright.config.ts");
  return found;
}

/** `paylink ARGS...` in the server's folder (the same SQLite database). */
export function paylink(...args: string[]): string {
  return execFileSync(process.env.PAYLINK_BIN!, args, { cwd: process.env.PAYLINK_E2E_DIR, encoding: "utf8" });
}

/** The newest 6-digit code texted to `phone`, as an operator reads it with `paylink outbox`. */
export function latestCode(phone: string): string {
  const listing = JSON.parse(paylink("outbox", "--phone", phone, "--json", "--limit", "5")) as unknown;
  const messages = (Array.isArray(listing) ? listing : (listing as { messages?: unknown[]; items?: unknown[] }).messages ?? (listing as { items?: unknown[] }).items ?? []) as { body: string }[];
  for (const message of messages) {
    const match = /\b(\d{6})\b/.exec(message.body);
    if (match) return match[1]!;
  }
  throw new Error(`no code texted to ${phone}`);
}

/** Screenshot the screen, check it with axe-core, and check nothing scrolls sideways. */
export async function look(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `artifacts/screens/${name}.png`, fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), name).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
}

export async function signUp(page: Page, phone: string, name = "Ada Obi"): Promise<void> {
  await page.goto(`${url()}/signup`);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Phone number").fill(phone);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Send me the code" }).click();
  await expect(page.getByText("Check your SMS")).toBeVisible();
  await page.getByLabel("Code from the SMS").fill(latestCode(phone));
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("heading", { name: "Account", exact: true })).toBeVisible();
}

export async function logIn(page: Page, phone: string): Promise<void> {
  await page.goto(`${url()}/login`);
  await page.getByLabel("Phone number").fill(phone);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("balance")).toBeVisible();
}

export async function setPin(page: Page, pin: string): Promise<void> {
  await nav(page, "Account").click();
  await page.getByLabel("New PIN", { exact: true }).fill(pin);
  await page.getByLabel("New PIN again").fill(pin);
  await page.getByRole("button", { name: "Set PIN" }).click();
  await expect(page.getByText("Your PIN is set")).toBeVisible();
}

/** A link of the main navigation. */
export function nav(page: Page, name: string) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
}
