// The first load's JavaScript, gzipped, must stay within the budget (issue 17: 200 KB).
// Counts the scripts index.html loads and the chunks they import statically.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET = 200 * 1024;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), "../../gateway/web/dist");
const html = readFileSync(resolve(dist, "index.html"), "utf8");
const entries = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map(
  (m) => m[1],
);
const seen = new Set();
const queue = [...entries];
while (queue.length) {
  const file = queue.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const code = readFileSync(resolve(dist, file), "utf8");
  // static imports only (`import ... from "./x.js"`, `import "./x.js"`), not `import("./x.js")`
  for (const m of code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[^"'();]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) {
    queue.push(`assets/${m[1]}`);
  }
}
let total = 0;
for (const file of seen) {
  const size = gzipSync(readFileSync(resolve(dist, file))).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${file}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  first load, gzipped (budget ${BUDGET / 1024} KB)`);
if (seen.size === 0) {
  console.error("no script found in index.html");
  process.exit(1);
}
if (total > BUDGET) {
  console.error("over budget");
  process.exit(1);
}
