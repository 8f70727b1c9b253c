/**
 * Crash at every step (CONVENTIONS rule 12, after isync's run-tests.pl): a hook stops the engine
 * right after the N-th committed checkpoint step, for every N of a small migration; the resumed run
 * must leave the same destination as an uninterrupted run, with no duplicate, and a further run
 * must change nothing.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MailshiftError } from '../../src/core/errors.js';
import { sampleCompany } from '../harness/sample-company.js';
import {
  contentKey,
  readMailbox,
  runInProcess,
  startMigrationEnv,
  type MigrationEnv,
  type StoredMessage,
} from '../harness/migration-env.js';

const MAX_STEPS = 60;
const account = sampleCompany().find((a) => a.user === 'rekrutacja@acme.example')!;
const crashUsers = Array.from({ length: MAX_STEPS + 1 }, (_, i) => ({
  user: `crash${i}@acme.example`,
  password: 'dst-crash',
}));
// Small batches make many steps: intent, APPEND, commit per batch, and a folder record each.
const LIMITS = 'limits: { batchMessages: 4, connectionsPerAccount: 1, accountsInParallel: 1 }';

class TestCrash extends MailshiftError {
  constructor(step: number) {
    super(`test crash after step ${step}`, { code: 'TEST_CRASH', scope: 'run' });
  }
}

/** Folder -> content key of a destination user, with no empty folder noise. */
function byFolder(box: Map<string, StoredMessage[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, list] of box) if (list.length > 0) out[path] = contentKey(list);
  return out;
}

describe('resume after a crash at every checkpoint step', () => {
  let env: MigrationEnv;
  let reference: Record<string, string[]>;
  let steps = 0;

  const useUser = (i: number) => {
    env.writePlan(LIMITS, [account], () => crashUsers[i]!);
    rmSync(env.stateDir, { recursive: true, force: true });
  };

  before(async () => {
    env = await startMigrationEnv({ accounts: [account], extraDestinationUsers: crashUsers });
    useUser(0);
    const res = await runInProcess(env, { stepHook: () => void steps++ });
    assert.ifError(res.error);
    assert.equal(res.summary?.complete, true);
    reference = byFolder(await readMailbox(env.dst, crashUsers[0]!.user, 'dst-crash'));
  });
  after(async () => env?.stop());

  it('has a migration with enough steps to be meaningful', () => {
    assert.ok(steps >= 15, `only ${steps} steps`);
    assert.ok(steps <= MAX_STEPS, `${steps} steps: raise MAX_STEPS`);
  });

  it('resumes from every step to the same destination, without duplicates, and idempotently', async () => {
    for (let n = 1; n <= steps; n++) {
      useUser(n);
      let count = 0;
      const crashed = await runInProcess(env, {
        stepHook: () => {
          if (++count === n) throw new TestCrash(n);
        },
      });
      assert.ok(
        crashed.error instanceof TestCrash,
        `step ${n}: expected the test crash, got ${String(crashed.error)}`,
      );
      const resumed = await runInProcess(env);
      assert.ifError(resumed.error);
      assert.equal(resumed.summary?.complete, true, `step ${n}: resumed run incomplete`);
      // In-doubt rows are resolved as copied from the recorded UIDNEXT, not rediscovered as "present".
      assert.equal(resumed.summary?.totals.present, 0, `step ${n}: in-doubt messages were not resolved`);
      assert.deepEqual(
        byFolder(await readMailbox(env.dst, crashUsers[n]!.user, 'dst-crash')),
        reference,
        `Resuming from step ${n}/${steps} failed`,
      );
      const again = await runInProcess(env);
      assert.equal(again.summary?.totals.copied, 0, `Idempotence verification run after step ${n} failed`);
      assert.equal(again.summary?.totals.present, 0, `step ${n}: re-identified messages on a no-op run`);
    }
  });
});
