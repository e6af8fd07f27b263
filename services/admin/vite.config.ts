import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const webRoot = fileURLToPath(new URL("./web", import.meta.url));
const outDir = fileURLToPath(new URL("./dist/web", import.meta.url));

// The admin front end: Preact + uPlot, built into dist/web, which the admin
// server serves. JSX goes through Vite's own oxc transform (no Babel preset).
export default defineConfig({
  root: webRoot,
  base: "/",
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir,
    // dist/web holds the front end only (the server's own code is elsewhere
    // in dist), so it is emptied before each build.
    emptyOutDir: true,
    target: "es2022",
    // Chromium has modulepreload natively; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    // Every asset is a file: the CSP allows no inline data for scripts or styles.
    assetsInlineLimit: 0,
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: {
    // `npx vite -c services/admin/vite.config.ts` serves the UI with live
    // reload and hands /api to an admin server on its default port.
    proxy: { "/api": "http://127.0.0.1:8090" },
  },
});
