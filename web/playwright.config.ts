import { execFileSync } from "node:child_process";
import { defineConfig } from "@playwright/test";

// Debian's chromium, never Playwright's own download (the machines are offline).
function chromium(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("chromium is not installed: apt-get install -y chromium");
  }
}

export default defineConfig({
  testDir: "e2e",
  outputDir: "artifacts/results",
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    viewport: { width: 360, height: 780 },
    deviceScaleFactor: 1,
    locale: "en-NG",
    timezoneId: "Africa/Lagos",
    permissions: ["clipboard-read", "clipboard-write"],
    launchOptions: { executablePath: chromium(), args: ["--no-sandbox"] },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
