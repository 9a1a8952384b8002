// Builds the kit's page script, its style sheet and its own small head scripts into the
// Voilà template's static folder: `npm ci && npm run build` (or `node build.mjs OUTDIR`
// to build elsewhere).
// The output is committed, so installing the kit needs no Node.js;
// tests/test_frontend.py checks it is exactly what this source builds.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const STATIC = "../coproduction/share/jupyter/voila/templates/coproduction/static";
const outdir = process.argv[2] || STATIC;

const result = await build({
  entryPoints: { page: "src/page.js", head: "src/head.js" },
  outdir,
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
  metafile: true,
});

// Every package whose code is in the script, with its licence text, as the licences ask.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const found = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (found) packages.add(found[1]);
}
const notices = [...packages].sort().map((name) => {
  const folder = join("node_modules", name);
  const about = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((f) => /^(licen[cs]e|copying)/i.test(f));
  const holder = typeof about.author === "object" ? about.author.name : about.author;
  const text = file ? readFileSync(join(folder, file), "utf8").trim()
    : about.license === "BSD-3-Clause" ? bsd3(holder || about.name)
    : "(the package ships no licence file)";
  return `${about.name} ${about.version} (${about.license})\n\n${text}\n`;
});
writeFileSync(join(outdir, "page.js.LICENSES.txt"),
  "The packages whose code is in page.js, with their licences.\n\n" +
  notices.join("\n" + "-".repeat(78) + "\n\n"));

/** The BSD 3-Clause licence, for the packages that name it but ship no licence file. */
function bsd3(holder) {
  return `(The package ships no licence file; this is the BSD 3-Clause licence it names.)

Copyright (c) ${holder}
All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are
permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this list of
   conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice, this list of
   conditions and the following disclaimer in the documentation and/or other materials
   provided with the distribution.
3. Neither the name of the copyright holder nor the names of its contributors may be used
   to endorse or promote products derived from this software without specific prior
   written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY
EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE
COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,
EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR
TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.`;
}
