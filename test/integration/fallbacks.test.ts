/**
 * The write path's fallbacks, through the whole engine: a destination without MULTIAPPEND gets
 * pipelined APPENDs, one without LITERAL+ either gets one APPEND at a time, and both receive the
 * sample company complete. A destination that refuses one message of a batch gets the others,
 * and that one is named with the server's reason.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  contentKey,
  destinationPassword,
  readMailbox,
  runCli,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';

const DOVECOT_CAPS =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS ' +
  'THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED ' +
  'I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE ' +
  'SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';
const without = (...caps: string[]) =>
  DOVECOT_CAPS.split(' ')
    .filter((c) => !caps.includes(c))
    .join(' ');

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
  after(async () => Promise.all(envs.map((e) => e.stop())));

  for (const [name, caps] of [
    ['pipelined APPENDs without MULTIAPPEND', without('MULTIAPPEND')],
    ['one APPEND at a time without MULTIAPPEND and LITERAL+', without('MULTIAPPEND', 'LITERAL+')],
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
