/**
 * Hostile servers against the real CLI: a source or destination that answers one folder's
 * commands with an endless line, a giant literal, a body larger than the size it announced, UIDs
 * outside 1..2^32-1, folder names IMAP cannot carry, or a BAD to MULTIAPPEND. Each scenario runs
 * the tests' CLI entry as a child process (test/harness/cli-entry.ts, the bin's own runCli) under
 * `/usr/bin/time`, with two accounts: one meets the fault, the other is clean. Each must end with
 * the faulty folder named as failed (exit 1) or, for MULTIAPPEND, every message arrived (exit 0),
 * every other folder and the clean account complete, and the peak RSS of the process bounded.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  hostileMessage,
  startHostileServer,
  type FaultRule,
  type HostileFolder,
  type HostileServer,
} from '../harness/hostile-server.js';
import { testEntry } from '../harness/test-entry.js';

const FAULTY = 'faulty@hostile.example';
const CLEAN = 'clean@hostile.example';
const PASSWORD = { src: 'src-pass', dst: 'dst-pass' };
/** Peak RSS allowed for a run against a hostile server (Node, the code and SQLite take ~90 MiB). */
const MAX_RSS_BYTES = 200 * 1000 * 1000;

let seq = 0;
/** `count` small messages with distinct identities. */
const messages = (count: number) => Array.from({ length: count }, () => ({ raw: hostileMessage(++seq) }));

/** The source folders of an account: the clean ones, plus `extra` (the faulty ones). */
function sourceFolders(extra: HostileFolder[] = []): HostileFolder[] {
  return [
    { name: 'INBOX', messages: messages(3) },
    { name: 'Archive', messages: messages(2) },
    { name: 'Projects', messages: messages(2) },
    ...extra,
  ];
}

/** What a run did, as the child process showed it. */
interface HostileRun {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssBytes: number;
  ms: number;
}

interface Servers {
  src: HostileServer;
  dst: HostileServer;
  dir: string;
}

/** Both servers, each with the faulty and the clean account. */
async function startServers(faultyFolders: HostileFolder[]): Promise<Servers> {
  const src = await startHostileServer({
    users: {
      [FAULTY]: { password: PASSWORD.src, folders: sourceFolders(faultyFolders) },
      [CLEAN]: { password: PASSWORD.src, folders: sourceFolders() },
    },
  });
  const dst = await startHostileServer({
    users: {
      [FAULTY]: { password: PASSWORD.dst, folders: [{ name: 'INBOX' }] },
      [CLEAN]: { password: PASSWORD.dst, folders: [{ name: 'INBOX' }] },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'mailshift-hostile-'));
  return { src, dst, dir };
}

async function stopServers(s: Servers | undefined): Promise<void> {
  if (!s) return;
  await Promise.allSettled([s.src.stop(), s.dst.stop()]);
  rmSync(s.dir, { recursive: true, force: true });
}

/** Writes the plan: both accounts, plain text to the hostile servers, fast retries. */
function writePlan(s: Servers, faultyRules = ''): string {
  mkdirSync(join(s.dir, 'secrets'), { recursive: true });
  for (const side of ['src', 'dst'] as const)
    writeFileSync(join(s.dir, 'secrets', `${side}.txt`), `${PASSWORD[side]}\n`, { mode: 0o600 });
  const server = (port: number) =>
    `{ host: 127.0.0.1, port: ${port}, security: none, maxConnections: 10, timeoutMs: 10000 }`;
  const account = (user: string, rules = '') =>
    [
      `  - source: { user: "${user}", passwordFile: secrets/src.txt }`,
      `    destination: { user: "${user}", passwordFile: secrets/dst.txt }`,
      ...(rules ? [`    folders: ${rules}`] : []),
    ].join('\n');
  const plan = join(s.dir, 'plan.yaml');
  writeFileSync(
    plan,
    [
      'version: 1',
      'name: hostile',
      `source: ${server(s.src.port)}`,
      `destination: ${server(s.dst.port)}`,
      'accounts:',
      account(FAULTY, faultyRules),
      account(CLEAN),
      'limits: { batchMessages: 2, connectionsPerAccount: 2, retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 } }',
      '',
    ].join('\n'),
  );
  return plan;
}

/** Runs `mailshift run` as a child process under /usr/bin/time, which reports its peak RSS. */
async function runHostile(s: Servers, plan: string): Promise<HostileRun> {
  const timeFile = join(s.dir, `time-${++seq}.txt`);
  const started = Date.now();
  const child = spawn(
    '/usr/bin/time',
    [
      '-o',
      timeFile,
      '-f',
      '%M',
      process.execPath,
      testEntry(),
      '--',
      'run',
      plan,
      '--state-dir',
      join(s.dir, 'state'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(killer);
  const kib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  return { code, stdout, stderr, peakRssBytes: kib * 1024, ms: Date.now() - started };
}

/** Messages of a destination folder now (0 when it does not exist). */
function held(s: Servers, user: string, folder: string): number {
  return s.dst.messages(user, folder)?.length ?? 0;
}

/** The clean account and the faulty account's clean folders arrived whole. */
function assertOthersComplete(s: Servers): void {
  for (const user of [FAULTY, CLEAN]) {
    assert.equal(held(s, user, 'INBOX'), 3, `${user} INBOX`);
    assert.equal(held(s, user, 'Archive'), 2, `${user} Archive`);
    assert.equal(held(s, user, 'Projects'), 2, `${user} Projects`);
  }
}

function show(run: HostileRun): string {
  return `exit ${run.code} in ${run.ms} ms, peak RSS ${(run.peakRssBytes / 1e6).toFixed(0)} MB\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** A source folder of the faulty account that a fault hits. */
const BROKEN = 'Broken';

interface Scenario {
  name: string;
  fault: Omit<FaultRule, 'user' | 'folder'>;
  /** The server that misbehaves (default the source). */
  side?: 'src' | 'dst';
}

const FAULTS: Scenario[] = [
  {
    name: 'an endless line answering the body FETCH',
    fault: { on: 'body', fault: { kind: 'endless-line' } },
  },
  { name: 'an endless line answering the scan', fault: { on: 'scan', fault: { kind: 'endless-line' } } },
  {
    name: 'a giant literal (3 GB announced) answering the body FETCH',
    fault: { on: 'body', fault: { kind: 'giant-literal', announce: 3_000_000_000, send: 64 * 1024 * 1024 } },
  },
  {
    name: 'a giant literal (300 MB announced) as a header block of the scan',
    fault: { on: 'scan', fault: { kind: 'giant-literal', announce: 300_000_000, send: 64 * 1024 * 1024 } },
  },
  {
    name: 'a body 64 MB larger than its RFC822.SIZE',
    fault: { on: 'body', fault: { kind: 'oversize-body', extra: 64 * 1024 * 1024 } },
  },
  { name: 'UID 0 in the scan', fault: { on: 'scan', fault: { kind: 'uid', uid: 0 } } },
  { name: 'UID 2^32 in the body FETCH', fault: { on: 'body', fault: { kind: 'uid', uid: 2 ** 32 } } },
  {
    // A destination folder is opened for appending by STATUS once its connection selected one
    // (src/imap/append-target.ts), on the lane's own control connection (folder-control.ts): the
    // faulty folder, never the first, meets the fault there.
    name: 'an endless line answering the destination STATUS (control connection)',
    side: 'dst',
    fault: { on: 'status', fault: { kind: 'endless-line' } },
  },
];

/** Shows a name as the console does (control characters as `\xHH`), as a pattern. */
const shown = (name: string) =>
  name
    // eslint-disable-next-line no-control-regex -- control characters are the point
    .replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

describe('hostile servers: the faulty folder fails alone, memory stays bounded', () => {
  let servers: Servers | undefined;
  after(() => stopServers(servers));

  test('folder names IMAP cannot send (CR, LF, NUL, invalid modified UTF-7, 8-bit) fail alone, on either side', async () => {
    await stopServers(servers);
    // `x&y-z` decodes to "xz": sent back, it would name the folder xz, which exists.
    const unsendable = ['Bad\r\nName', 'Nul\0Name', 'Line\nFeed', 'x&y-z', 'Caf&AOk', 'Caf\xe9'];
    servers = await startServers([
      ...unsendable.map((name) => ({ name, messages: messages(1) })),
      { name: 'xz', messages: messages(1) },
      { name: 'Renamed', messages: messages(1) },
    ]);
    const run = await runHostile(servers, writePlan(servers, `{ map: { Renamed: "Re\\rnamed" } }`));
    if (process.env.HOSTILE_SHOW) console.log(show(run));
    const out = run.stdout + run.stderr;
    assert.equal(run.code, 1, show(run));
    for (const name of ['Bad\r\nName', 'Nul\0Name', 'Line\nFeed']) {
      assert.match(
        out,
        new RegExp(
          `folder ${shown(name)} failed: its name holds a character IMAP cannot send \\(CR, LF or NUL\\)`,
        ),
        show(run),
      );
    }
    // As imapflow reads it: a name sent as a literal is taken as UTF-8, so the byte 0xE9 is U+FFFD.
    for (const name of ['x&y-z', 'Caf&AOk', 'Caf\ufffd']) {
      assert.match(
        out,
        new RegExp(
          `folder ${shown(name)} failed: its name is not valid modified UTF-7 \\(RFC 3501 section 5\\.1\\.3\\)`,
        ),
        show(run),
      );
    }
    assert.match(
      out,
      /folder Renamed failed: its destination folder's name holds a character IMAP cannot send \(CR, LF or NUL\)/,
      show(run),
    );
    assertOthersComplete(servers);
    assert.equal(held(servers, FAULTY, 'xz'), 1, 'xz holds its own message only');
    assert.deepEqual(
      servers.dst.folders(FAULTY).sort(),
      ['Archive', 'INBOX', 'Projects', 'xz'],
      'no folder was created for a name that cannot be sent',
    );
    // The summary too: no name or server text can start a line of its own or move the cursor.
    assert.doesNotMatch(out, /\r/, show(run));
    assert.match(run.stdout, /folder Bad\\x0d\\x0aName failed/, show(run));
    assert.ok(run.peakRssBytes < MAX_RSS_BYTES, show(run));
  });

  test('BAD to MULTIAPPEND: the batch goes again one message per command, every message arrives once', async () => {
    await stopServers(servers);
    servers = await startServers([{ name: BROKEN, messages: messages(5) }]);
    const handle = servers.dst.fault({
      on: 'multiappend',
      user: FAULTY,
      fault: { kind: 'bad', text: 'Command Argument Error. 12' },
    });
    const run = await runHostile(servers, writePlan(servers));
    if (process.env.HOSTILE_SHOW) console.log(show(run));
    assert.ok(handle.fired > 0, `no MULTIAPPEND was refused\n${show(run)}`);
    assert.equal(run.code, 0, show(run));
    assert.match(run.stdout, /^Complete: 19 copied/m, show(run));
    assertOthersComplete(servers);
    assert.equal(held(servers, FAULTY, BROKEN), 5);
    // Each lane's appender asks once: refused, and every message then accepted alone, it stops asking.
    assert.ok(handle.fired <= 2, `MULTIAPPEND refused ${handle.fired} times\n${show(run)}`);
    assert.ok(run.peakRssBytes < MAX_RSS_BYTES, show(run));
  });

  for (const scenario of FAULTS) {
    test(scenario.name, async () => {
      await stopServers(servers);
      servers = await startServers([{ name: BROKEN, messages: messages(2) }]);
      const handle = servers[scenario.side ?? 'src'].fault({
        ...scenario.fault,
        user: FAULTY,
        folder: BROKEN,
      });
      const run = await runHostile(servers, writePlan(servers));
      if (process.env.HOSTILE_SHOW) console.log(show(run));
      assert.ok(handle.fired > 0, `the fault never fired\n${show(run)}`);
      assert.equal(run.code, 1, show(run));
      assert.match(run.stderr + run.stdout, new RegExp(`${FAULTY}.*folder ${BROKEN} failed`), show(run));
      assertOthersComplete(servers);
      assert.ok(run.peakRssBytes < MAX_RSS_BYTES, show(run));
    });
  }
});
