// A real `paylink serve` on the embedded default (SQLite, in-process worker and VTPass
// simulator) in a temporary folder on a free port; the tests reach it at PAYLINK_E2E_URL and
// run the CLI in PAYLINK_E2E_DIR (the same paylink.db).
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ACCESS_TTL_S = 6; // short, so the tests meet an expired access token

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitUntilUp(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`paylink serve did not answer at ${url}`);
}

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "paylink-e2e-"));
  const port = await freePort();
  const paylink = process.env.PAYLINK_BIN ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../.venv/bin/paylink");
  const log = openSync(join(dir, "serve.log"), "a");
  const server = spawn(paylink, ["serve", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: dir,
    env: { ...process.env, PAYLINK_JWT_ACCESS_TTL: String(ACCESS_TTL_S), PAYLINK_LOG_LEVEL: "WARNING" },
    stdio: ["ignore", log, log],
    detached: false,
  });
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, "serve.pid"), String(server.pid));
  process.env.PAYLINK_E2E_URL = url;
  process.env.PAYLINK_E2E_DIR = dir;
  process.env.PAYLINK_BIN = paylink;
  await waitUntilUp(url, Date.now() + 60_000);
}
