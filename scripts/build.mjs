// Bundles an entry point as ES modules: by default the CLI (src/cli/main.ts -> dist/cli/main.js);
// the tests bundle their own entry the same way (`node scripts/build.mjs <entry.ts> <out.js>`, see
// test/harness/test-entry.ts). A no-op re-run spends most of its time loading modules: one bundle
// starts about 0.1 s faster than ~400 separate files, and splitting it at the commands' dynamic
// imports (chunks/) spares each command the code of the others (SMTP, the dashboard, the mail
// parser of verify...): V8 compiles only what the command loads.
// better-sqlite3 stays outside: it is a native addon.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import process from 'node:process';
import { build } from 'esbuild';

const [entry = 'src/cli/main.ts', outfile = 'dist/cli/main.js'] = process.argv.slice(2);

// yargs and cliui measure their help text with string-width, whose module builds an
// Intl.Segmenter and Unicode-property RegExps as it loads: 28 ms of every command's start on this
// machine (ICU data). yargs lays out the chosen command's help after starting it, whether shown
// or not. Each import of string-width gets a stand-in: printable ASCII is one column a character
// under any option, and anything else goes to the real module (the one its importer would have:
// cliui's and yargs' differ), loaded on first need (esbuild evaluates a module reached by
// require() only when that require() runs).
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: { real: true },
      });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real;
export default function stringWidth(text, options) {
  if (typeof text === 'string' && /^[\\x20-\\x7e]*$/.test(text)) return text.length;
  real ??= require(${JSON.stringify(args.path)}).default;
  return real(text, options);
}
`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: [{ in: entry, out: basename(outfile, '.js') }],
  outdir: dirname(outfile),
  // Chunks are named by their content: a process still running an older build keeps loading the
  // chunks it was built with.
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
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
  plugins: [lazyStringWidth],
  logLevel: 'warning',
  write: false,
});

// esbuild escapes non-ASCII characters in code but copies comments as they are, and one em dash
// in a dependency's comment makes V8 hold the whole 4 MB source as a two-byte string for the
// life of the process (8 MB of heap). Escaped, the comments read the same and the source stays
// one byte per character. Only comments can still hold such characters, so nothing else changes.
// Each UTF-16 unit as \uXXXX (surrogates too), which any context would also read the same way.
const ascii = (text) =>
  text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// Each file is written whole (temporary file, then rename): test processes may start the bundle
// while another one rebuilds it.
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.path.endsWith('.js') ? ascii(file.text) : file.contents);
  renameSync(tmp, file.path);
}
