/**
 * Drift on either server between runs, against real Dovecot: each change has a documented rule,
 * the run says what it did, its exit code says whether it may call itself complete, and verify's
 * verdict agrees with both servers as they are now.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sampleCompany, type SampleAccount } from '../harness/sample-company.js';
import {
  connectPlain,
  destinationPassword,
  readMailbox,
  runCli,
  runInProcess,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';

const RAW = (subject: string) =>
  Buffer.from(
    `From: Anna <anna@acme.example>\r\nTo: rekrutacja@acme.example\r\nSubject: ${subject}\r\n` +
      `Message-ID: <${subject.replace(/\W/g, '')}@drift.test>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\n\r\nbody\r\n`,
  );

/** Message counts per folder of a mailbox on a server. */
async function counts(
  env: MigrationEnv,
  side: 'src' | 'dst',
  a: SampleAccount,
): Promise<Map<string, number>> {
  const box = await readMailbox(env[side], a.user, side === 'src' ? a.password : destinationPassword(a));
  return new Map([...box].map(([k, v]) => [k, v.length]));
}

async function onServer<T>(
  env: MigrationEnv,
  side: 'src' | 'dst',
  a: SampleAccount,
  fn: (c: Awaited<ReturnType<typeof connectPlain>>) => Promise<T>,
): Promise<T> {
  const c = await connectPlain(env[side], a.user, side === 'src' ? a.password : destinationPassword(a));
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => c.close());
  }
}

function verify(env: MigrationEnv) {
  return runCli(['verify', env.planPath, '--state-dir', env.stateDir, '--format', 'json']);
}

describe('drift between runs', () => {
  let env: MigrationEnv;
  let hr: SampleAccount;

  before(async () => {
    hr = sampleCompany().find((a) => a.user.startsWith('rekrutacja@'))!;
    env = await startMigrationEnv({ accounts: [hr] });
    const planned = await runCli(['plan', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(planned.code, 0, planned.stderr);
    const first = await runInProcess(env);
    assert.equal(first.code, 0, first.stdout + first.stderr);
  });
  after(() => env.stop());

  it('a source folder created after plan is mapped by its rules, copied and named; verify agrees', async () => {
    await onServer(env, 'src', hr, async (c) => {
      await c.mailboxCreate('INBOX.Nowe zg\u0142oszenia');
      await c.append('INBOX.Nowe zg\u0142oszenia', RAW('Zgloszenie 1'), ['\\Seen']);
      await c.append('INBOX.Nowe zg\u0142oszenia', RAW('Zgloszenie 2'));
    });
    const run = await runInProcess(env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /new source folder "INBOX\.Nowe zgłoszenia" since the plan: copied to "Nowe zgłoszenia"/,
    );
    assert.equal(run.summary?.totals.copied, 2);
    assert.equal((await counts(env, 'dst', hr)).get('Nowe zg\u0142oszenia'), 2);
    const v = await verify(env);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('a source folder renamed keeps its destination folder and copies nothing twice', async () => {
    const before = await counts(env, 'dst', hr);
    await onServer(env, 'src', hr, (c) =>
      c.mailboxRename('INBOX.Kandydaci.Odrzuceni', 'INBOX.Kandydaci.Odrzuceni 2026'),
    );
    const run = await runInProcess(env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /source folder "INBOX\.Kandydaci\.Odrzuceni" was renamed to "INBOX\.Kandydaci\.Odrzuceni 2026": it stays in "Kandydaci\/Odrzuceni"/,
    );
    assert.equal(run.summary?.totals.copied, 0, 'nothing copied twice');
    assert.deepEqual(await counts(env, 'dst', hr), before);
    const v = await verify(env);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('a destination folder deleted is created and filled again, with a line saying so', async () => {
    const source = await counts(env, 'src', hr);
    await onServer(env, 'dst', hr, (c) => c.mailboxDelete('Kandydaci/Odrzuceni'));
    const run = await runInProcess(env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /destination folder "Kandydaci\/Odrzuceni" was deleted: it is created again/);
    assert.equal(
      (await counts(env, 'dst', hr)).get('Kandydaci/Odrzuceni'),
      source.get('INBOX.Kandydaci.Odrzuceni 2026'),
    );
    assert.equal((await verify(env)).code, 0);
  });

  it('messages deleted on the destination are reported, not copied again; verify names them', async () => {
    await onServer(env, 'dst', hr, async (c) => {
      const lock = await c.getMailboxLock('Kandydaci');
      try {
        await c.messageDelete('1:2');
      } finally {
        lock.release();
      }
    });
    const run = await runInProcess(env);
    assert.equal(run.code, 0, `a documented rule, not a failure: ${run.stdout}`);
    assert.equal(run.summary?.totals.copied, 0);
    assert.match(
      run.stdout,
      /destination folder "Kandydaci" holds \d+ of the \d+ messages copied there: deleted on the new server, not copied again/,
    );
    const v = await verify(env);
    assert.equal(v.code, 1, 'verify: the destination lacks two source messages');
    assert.match(v.stdout + v.stderr, /deleted/i);
  });

  it('a destination wiped and re-provisioned is refilled, said so, and complete again', async () => {
    rmSync(env.dst.mailDir(hr.user), { recursive: true, force: true });
    const run = await runInProcess(env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /the destination mailbox of rekrutacja@acme\.example was emptied or re-provisioned/,
    );
    const source = await counts(env, 'src', hr);
    const dest = await counts(env, 'dst', hr);
    const total = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
    assert.equal(total(dest), total(source), 'every source message once, no duplicate');
    assert.equal((await verify(env)).code, 0);
    const again = await runInProcess(env);
    assert.equal(again.summary?.totals.copied, 0, 'a further run changes nothing');
  });

  it('with options.newFolders: review, a new source folder is listed and the run is not complete', async () => {
    env.writePlan('options: { newFolders: review }');
    const planned = await runCli(['plan', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(planned.code, 0, planned.stderr);
    await onServer(env, 'src', hr, async (c) => {
      await c.mailboxCreate('INBOX.Do decyzji');
      await c.append('INBOX.Do decyzji', RAW('Decyzja'));
    });
    const run = await runInProcess(env);
    assert.equal(run.code, 1, run.stdout);
    assert.match(
      run.stdout,
      /new source folder "INBOX\.Do decyzji" since the plan: not copied, options\.newFolders is review/,
    );
    assert.match(
      run.stdout,
      /NOT COMPLETE: source folder "INBOX\.Do decyzji": new on the source since the plan/,
    );
    assert.equal((await counts(env, 'dst', hr)).has('Do decyzji'), false);
  });
});
