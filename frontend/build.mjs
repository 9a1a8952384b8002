// Builds the kit's page script and its style sheet into the Voilà template's static
// folder: `npm ci && npm run build` (or `node build.mjs OUTDIR` to build elsewhere).
// The output is committed, so installing the kit needs no Node.js;
// tests/test_frontend.py checks it is exactly what this source builds.
import { build } from "esbuild";

const STATIC = "../coproduction/share/jupyter/voila/templates/coproduction/static";

await build({
  entryPoints: { page: "src/page.js" },
  outdir: process.argv[2] || STATIC,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  legalComments: "linked",
  alias: { "sanitize-html": "./src/plain-text.js" },
  loader: { ".svg": "dataurl", ".woff": "file", ".woff2": "file" },
  logLevel: "warning",
});
