/**
 * The write path's fallbacks, through the whole engine: a destination without MULTIAPPEND gets
 * pipelined APPENDs, one without LITERAL+ either gets one APPEND at a time, and both receive the
 * sample company complete. A destination that refuses one message of a batch gets the others,
 * and that one is named with the server's reason. A process killed in the middle of a
 * MULTIAPPEND or of a pipelined burst resumes without a duplicate.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CheckpointStore } from '../../src/state/checkpoint-store.js';
import { capabilitiesWithout } from '../harness/dovecot.js';
import { createFaultProxy, type FaultPoint, type FaultProxy } from '../harness/fault-proxy.js';
import { writeFaultPlan } from '../harness/fault-plan.js';
import {
  CLI,
  contentKey,
  destinationPassword,
  readMailbox,
  REPO,
  runCli,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';
import { sampleCompany } from '../harness/sample-company.js';

/** Every message of every account, as a sorted multiset per account. */
async function allMessages(env: MigrationEnv, side: 'src' | 'dst'): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const a of env.accounts) {
    const box = await readMailbox(env[side], a.user, side === 'src' ? a.password : destinationPassword(a));
    out[a.user] = contentKey([...box.values()].flat());
  }
  return out;
}

describe('write path fallbacks (whole engine, real Dovecot)', () => {
  const envs: MigrationEnv[] = [];
  const proxies: FaultProxy[] = [];
  after(async () => {
    await Promise.allSettled(proxies.map((p) => p.stop()));
    await Promise.all(envs.map((e) => e.stop()));
  });

  for (const [name, caps, at] of [
    // 3 KB into the 3rd MULTIAPPEND: the server holds part of an all-or-nothing command.
    ['a MULTIAPPEND', capabilitiesWithout(), { clientBytes: 3000 }],
    // The 7th APPEND of a run of 4-message bursts has reached the server, the 8th has not.
    ['a pipelined burst of APPENDs', capabilitiesWithout('MULTIAPPEND'), 'sent'],
  ] as const satisfies readonly (readonly [string, string, FaultPoint])[]) {
    it(`SIGKILLed in the middle of ${name}: the next run completes it without a duplicate`, async () => {
      const kontakt = sampleCompany().find((a) => a.user === 'kontakt@acme.example')!;
      const env = await startMigrationEnv({ accounts: [kontakt], destination: { capabilities: caps } });
      envs.push(env);
      const dstProxy = await createFaultProxy({ target: { host: '127.0.0.1', port: env.dst.port } });
      proxies.push(dstProxy);
      const account = { src: kontakt, dst: { user: kontakt.user, password: destinationPassword(kontakt) } };
      const { planPath, stateDir } = writeFaultPlan(env, {
        src: { port: env.src.port },
        dst: dstProxy,
        accounts: [account],
        extra: 'limits: { batchMessages: 4, connectionsPerAccount: 1 }',
      });
      const args = ['run', planPath, '--state-dir', stateDir];
      const stalled = dstProxy
        .onCommand({ command: 'APPEND', nth: typeof at === 'string' ? 7 : 3, at, action: 'stall' })
        .whenFired();
      const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: 'ignore' });
      const exited = once(child, 'close');
      await Promise.race([stalled, exited]);
      child.kill('SIGKILL');
      const [, signal] = await exited;
      assert.equal(signal, 'SIGKILL', 'killed while the write was under way');
      const store = CheckpointStore.open(join(stateDir, 'state.sqlite'));
      const inDoubt = store.counts().find((c) => c.account === kontakt.user)?.appending ?? 0;
      store.close();
      assert.ok(inDoubt > 0, 'the kill left a batch in doubt');
      dstProxy.clearFaults();

      const res = await runCli(args);
      assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
      assert.deepEqual(
        await allMessages(env, 'dst'),
        await allMessages(env, 'src'),
        'complete, no duplicate',
      );
      const again = await runCli(args);
      assert.match(again.stdout, /Complete: 0 copied/);
    });
  }

  for (const [name, caps] of [
    ['pipelined APPENDs without MULTIAPPEND', capabilitiesWithout('MULTIAPPEND')],
    ['one APPEND at a time without MULTIAPPEND and LITERAL+', capabilitiesWithout('MULTIAPPEND', 'LITERAL+')],
  ] as const) {
    it(`copies the sample company with ${name}`, async () => {
      const env = await startMigrationEnv({ destination: { capabilities: caps } });
      envs.push(env);
      const res = await runCli(['run', env.planPath, '--state-dir', env.stateDir]);
      assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
      assert.deepEqual(await allMessages(env, 'dst'), await allMessages(env, 'src'));
    });
  }

  it('names the one message a batch could not store and copies the rest', async () => {
    // Dovecot refuses messages over quota_max_mail_size with NO [LIMIT]; the sample's largest is ~30 KB.
    const env = await startMigrationEnv({
      destination: { quota: true, maxMailSize: '25k' },
    });
    envs.push(env);
    const res = await runCli(['run', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(res.code, 1, 'incomplete: some messages were refused');
    const failedLines = res.stdout.split('\n').filter((l) => / FAILED: /.test(l));
    const big = env.accounts
      .flatMap((a) => a.folders.flatMap((f) => f.messages))
      .filter((m) => m.raw.length > 25 * 1024);
    assert.ok(big.length > 0, 'the sample has messages over the limit');
    assert.equal(failedLines.length, big.length, res.stdout);
    for (const l of failedLines) assert.match(l, /UID \d+ FAILED: .*(size|large)/i);
    const src = await allMessages(env, 'src');
    const dst = await allMessages(env, 'dst');
    for (const a of env.accounts) {
      const expected =
        src[a.user]!.length -
        a.folders.flatMap((f) => f.messages).filter((m) => m.raw.length > 25 * 1024).length;
      assert.equal(dst[a.user]!.length, expected, `${a.user}: every other message arrived`);
    }
  });
});
