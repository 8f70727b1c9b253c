/**
 * The test command: installs the system packages the integration tests need and bundles the tests'
 * CLI entry (once, before the runner forks workers), runs every test file with Node's built-in
 * runner, then makes sure no Dovecot started by the harness survived, even after a failing or
 * killed test. The tests' temporary folders (servers' data, states, plans) go in one folder of
 * this run (TMPDIR), removed at the end: a test that fails before its own clean-up leaves nothing.
 * Usage: tsx scripts/run-tests.ts [--unit] [file-or-folder ...]
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOVECOT, ensureSystemPackages } from '../test/harness/system-deps.js';
import { sweepStrayServers } from '../test/harness/dovecot.js';
import { bundleTestEntry } from '../test/harness/test-entry.js';

function testFiles(root: string): string[] {
  if (statSync(root).isFile()) return [root];
  return readdirSync(root, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? testFiles(join(root, e.name))
        : e.name.endsWith('.test.ts')
          ? [join(root, e.name)]
          : [],
    )
    .sort();
}

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const roots = args.filter((a) => !a.startsWith('--'));
const files = (roots.length ? roots : unitOnly ? ['test/unit'] : ['test']).flatMap(testFiles);
if (!unitOnly) ensureSystemPackages(DOVECOT);

process.env.MAILSHIFT_HARNESS_RUN ??= `run${process.pid}`;
process.env.MAILSHIFT_TEST_ENTRY = bundleTestEntry();
// Short: Dovecot's sockets live under it, and a socket's path may not exceed 107 bytes. Open to
// traversal as /tmp is: Dovecot's processes run as other users (mail, dovenull) when we are root.
const runTmp = mkdtempSync(join(tmpdir(), 'ms-'));
chmodSync(runTmp, 0o755);
process.env.TMPDIR = runTmp;
const concurrency = process.env.MAILSHIFT_TEST_CONCURRENCY ?? '2';
// Node's runner waits for ever by default: a test stuck on a server that never answers would hold
// CI for its whole 90 minutes. A test (or a describe, counted whole) that runs longer fails; the
// longest describe of the suite takes about a minute.
const timeoutMs = process.env.MAILSHIFT_TEST_TIMEOUT_MS ?? '600000';
const res = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeoutMs}`,
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
const strays = sweepStrayServers();
if (strays > 0) {
  process.stderr.write(`run-tests: stopped ${strays} Dovecot server(s) a test left running\n`);
}
if (!process.env.MAILSHIFT_KEEP_SERVERS) rmSync(runTmp, { recursive: true, force: true });
process.exit(res.status ?? 1);
