/**
 * Staging the copy, through the CLI's own composition over in-memory servers: the plan's date
 * window leaves older mail out as skipped on purpose (with the reason, counted, announced, not
 * looked at again while the window stays, copied once it is widened), and verify and the dry-run
 * report count it the same way; newest mail goes first (within a folder and INBOX before the other
 * folders); the run reports its open connections, and a stopped account says why by its code.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EngineEvent } from '../../../src/core/events.js';
import type { MessageMeta } from '../../../src/core/messages.js';
import { copyOrder, folderOrder } from '../../../src/engine/copy-order.js';
import { leftOutByWindow, windowKey } from '../../../src/engine/date-window.js';
import { resolveWindow, WINDOW_REASON } from '../../../src/plan/window.js';
import type { DryRunReport } from '../../../src/report/dry-run-model.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import type { VerifyReport } from '../../../src/verify/types.js';
import {
  COMPANY,
  DESTINATION_HOST,
  SOURCE_HOST,
  createCompanyServers,
  mail,
  writeCompanyPlan,
} from '../../harness/memory-company.js';
import { destinationContent, freshCopy, scratchDir } from '../../harness/memory-run.js';
import { MemoryNetwork } from '../../harness/memory-server.js';
import { memoryWiring } from '../../harness/memory-wiring.js';
import { runCommandInProcess } from '../../harness/migration-env.js';

const LIMITS = 'limits: { batchMessages: 2, connectionsPerAccount: 1, accountsInParallel: 3 }';
const KONTAKT = COMPANY[0]!.user;

/** Runs a command over the memory servers of `serversFile`. */
function cli(serversFile: string, argv: string[]) {
  return runCommandInProcess(argv, { wiring: memoryWiring(serversFile) });
}

const skips = (events: EngineEvent[]) =>
  events.filter((e): e is Extract<EngineEvent, { type: 'message-skipped' }> => e.type === 'message-skipped');

function stateRows(stateDir: string) {
  const store = CheckpointStore.open(join(stateDir, 'state.sqlite'));
  try {
    return { skipped: store.skippedByReason(), folders: store.folders(KONTAKT), counts: store.counts() };
  } finally {
    store.close();
  }
}

describe('the date window and newest first, over memory servers', () => {
  let root: string;
  let seedFile: string;
  let reference: Record<string, string[]>;
  let n = 0;
  const fresh = () => freshCopy(seedFile, join(root, `run-${++n}`));

  before(async () => {
    root = scratchDir('mailshift-staging-');
    seedFile = join(root, 'seed.json');
    createCompanyServers(seedFile);
    const plan = writeCompanyPlan(join(root, 'plain'), LIMITS);
    const { serversFile, stateDir } = fresh();
    const run = await cli(serversFile, ['run', plan, '--state-dir', stateDir]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    reference = destinationContent(serversFile);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('leaves out what is outside the window, skipped with the reason, and does not look at it again', async () => {
    const plan = writeCompanyPlan(join(root, 'windowed'), `${LIMITS}\nwindow: { before: '2025-11-05' }`);
    const { serversFile, stateDir } = fresh();
    const first = await cli(serversFile, ['run', plan, '--state-dir', stateDir]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const reason = `${WINDOW_REASON} (before 2025-11-05)`;
    const skipped = skips(first.events);
    assert.ok(skipped.length > 0, 'messages of 5 November and later are announced as skipped');
    assert.ok(skipped.every((e) => e.reason === reason));
    const rows = stateRows(stateDir);
    const windowed = rows.skipped.filter((s) => s.reason === reason);
    assert.equal(
      windowed.reduce((s, r) => s + r.messages, 0),
      skipped.length,
      'each announced message is recorded skipped with the reason',
    );
    assert.equal(first.summary?.totals.skipped, skipped.length, 'and counted in the run totals');
    assert.match(first.stdout, new RegExp(`${KONTAKT}: \\d+ messages skipped: outside the date window`));
    assert.ok(
      rows.folders.every((f) => f.window === 'before 2025-11-05'),
      'folders remember the window',
    );
    // Nothing of 5 November or later reached the destination (some mail was there before the run).
    const before = destinationContent(seedFile);
    for (const [folder, list] of Object.entries(destinationContent(serversFile))) {
      const had = [...(before[folder] ?? [])];
      for (const m of list) {
        const i = had.indexOf(m);
        if (i >= 0) had.splice(i, 1);
        else if (Number(m.split(' ')[2]) >= Date.UTC(2025, 10, 5)) assert.fail(`${folder}: copied ${m}`);
      }
    }

    const again = await cli(serversFile, ['run', plan, '--state-dir', stateDir]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(skips(again.events), [], 'a re-run does not announce them again');
    assert.ok(
      again.events
        .filter((e) => e.type === 'folder-done')
        .every((e) => e.type === 'folder-done' && e.unchanged),
      'every folder is unchanged: the window is the same',
    );

    // New mail outside the window, never seen by a run: verify counts it as skipped, with the reason.
    const src = MemoryNetwork.open(serversFile).server(SOURCE_HOST)!.mailbox(KONTAKT)!;
    const appended = src.append('INBOX', [
      {
        raw: mail({ from: 'nowy@klient.example', to: KONTAKT, subject: 'Po oknie', id: 'late-1', day: 20 }),
        flags: [],
        internalDate: new Date(Date.UTC(2025, 10, 20, 10)),
      },
    ]);
    const verify = await cli(serversFile, [
      'verify',
      plan,
      '--state-dir',
      stateDir,
      '--json',
      '--format',
      'json',
    ]);
    assert.equal(verify.code, 0, verify.stderr);
    const report = JSON.parse(verify.stdout) as VerifyReport;
    assert.equal(report.verdict, 'passed');
    const inbox = report.accounts
      .find((a) => a.account === KONTAKT)!
      .folders.find((f) => f.source === 'INBOX')!;
    assert.equal(inbox.counts.notYetCopied, 0);
    assert.ok(
      inbox.skipped.some(
        (s) => appended.status === 'OK' && s.uid === appended.uids[0] && s.reason === reason,
      ),
      'the new one too',
    );
    assert.ok(inbox.skipped.every((s) => s.reason === reason));
    assert.equal(report.totals.skipped, skipped.length + 1);

    // The dry-run report counts them too, and leaves them out of what is to copy.
    const dry = await cli(serversFile, [
      'report',
      plan,
      '--state-dir',
      stateDir,
      '--json',
      '--format',
      'json',
    ]);
    const d = JSON.parse(dry.stdout) as DryRunReport;
    const kontakt = d.accounts.find((a) => a.id === KONTAKT)!;
    assert.equal(kontakt.outsideWindow?.window, 'before 2025-11-05');
    const note = d.problems.find((p) => p.kind === 'outside-window' && p.account === KONTAKT);
    assert.equal(note?.severity, 'info');
    assert.equal(note?.count, kontakt.outsideWindow?.messages);
    const all = d.accounts.reduce((s, a) => s + (a.outsideWindow?.messages ?? 0), 0);
    assert.equal(all, skipped.length + 1, 'the same messages as the run and verify left out');
  });

  it('a widened window copies what it left out; the destination then equals a run without one', async () => {
    const plan = writeCompanyPlan(join(root, 'widened'), `${LIMITS}\nwindow: { since: '2025-11-04' }`);
    const { serversFile, stateDir } = fresh();
    const first = await cli(serversFile, ['run', plan, '--state-dir', stateDir]);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(skips(first.events).length > 0);
    writeCompanyPlan(join(root, 'widened'), `${LIMITS}\nwindow: { since: '2025-11-01' }`);
    const second = await cli(serversFile, ['run', plan, '--state-dir', stateDir]);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(skips(second.events), []);
    assert.ok((second.summary?.totals.copied ?? 0) > 0, 'what the narrower window left out is copied now');
    assert.deepEqual(destinationContent(serversFile), reference);
    assert.deepEqual(
      stateRows(stateDir).skipped.filter((s) => s.reason.startsWith(WINDOW_REASON)),
      [],
      'no row keeps the old reason',
    );
  });

  it('copies newest first (INBOX first), and oldest first with newestFirst off', async () => {
    const destinationOrder = async (options: string) => {
      const plan = writeCompanyPlan(join(root, `order-${++n}`), `${LIMITS}\n${options}`);
      const { serversFile, stateDir } = fresh();
      const run = await cli(serversFile, ['run', plan, '--state-dir', stateDir]);
      assert.equal(run.code, 0, run.stderr);
      const starts = run.events.filter((e) => e.type === 'folder-start' && e.account === KONTAKT);
      const inbox = MemoryNetwork.open(serversFile)
        .server(DESTINATION_HOST)!
        .mailbox(KONTAKT)!
        .folder('INBOX')!
        .messages.filter((m) => m.internalDate >= Date.UTC(2025, 10, 1));
      return { first: starts[0], dates: inbox.sort((a, b) => a.uid - b.uid).map((m) => m.internalDate) };
    };
    const newest = await destinationOrder('');
    assert.deepEqual(
      newest.dates,
      [...newest.dates].sort((a, b) => b - a),
      'INBOX arrived newest first',
    );
    assert.equal(newest.first?.type === 'folder-start' && newest.first.folder, 'INBOX', 'INBOX went first');
    const oldest = await destinationOrder('options: { newestFirst: false }');
    assert.deepEqual(
      oldest.dates,
      [...oldest.dates].sort((a, b) => a - b),
      'oldest first when asked',
    );
  });

  it('reports open connections (back to 0 at the end) and the code of a stopped account', async () => {
    const plan = writeCompanyPlan(join(root, 'conns'), LIMITS);
    const { serversFile, stateDir } = fresh();
    writeFileSecret(join(root, 'conns'), 'src-kontakt.txt', 'wrong-password');
    const run = await cli(serversFile, ['run', plan, '--state-dir', stateDir]);
    assert.equal(run.code, 1, run.stderr);
    const conns = run.events.filter((e) => e.type === 'connections');
    assert.ok(conns.length > 0);
    const peak = Math.max(...conns.map((e) => (e.type === 'connections' ? e.open : 0)));
    // One lane per account (4 connections) and three accounts at once.
    assert.ok(peak >= 2 && peak <= 12, `peak ${peak}`);
    const last = conns[conns.length - 1];
    assert.deepEqual(last, { type: 'connections', source: 0, destination: 0, open: 0 });
    const failed = run.events.find((e) => e.type === 'account-failed');
    assert.equal(failed?.type === 'account-failed' && failed.code, 'AUTH_FAILED');
    const lines = readFileSync(join(stateDir, 'events.ndjson'), 'utf8').trim().split('\n');
    assert.ok(
      lines.some((l) => JSON.parse(l).type === 'connections'),
      'the events file has them too',
    );
  });
});

/** Replaces a secret file writeCompanyPlan wrote (a wrong password stops that account at login). */
function writeFileSecret(dir: string, name: string, value: string): void {
  writeFileSync(join(dir, 'secrets', name), `${value}\n`, { mode: 0o600 });
}

describe('copy order and window keys (pure)', () => {
  const meta = (uid: number, day: number): MessageMeta => ({
    uid,
    flags: [],
    internalDate: Date.UTC(2025, 0, day),
    size: 1,
    identity: `i${uid}`,
  });

  it('orders messages newest first (the later UID on a tie), folders INBOX first then biggest', () => {
    const ordered = copyOrder([meta(1, 5), meta(2, 9), meta(3, 1), meta(4, 9)], true).map((m) => m.uid);
    assert.deepEqual(ordered, [4, 2, 1, 3]);
    assert.deepEqual(
      copyOrder([meta(1, 5), meta(2, 9)], false).map((m) => m.uid),
      [1, 2],
    );
    const job = (source: string, messages: number) => ({ source, listing: { messages } as never });
    assert.deepEqual(
      folderOrder([job('Archiwum', 900), job('inbox', 10), job('Sent', 50)], true).map((j) => j.source),
      ['inbox', 'Archiwum', 'Sent'],
    );
    assert.deepEqual(
      folderOrder([job('Archiwum', 900), job('INBOX', 10), job('Sent', 50)], false).map((j) => j.source),
      ['Archiwum', 'Sent', 'INBOX'],
    );
  });

  it('keys a window by its words; settles only rows of the window as written now', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const w = resolveWindow({ since: '2y', before: '2026-01-01' }, now);
    assert.equal(windowKey(w), 'since 2y, before 2026-01-01');
    assert.equal(windowKey(resolveWindow(undefined, now)), null);
    assert.equal(windowKey(undefined), null);
    const row = (reason: string | null, state = 'skipped') => ({ state, reason }) as never;
    assert.equal(leftOutByWindow(w, row(`${WINDOW_REASON} (since 2y)`)), true);
    assert.equal(leftOutByWindow(w, row(`${WINDOW_REASON} (since 3y)`)), false, 'another window');
    assert.equal(leftOutByWindow(w, row('message of 9 bytes is over ...')), false);
    assert.equal(leftOutByWindow(w, row(`${WINDOW_REASON} (since 2y)`, 'failed')), false);
    assert.equal(leftOutByWindow(undefined, row(`${WINDOW_REASON} (since 2y)`)), false);
  });
});
