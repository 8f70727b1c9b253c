/**
 * The command line as a user meets it: help and version, NDJSON events, Ctrl-C stopping cleanly
 * (nothing left in doubt) and the next run resuming, a second run on the same state refused, and
 * status read from the state alone.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CLI, readMailbox, runCli, startMigrationEnv, type MigrationEnv } from '../harness/migration-env.js';

describe('mailshift CLI', () => {
  let env: MigrationEnv;

  before(async () => {
    env = await startMigrationEnv();
    // One message per batch: a run long enough to interrupt.
    env.writePlan('limits: { batchMessages: 1, connectionsPerAccount: 1, accountsInParallel: 2 }');
  });
  after(async () => env?.stop());

  it('lists its commands and exit codes in --help and prints --version', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const cmd of ['plan', 'run', 'status'])
      assert.match(help.stdout, new RegExp(`mailshift ${cmd} <plan>`));
    assert.match(help.stdout, /Exit codes: 0 done/);
    // A command's help is fitted to the width (100 columns without a terminal).
    const verifyHelp = await runCli(['verify', '--help']);
    assert.match(verifyHelp.stdout, /--deep-sample/);
    const long = verifyHelp.stdout.split('\n').filter((l) => l.length > 100);
    assert.deepEqual(long, []);
    const version = await runCli(['--version']);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
    const bad = await runCli(['frobnicate']);
    assert.equal(bad.code, 2);
  });

  it('explains a missing plan file with exit code 3', async () => {
    const res = await runCli(['run', join(env.dir, 'nope.yaml')]);
    assert.equal(res.code, 3);
    assert.match(res.stderr, /plan file .*nope\.yaml cannot be read/);
  });

  it('measures no text with Unicode segmentation to start a command', async () => {
    // yargs lays out the command's help after starting it; measured as printable ASCII, that
    // loads no ICU segmentation data (28 ms of the start: scripts/build.mjs).
    const hook = join(env.dir, 'count-segmenters.mjs');
    writeFileSync(
      hook,
      `let built = 0;
const Segmenter = Intl.Segmenter;
Intl.Segmenter = class extends Segmenter { constructor(...a) { super(...a); built += 1; } };
process.on('exit', () => process.stderr.write('segmenters built: ' + built + '\\n'));
`,
    );
    const res = await runCli(['run', join(env.dir, 'nope.yaml')], {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` },
    });
    assert.equal(res.code, 3);
    assert.match(res.stderr, /segmenters built: 0\n/);
  });

  it('stops cleanly on Ctrl-C with nothing in doubt, and the next run completes the copy', async () => {
    const child = spawn(process.execPath, [CLI, 'run', env.planPath, '--state-dir', env.stateDir, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!interrupted && stdout.includes('"type":"progress"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 130, stderr);
    assert.match(stderr, /INTERRUPTED/);
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; interrupted?: boolean });
    assert.equal(events[0]?.type, 'run-start');
    assert.equal(events.at(-1)?.type, 'run-done');
    assert.equal(events.at(-1)?.interrupted, true);

    const status = await runCli(['status', env.planPath, '--state-dir', env.stateDir, '--json']);
    const rows = (
      JSON.parse(status.stdout) as { accounts: { status: string; inDoubt: number; copied: number }[] }
    ).accounts;
    assert.ok(
      rows.every((r) => r.inDoubt === 0),
      'a clean stop leaves nothing in doubt',
    );
    assert.ok(rows.some((r) => r.status === 'interrupted'));
    const copiedBefore = rows.reduce((s, r) => s + r.copied, 0);
    assert.ok(copiedBefore > 0);

    const resumed = await runCli(['run', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const total = env.accounts.flatMap((a) => a.folders).reduce((s, f) => s + f.messages.length, 0);
    const copiedNow = Number(/Complete: (\d+) copied/.exec(resumed.stdout)?.[1]);
    assert.equal(copiedBefore + copiedNow, total, 'every message copied exactly once over the two runs');
    for (const a of env.accounts) {
      const dst = await readMailbox(env.dst, a.user, a.password.replace(/^src-/, 'dst-'));
      const count = [...dst.values()].reduce((s, l) => s + l.length, 0);
      assert.equal(
        count,
        a.folders.reduce((s, f) => s + f.messages.length, 0),
        a.user,
      );
    }
    const done = await runCli(['status', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(done.code, 0);
    assert.match(done.stdout, /kontakt@acme\.example\s+done/);
  });

  it('refuses a second run on the same state while one is running', async () => {
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      mkdirSync(env.stateDir, { recursive: true });
      writeFileSync(join(env.stateDir, 'run.lock'), String(holder.pid));
      const res = await runCli(['run', env.planPath, '--state-dir', env.stateDir]);
      assert.equal(res.code, 5);
      assert.match(res.stderr, new RegExp(`another mailshift \\(pid ${holder.pid}\\) is already working`));
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
  });
});
