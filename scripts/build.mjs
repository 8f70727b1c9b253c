// Builds the CLI as one ES module (dist/cli/main.js): a no-op re-run spends most of its time
// loading modules, and one bundled file starts about 0.1 s faster than ~400 separate ones
// (measured with `npm run bench -- --quick --accounts 5 --runs mailshift-loopback,mailshift-noop`).
// better-sqlite3 stays outside: it is a native addon.
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3'],
  // Bundled CommonJS dependencies call require(); give them one in the ES module scope.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// esbuild escapes non-ASCII characters in code but copies comments as they are, and one em dash
// in a dependency's comment makes V8 hold the whole 4 MB source as a two-byte string for the
// life of the process (8 MB of heap). Escaped, the comments read the same and the source stays
// one byte per character. Only comments can still hold such characters, so nothing else changes.
const OUT = 'dist/cli/main.js';
const source = readFileSync(OUT, 'utf8');
// Each UTF-16 unit as \uXXXX (surrogates too), which any context would also read the same way.
const ascii = source.replace(
  /[\u0080-\uffff]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
);
if (ascii !== source) writeFileSync(OUT, ascii);
