/**
 * Crash at every step, without servers (after isync's run-tests.pl: "Resuming from step l/N
 * failed", "Idempotence verification run failed"): a small company on in-memory servers is
 * migrated once to count its committed checkpoint steps; then, for every step n, the test entry
 * runs as a real child process that kills itself with SIGKILL right after step n (no `finally`
 * runs), and the same command, run again, must leave the destination of the uninterrupted run,
 * with no duplicate, exit 0, and a further run must copy nothing. Once with each folder copied
 * whole, once with every folder of more than two messages copied in slices of two (a big folder's
 * copy: folder-prepare.ts), killed between slices as well as within them.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCompanyServers, writeCompanyPlan } from '../../harness/memory-company.js';
import {
  destinationContent,
  destinationSubscriptions,
  eachLimit,
  freshCopy,
  runMemoryPlan,
  scratchDir,
} from '../../harness/memory-run.js';
import { runTestEntry } from '../../harness/test-entry.js';

// Small batches and one connection pair per account make many steps (intent, APPEND, commit per
// batch, a folder record each); two accounts at a time keep their steps interleaved.
const LIMITS = 'limits: { batchMessages: 3, connectionsPerAccount: 1, accountsInParallel: 2 }';
/** Steps run at once, one per core: each is a child process, then two runs in this process. */
const CONCURRENCY = Math.max(2, availableParallelism());

/** How the runs cut folders: whole (the default for folders this small), or in slices of two. */
const MODES = [
  { name: 'folders copied whole', slice: undefined },
  { name: 'folders copied in slices of two messages', slice: 2 },
];

for (const { name, slice } of MODES)
  describe(`crash at every checkpoint step, memory servers, a real SIGKILL per step: ${name}`, () => {
    const sliced = slice ? { copySliceMessages: slice } : {};
    let root: string;
    let seedFile: string;
    let planPath: string;
    let reference: Record<string, string[]>;
    let subscriptions: string[];
    let steps = 0;
    /** Steps after which the resumed run left other subscriptions than the uninterrupted one. */
    const subscriptionDiffs: string[] = [];

    before(async () => {
      root = scratchDir('mailshift-crash-');
      seedFile = join(root, 'seed.json');
      createCompanyServers(seedFile);
      planPath = writeCompanyPlan(root, LIMITS);
      const { serversFile, stateDir } = freshCopy(seedFile, join(root, 'reference'));
      const run = await runMemoryPlan(planPath, stateDir, serversFile, {
        ...sliced,
        stepHook: () => void steps++,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.summary?.complete, true);
      assert.equal(run.summary?.totals.copied, 23, 'every source message copied');
      reference = destinationContent(serversFile);
      subscriptions = destinationSubscriptions(serversFile);
      if (slice) {
        // Some folder was copied in more than one slice, to what a whole copy of it gives.
        const starts = run.events
          .filter((e) => e.type === 'folder-start')
          .map((e) => `${e.account} ${e.folder}`);
        assert.ok(starts.length > new Set(starts).size, 'no folder was copied in slices');
        const whole = freshCopy(seedFile, join(root, 'whole'));
        assert.equal((await runMemoryPlan(planPath, whole.stateDir, whole.serversFile)).code, 0);
        assert.deepEqual(reference, destinationContent(whole.serversFile));
      }
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it('has a migration with enough steps to be meaningful, the same in a child process', async () => {
      assert.ok(steps >= 40, `only ${steps} steps`);
      // A child told to die after one step more than there are is never killed: it counts as many.
      const { serversFile, stateDir } = freshCopy(seedFile, join(root, 'count'));
      const res = await runTestEntry(['run', planPath, '--state-dir', stateDir], {
        memory: serversFile,
        killAfterSteps: steps + 1,
        ...(slice ? { copySlice: slice } : {}),
      });
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(destinationContent(serversFile), reference);
    });

    it('resumes from every step to the same destination, without duplicates, and idempotently', async (t) => {
      const started = Date.now();
      const all = Array.from({ length: steps }, (_, i) => i + 1);
      await eachLimit(all, CONCURRENCY, async (n) => {
        const { serversFile, stateDir } = freshCopy(seedFile, join(root, `step-${n}`));
        const args = ['run', planPath, '--state-dir', stateDir, '--json'];
        const killed = await runTestEntry(args, {
          memory: serversFile,
          killAfterSteps: n,
          ...(slice ? { copySlice: slice } : {}),
        });
        assert.equal(
          killed.signal,
          'SIGKILL',
          `step ${n}: not killed (exit ${killed.code}): ${killed.stderr}`,
        );
        const resumed = await runMemoryPlan(planPath, stateDir, serversFile, sliced);
        assert.equal(resumed.code, 0, `step ${n}: resumed run exit ${resumed.code}: ${resumed.stderr}`);
        assert.equal(resumed.summary?.complete, true, `step ${n}: resumed run incomplete`);
        // In-doubt rows are resolved as copied from the recorded UIDNEXT, not rediscovered as "present".
        assert.equal(resumed.summary?.totals.present, 0, `step ${n}: in-doubt messages were not resolved`);
        assert.deepEqual(
          destinationContent(serversFile),
          reference,
          `Resuming from step ${n}/${steps} failed`,
        );
        const subscribed = destinationSubscriptions(serversFile);
        const extra = subscribed.filter((s) => !subscriptions.includes(s));
        const missing = subscriptions.filter((s) => !subscribed.includes(s));
        if (extra.length + missing.length > 0) {
          subscriptionDiffs.push(
            `step ${n}: subscribed ${JSON.stringify(extra)}, unsubscribed ${JSON.stringify(missing)}`,
          );
        }
        const again = await runMemoryPlan(planPath, stateDir, serversFile, sliced);
        assert.equal(again.code, 0, `step ${n}: ${again.stderr}`);
        assert.equal(again.summary?.totals.copied, 0, `Idempotence verification run after step ${n} failed`);
        assert.equal(again.summary?.totals.present, 0, `step ${n}: re-identified messages on a no-op run`);
        rmSync(join(root, `step-${n}`), { recursive: true, force: true });
      });
      t.diagnostic(
        `${steps} steps, each killed, resumed and re-run, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    });

    // A parent folder that CREATE subscribed (imapflow subscribes what it creates) and whose own
    // source folder is unsubscribed gets its source's subscription, also when the run that created
    // it was stopped before: the state records the folders a run set out to create.
    it('leaves the subscriptions of the uninterrupted run after a crash at any step', () => {
      assert.deepEqual(subscriptionDiffs, []);
    });
  });
