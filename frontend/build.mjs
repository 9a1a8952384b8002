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
  // phones a few years old: Chrome 80, Firefox 78, Safari 14.1 (iOS 14.5); esbuild
  // cannot rewrite the libraries' destructuring for older Safari
  target: ["chrome80", "firefox78", "safari14.1"],
  legalComments: "linked",
  alias: { "sanitize-html": "./src/plain-text.js" },
  loader: { ".svg": "dataurl", ".woff": "file", ".woff2": "file" },
  logLevel: "warning",
});
