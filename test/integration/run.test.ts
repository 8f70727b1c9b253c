/**
 * `mailshift run` against two real Dovecot servers: the sample company arrives complete and
 * byte-identical with flags and dates, the source is untouched, a second run copies nothing, and
 * a delta run copies only what is new and brings flag changes over.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CheckpointStore } from '../../src/state/checkpoint-store.js';
import {
  connectPlain,
  contentKey,
  destinationPassword,
  readMailbox,
  runCli,
  runInProcess,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';

/** Every file under the source's maildirs with its content hash (and name: flags live in names). */
function sourceFiles(env: MigrationEnv): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\/(cur|new)\//.test(p))
        out.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  for (const a of env.accounts) {
    const dir = env.src.mailDir(a.user);
    if (statSync(dir, { throwIfNoEntry: false })) walk(dir);
  }
  return out;
}

/** Source folder -> destination folder, as the run recorded it. */
function folderPairs(env: MigrationEnv, account: string): Map<string, string> {
  const store = CheckpointStore.open(join(env.stateDir, 'state.sqlite'));
  try {
    return new Map(store.folders(account).map((f) => [f.source_path, f.dest_path]));
  } finally {
    store.close();
  }
}

async function assertComplete(env: MigrationEnv): Promise<void> {
  for (const a of env.accounts) {
    const src = await readMailbox(env.src, a.user, a.password);
    const dst = await readMailbox(env.dst, a.user, destinationPassword(a));
    const pairs = folderPairs(env, a.user);
    for (const [folder, messages] of src) {
      const target = pairs.get(folder);
      assert.ok(target, `${a.user}: folder ${folder} was not synced`);
      assert.deepEqual(
        contentKey(dst.get(target) ?? []),
        contentKey(messages),
        `${a.user}: ${folder} -> ${target}`,
      );
    }
  }
}

describe('mailshift run (sample company, real Dovecot)', () => {
  let env: MigrationEnv;
  let filesBefore: Map<string, string>;

  before(async () => {
    env = await startMigrationEnv();
    filesBefore = sourceFiles(env);
  });
  after(async () => env?.stop());

  it('copies every folder byte-identical with flags and dates, leaving the source untouched', async () => {
    const res = await runCli(['run', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    assert.match(res.stdout, /Complete: \d+ copied/);
    await assertComplete(env);
    // Read-only selects and BODY.PEEK: no file of the source changed, not even its flags in the name.
    assert.deepEqual(sourceFiles(env), filesBefore);
  });

  it('maps the Polish special folders to the destination special-use folders', async () => {
    const pairs = folderPairs(env, 'kontakt@acme.example');
    assert.equal(pairs.get('INBOX'), 'INBOX');
    assert.equal(pairs.get('INBOX.Wysłane'), 'Sent');
    assert.equal(pairs.get('INBOX.Kosz'), 'Trash');
    assert.equal(pairs.get('INBOX.Klienci.Ważne'), 'Klienci/Ważne');
    assert.equal(pairs.get('INBOX.R&D'), 'R&D');
    assert.equal(folderPairs(env, 'ksiegowosc@acme.example').get('INBOX.Faktury.2024'), 'Faktury/2024');
  });

  it('copies nothing on a second run and recognises unchanged folders from STATUS', async () => {
    const res = await runInProcess(env);
    assert.ifError(res.error);
    assert.equal(res.summary?.totals.copied, 0);
    assert.equal(res.summary?.totals.present, 0);
    const starts = res.events.filter((e) => e.type === 'folder-start');
    assert.equal(starts.length, 0, 'no folder should be listed message by message');
    await assertComplete(env);
  });

  it('copies only new mail and brings flag changes over on a delta run', async () => {
    const a = env.accounts[0]!;
    const client = await connectPlain(env.src, a.user, a.password);
    try {
      for (let i = 0; i < 3; i++) {
        const raw = Buffer.from(
          `From: nowy@klient.example\r\nTo: ${a.user}\r\nSubject: Nowe zamowienie ${i}\r\nMessage-ID: <delta-${i}@klient.example>\r\n\r\nTresc ${i}\r\n`,
        );
        await client.append('INBOX', raw, ['$label1'], new Date(Date.UTC(2025, 10, 20 + i)));
      }
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd('1:2', ['\\Flagged', '$Forwarded']);
    } finally {
      await client.logout();
    }
    const res = await runInProcess(env);
    assert.ifError(res.error);
    assert.equal(res.summary?.totals.copied, 3);
    assert.ok((res.summary?.totals.flagsUpdated ?? 0) >= 1, 'flag changes were brought over');
    await assertComplete(env);
  });
});
