// Builds the CLI as one ES module (dist/cli/main.js): a no-op re-run spends most of its time
// loading modules, and one bundled file starts about 0.1 s faster than ~400 separate ones
// (measured with `npm run bench -- --quick --accounts 5 --runs mailshift-loopback,mailshift-noop`).
// better-sqlite3 stays outside: it is a native addon.
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
