/**
 * One large folder copied by several connection pairs at once, against real Dovecot: every flag,
 * keyword and internal date arrives, and a SIGKILL at any point of the split copy, then a resume,
 * leaves the destination identical to the source with no duplicate. The same when the folder is
 * also copied a slice at a time (as a folder of more than 20,000 messages is: folder-prepare.ts),
 * the slices cut where Dovecot says its 51st, 101st... messages are.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SampleAccount, SampleMessage } from '../harness/sample-company.js';
import {
  contentKey,
  destinationPassword,
  readMailbox,
  runInProcess,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';
import { runTestEntry } from '../harness/test-entry.js';

/** 240 messages in one INBOX, with flags, keywords, dates over years and an exact duplicate pair. */
function bigInbox(): SampleAccount {
  const flags = [
    [],
    ['\\Seen'],
    ['\\Seen', '\\Flagged'],
    ['\\Answered', '$Forwarded'],
    ['\\Seen', 'Faktura'],
  ];
  const messages: SampleMessage[] = Array.from({ length: 240 }, (_, i) => {
    const date = new Date(Date.UTC(2019 + (i % 6), i % 12, 1 + (i % 27), 8, i % 60));
    const n = i === 239 ? 238 : i; // the last is an exact copy of the one before
    const raw = Buffer.from(
      `From: Klient ${n} <k${n}@firma.example>\r\nTo: biuro@acme.example\r\nSubject: Zlecenie ${n}\r\n` +
        `Message-ID: <zlecenie-${n}@firma.example>\r\nDate: ${date.toUTCString()}\r\n\r\n` +
        `${'Tresc zlecenia. '.repeat(20 + (n % 50))}\r\n`,
    );
    return { raw, flags: flags[n % flags.length]!, internalDate: date };
  });
  return {
    user: 'biuro@acme.example',
    password: 'src-biuro-pass',
    folders: [{ name: 'INBOX', subscribed: true, messages }],
  } as SampleAccount;
}

describe('one large folder over several connection pairs', () => {
  let env: MigrationEnv;
  let account: SampleAccount;

  before(async () => {
    account = bigInbox();
    // Batches of 5: the folder has 48 batches to copy, enough to be split across the two pairs the
    // plan asks for (unset, a folder this small would get one).
    env = await startMigrationEnv({
      accounts: [account],
      planYaml: 'limits: { batchMessages: 5, connectionsPerAccount: 2 }',
    });
  });
  after(() => env.stop());

  const sourceInbox = async () => (await readMailbox(env.src, account.user, account.password)).get('INBOX')!;
  const destInbox = async () =>
    (await readMailbox(env.dst, account.user, destinationPassword(account))).get('INBOX') ?? [];
  const fresh = () => {
    rmSync(env.dst.mailDir(account.user), { recursive: true, force: true });
    rmSync(env.stateDir, { recursive: true, force: true });
  };

  it('splits the copy across the idle pair and keeps every flag, keyword and date', async () => {
    const run = await runInProcess(env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const start = run.events.find((e) => e.type === 'folder-start');
    assert.equal(start?.type === 'folder-start' && start.pipes, 2, 'two pairs copy the one folder');
    assert.deepEqual(contentKey(await destInbox()), contentKey(await sourceInbox()));
  });

  for (const step of [7, 40, 73]) {
    it(`killed after checkpoint step ${step} of the split copy, resumed: identical, no duplicate`, async () => {
      fresh();
      const args = ['run', env.planPath, '--state-dir', env.stateDir];
      const killed = await runTestEntry(args, { killAfterSteps: step });
      assert.equal(killed.signal, 'SIGKILL', `the run was killed: ${killed.stderr}`);
      const resumed = await runInProcess(env);
      assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
      const dest = await destInbox();
      assert.equal(dest.length, 240, 'every message once');
      assert.deepEqual(contentKey(dest), contentKey(await sourceInbox()));
      const again = await runInProcess(env);
      assert.equal(again.summary?.totals.copied, 0, 'a further run changes nothing');
    });
  }

  it('copies it a slice at a time, newest slice first, with the same result', async () => {
    fresh();
    const run = await runInProcess(env, { copySliceMessages: 50 });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const starts = run.events.flatMap((e) => (e.type === 'folder-start' ? [e] : []));
    assert.deepEqual(
      starts.map((e) => [e.toCopy, e.pipes]),
      [
        [40, 2],
        [50, 2],
        [50, 2],
        [50, 2],
        [50, 2],
      ],
      'five slices, the newest (the last 40 UIDs) first, each over both pairs',
    );
    assert.deepEqual(contentKey(await destInbox()), contentKey(await sourceInbox()));
  });

  for (const step of [9, 52]) {
    it(`killed after checkpoint step ${step} of a copy in slices, resumed in slices: identical, no duplicate`, async () => {
      fresh();
      const args = ['run', env.planPath, '--state-dir', env.stateDir];
      const killed = await runTestEntry(args, { killAfterSteps: step, copySlice: 50 });
      assert.equal(killed.signal, 'SIGKILL', `the run was killed: ${killed.stderr}`);
      const resumed = await runInProcess(env, { copySliceMessages: 50 });
      assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
      const dest = await destInbox();
      assert.equal(dest.length, 240, 'every message once');
      assert.deepEqual(contentKey(dest), contentKey(await sourceInbox()));
      const again = await runInProcess(env, { copySliceMessages: 50 });
      assert.equal(again.summary?.totals.copied, 0, 'a further run changes nothing');
    });
  }
});
