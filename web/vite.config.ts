/// <reference types="vitest/config" />
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The build lands inside the Python package, so `paylink serve` ships it with no Node.
const gateway = process.env.PAYLINK_DEV_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "../gateway/web/dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // no modulepreload polyfill: it would be an inline script, which the CSP forbids
    modulePreload: { polyfill: false },
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry `@__PURE__` notes Rollup cannot place; harmless, and noisy in CI
        if (warning.code === "INVALID_ANNOTATION") return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ["/api", "/ussd", "/demo"].map((path) => [path, { target: gateway, changeOrigin: false }]),
    ),
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
    css: false,
  },
});
