/**
 * The engine through the CLI's own composition (`runCli`), over in-memory servers with faults:
 * a connection dropped mid-batch (stored or not) resumes without a duplicate, a throttling server
 * is waited out as told, a refused message is named while the others arrive, a full destination
 * stops its account only; and the parts the CLI adds: the lock (a second run refused with exit 5),
 * the run log, Ctrl-C (the first stops after the batches in flight are recorded, exit 130; a second
 * stops at once) with the next run resuming. Processes that must receive a signal are real ones.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  COMPANY,
  DESTINATION_HOST,
  SOURCE_HOST,
  createCompanyServers,
  writeCompanyPlan,
} from '../../harness/memory-company.js';
import {
  armFault,
  destinationContent,
  firedFaults,
  freshCopy,
  runMemoryPlan,
  scratchDir,
  stateCounts,
  waitFor,
} from '../../harness/memory-run.js';
import { MemoryNetwork } from '../../harness/memory-server.js';
import { logLinesSince } from '../../harness/fault-plan.js';
import { startTestEntry } from '../../harness/test-entry.js';

const RETRY = 'retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 }';
const LIMITS = `limits: { batchMessages: 3, connectionsPerAccount: 1, accountsInParallel: 2, ${RETRY} }`;
const TWO_PAIRS = `limits: { batchMessages: 3, connectionsPerAccount: 2, accountsInParallel: 2, ${RETRY} }`;

/** Messages of a content map, over every folder. */
function total(content: Record<string, string[]>): number {
  return Object.values(content).reduce((s, l) => s + l.length, 0);
}

/** True when every folder of `part` holds a sub-multiset of the same folder of `whole`. */
function within(part: Record<string, string[]>, whole: Record<string, string[]>): boolean {
  return Object.entries(part).every(([folder, list]) => {
    const left = [...(whole[folder] ?? [])];
    return list.every((m) => {
      const i = left.indexOf(m);
      if (i >= 0) left.splice(i, 1);
      return i >= 0;
    });
  });
}

const appending = (stateDir: string) => stateCounts(stateDir).reduce((s, c) => s + c.appending, 0);

describe('the engine through runCli over memory servers: faults, lock, log, Ctrl-C', () => {
  let root: string;
  let seedFile: string;
  let planPath: string;
  let reference: Record<string, string[]>;
  let referenceState: string;
  let n = 0;
  /** A fresh copy of the seeded servers and an empty state directory. */
  const fresh = () => freshCopy(seedFile, join(root, `run-${++n}`));

  before(async () => {
    root = scratchDir('mailshift-faults-');
    seedFile = join(root, 'seed.json');
    createCompanyServers(seedFile);
    planPath = writeCompanyPlan(root, LIMITS);
    const { serversFile, stateDir } = fresh();
    const run = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(run.code, 0, run.stderr);
    reference = destinationContent(serversFile);
    referenceState = stateDir;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a connection dropped mid-batch, after the server stored it or before: retried, nothing twice', async () => {
    const { serversFile, stateDir } = fresh();
    armFault(serversFile, {
      server: DESTINATION_HOST,
      op: 'append',
      nth: 3,
      action: { kind: 'drop', after: true },
    });
    armFault(serversFile, { server: DESTINATION_HOST, op: 'append', nth: 7, action: { kind: 'drop' } });
    armFault(serversFile, { server: SOURCE_HOST, op: 'fetch', nth: 4, action: { kind: 'drop' } });
    armFault(serversFile, { server: SOURCE_HOST, op: 'connect', nth: 5, action: { kind: 'drop' } });
    const run = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.deepEqual(firedFaults(serversFile), [1, 1, 1, 1]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.summary?.complete, true);
    assert.deepEqual(destinationContent(serversFile), reference);
    assert.equal(
      stateCounts(stateDir).reduce((s, c) => s + c.copied, 0),
      23,
      'every message recorded as copied',
    );
    const retries = logLinesSince(stateDir, 0).filter((l) => l.msg === 'retrying folder');
    assert.ok(retries.length >= 3, `retries in the run log: ${retries.length}`);
  });

  /** A run over two connection pairs whose second APPEND is throttled: the wait it asks is 400 ms. */
  const throttledRun = async () => {
    const { serversFile } = fresh();
    const dir = join(root, `two-pairs-${n}`);
    const plan = writeCompanyPlan(dir, TWO_PAIRS);
    const stateDir = join(dir, 'state');
    armFault(serversFile, {
      server: DESTINATION_HOST,
      op: 'append',
      nth: 2,
      action: { kind: 'throttle', waitMs: 400 },
    });
    const started = Date.now();
    const run = await runMemoryPlan(plan, stateDir, serversFile);
    return { run, ms: Date.now() - started, serversFile, stateDir, plan };
  };

  it('a throttling server is waited out as it asks, with one connection less', async () => {
    const { run, ms, serversFile, stateDir, plan } = await throttledRun();
    assert.equal(run.code, 0, run.stderr);
    assert.ok(ms >= 400, 'the wait was waited');
    const logs = logLinesSince(stateDir, 0);
    assert.deepEqual(
      logs.filter((l) => l.msg === 'retrying folder').map((l) => l.delay),
      [400],
    );
    assert.ok(logs.some((l) => l.msg === 'server asks to slow down: fewer connections'));
    const got = destinationContent(serversFile);
    assert.ok(within(got, reference), 'nothing copied twice');
    // Whatever the first run left (see the next test), a second one completes the copy.
    const again = await runMemoryPlan(plan, stateDir, serversFile);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(destinationContent(serversFile), reference);
  });

  // A lane a throttle closes hands the folder it prepared ahead back to the account's queue; the
  // other lane may have drained the queue and ended meanwhile: the pool starts a lane for it.
  it('a folder prepared ahead by a connection a throttle closed is still copied in the same run', async () => {
    const { run, serversFile } = await throttledRun();
    assert.equal(run.summary?.complete, true);
    assert.deepEqual(
      destinationContent(serversFile),
      reference,
      'a run that says complete copied everything',
    );
  });

  it('a message the destination refuses is named with its words, the others arrive (exit 1), tried again next run', async () => {
    const { serversFile, stateDir } = fresh();
    const net = MemoryNetwork.open(serversFile);
    net
      .server(DESTINATION_HOST)!
      .state.refuse.push({ contains: 'Subject: Reklamacja', text: 'Rejected by content filter' });
    net.save();
    const run = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.summary?.totals.failed, 1);
    assert.equal(run.summary?.totals.copied, 22);
    assert.match(run.stdout, /sprzedaz@acme\.example: INBOX UID 5 .*Rejected by content filter/);
    const got = destinationContent(serversFile);
    assert.ok(within(got, reference));
    assert.equal(total(got), total(reference) - 1);
    const again = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(again.code, 1);
    assert.equal(again.summary?.totals.failed, 1, 'the refused message is tried again');
    assert.equal(again.summary?.totals.copied, 0);
  });

  it('a full destination stops that account with the space it needs; the others complete; more quota completes it', async () => {
    const { serversFile, stateDir } = fresh();
    const user = COMPANY[0]!.user;
    const setQuota = (bytes: number | undefined) => {
      const net = MemoryNetwork.open(serversFile);
      const account = net.server(DESTINATION_HOST)!.state.accounts[user]!;
      if (bytes === undefined) delete account.quota;
      else account.quota = bytes;
      net.save();
    };
    setQuota(1500);
    const run = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(run.code, 1, run.stderr);
    const failed = run.summary?.accounts.find((a) => a.account === user);
    assert.match(
      failed?.error ?? '',
      /the destination mailbox of kontakt@acme\.example is full \(.* used\): it needs about/,
    );
    assert.deepEqual(
      run.summary?.accounts.filter((a) => a.ok).map((a) => a.account),
      ['rekrutacja@acme.example', 'sprzedaz@acme.example'],
    );
    assert.ok(within(destinationContent(serversFile), reference));
    setQuota(undefined);
    const again = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(destinationContent(serversFile), reference);
  });

  it('writes the run log: JSON lines, owner-only, the run from start to end, no secret', () => {
    const log = join(referenceState, 'run.log');
    assert.equal(statSync(log).mode & 0o777, 0o600);
    const text = readFileSync(log, 'utf8');
    const lines = logLinesSince(referenceState, 0);
    assert.ok(lines.every((l) => l.command === 'run'));
    assert.deepEqual(
      lines.filter((l) => l.msg === 'run-start' || l.msg === 'run-done').map((l) => l.msg),
      ['run-start', 'run-done'],
    );
    for (const a of COMPANY) {
      assert.ok(
        !text.includes(a.password) && !text.includes(a.destinationPassword),
        'no password in the log',
      );
    }
  });

  it('refuses a second run on the same state with exit 5 while the first holds the lock', async () => {
    const { serversFile, stateDir } = fresh();
    armFault(serversFile, {
      server: DESTINATION_HOST,
      op: 'append',
      nth: 1,
      action: { kind: 'delay', ms: 2000 },
    });
    const first = startTestEntry(['run', planPath, '--state-dir', stateDir], { memory: serversFile });
    await waitFor('the first run to take the lock', () => existsSync(join(stateDir, 'run.lock')));
    const second = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(second.code, 5);
    assert.match(second.stderr, /another mailshift \(pid \d+\) is already working on/);
    const done = await first.done;
    assert.equal(done.code, 0, done.stderr);
    assert.ok(!existsSync(join(stateDir, 'run.lock')), 'the lock is released');
    assert.deepEqual(destinationContent(serversFile), reference);
  });

  it('Ctrl-C stops after the batches in flight are recorded (exit 130); the next run resumes', async () => {
    const { serversFile, stateDir } = fresh();
    armFault(serversFile, {
      server: DESTINATION_HOST,
      op: 'append',
      nth: 2,
      action: { kind: 'delay', ms: 1500 },
    });
    const run = startTestEntry(['run', planPath, '--state-dir', stateDir, '--json'], { memory: serversFile });
    await waitFor('a first batch', () => run.stdout().includes('"type":"progress"'));
    run.child.kill('SIGINT');
    const res = await run.done;
    assert.equal(res.code, 130, res.stderr);
    assert.match(res.stderr, /stopping after the messages in flight are recorded/);
    assert.equal(appending(stateDir), 0, 'the batch in flight was recorded before the exit');
    const partial = destinationContent(serversFile);
    assert.ok(within(partial, reference), 'nothing copied twice');
    assert.ok(total(partial) < total(reference), 'stopped before the end');
    const resumed = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(destinationContent(serversFile), reference);
  });

  it('a second Ctrl-C stops at once; the next run resolves the batch it left in doubt', async () => {
    const { serversFile, stateDir } = fresh();
    armFault(serversFile, {
      server: DESTINATION_HOST,
      op: 'append',
      nth: 2,
      action: { kind: 'delay', ms: 8000 },
    });
    const run = startTestEntry(['run', planPath, '--state-dir', stateDir, '--json'], { memory: serversFile });
    await waitFor('a first batch', () => run.stdout().includes('"type":"progress"'));
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    const second = Date.now();
    run.child.kill('SIGINT');
    const res = await run.done;
    assert.equal(res.code, 130, res.stderr);
    assert.ok(Date.now() - second < 5000, 'did not wait for the batch in flight');
    assert.ok(appending(stateDir) > 0, 'the batch in flight is left in doubt');
    const resumed = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.summary?.totals.present, 0);
    assert.deepEqual(destinationContent(serversFile), reference);
  });
});
