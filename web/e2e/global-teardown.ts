import { readFileSync } from "node:fs";
import { join } from "node:path";

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.PAYLINK_E2E_DIR;
  if (!dir) return;
  const pid = Number(readFileSync(join(dir, "serve.pid"), "utf8"));
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // already gone
  }
}
