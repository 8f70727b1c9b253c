/**
 * `mailshift plan` against the two real servers: Polish special folders on a source without
 * SPECIAL-USE map to the destination's special-use folders, nested names translate, overrides
 * apply, the resolved plan is used by `run` and refused once stale, and an account that cannot
 * log in is listed as such while the others are planned.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { FolderDecision } from '../../src/core/folders.js';
import type { ResolvedPlan } from '../../src/plan/resolved-plan.js';
import {
  destinationPassword,
  readMailbox,
  runCli,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';

const resolvedPath = (env: MigrationEnv) => env.planPath.replace(/\.yaml$/, '.resolved.yaml');

function destinationOf(plan: Record<string, { folders: FolderDecision[] }>, account: string, source: string) {
  const d = plan[account]?.folders.find((f) => f.source === source);
  assert.ok(d, `${account}: no decision for ${source}`);
  return d.action === 'copy' ? d.destination : `skip:${d.reason}`;
}

describe('mailshift plan (real Dovecot)', () => {
  let env: MigrationEnv;
  const accounts = () =>
    env.accounts.filter((a) => a.user.startsWith('kontakt') || a.user.startsWith('ksiegowosc'));

  before(async () => {
    env = await startMigrationEnv();
    env.writePlan('', accounts());
  });
  after(async () => env?.stop());

  it('maps Polish-named special folders to the special-use folders and nested names by level', async () => {
    const res = await runCli(['plan', env.planPath, '--json']);
    assert.equal(res.code, 0, res.stderr);
    const plan = JSON.parse(res.stdout) as Record<string, { folders: FolderDecision[] }>;
    const k = 'kontakt@acme.example';
    assert.equal(destinationOf(plan, k, 'INBOX'), 'INBOX');
    assert.equal(destinationOf(plan, k, 'INBOX.Wysłane'), 'Sent');
    assert.equal(destinationOf(plan, k, 'INBOX.Kosz'), 'Trash');
    assert.equal(destinationOf(plan, k, 'INBOX.Robocze'), 'Drafts');
    assert.equal(destinationOf(plan, k, 'INBOX.Spam'), 'Junk');
    assert.equal(destinationOf(plan, k, 'INBOX.Klienci.Ważne'), 'Klienci/Ważne');
    assert.equal(destinationOf(plan, k, 'INBOX.R&D'), 'R&D');
    assert.equal(
      destinationOf(plan, 'ksiegowosc@acme.example', 'INBOX.Faktury.2023.Korekty'),
      'Faktury/2023/Korekty',
    );
    const resolved = parse(readFileSync(resolvedPath(env), 'utf8')) as ResolvedPlan;
    assert.equal(resolved.version, 1);
    assert.match(resolved.planHash, /^[0-9a-f]{64}$/);
  });

  it('applies overrides, and run fills the mapped folders', async () => {
    env.writePlan(`folders:\n  exclude: ["Newslettery"]\n  map: { "[Archiwum]": "Archive" }\n`, accounts());
    const planned = await runCli(['plan', env.planPath]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /INBOX\.\[Archiwum\]\s+Archive\s+override-map/);
    assert.match(planned.stdout, /INBOX\.Newslettery\s+\(not copied\)\s+excluded/);
    const run = await runCli(['run', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const kontakt = env.accounts.find((a) => a.user === 'kontakt@acme.example')!;
    const dst = await readMailbox(env.dst, kontakt.user, destinationPassword(kontakt));
    const folder = (name: string) => kontakt.folders.find((f) => f.name === name)!.messages.length;
    assert.equal(dst.get('Sent')?.length, folder('Wysłane'));
    assert.equal(dst.get('Trash')?.length, folder('Kosz'));
    assert.equal(dst.get('Drafts')?.length, folder('Robocze'));
    assert.equal(dst.get('Junk')?.length, folder('Spam'));
    assert.equal(dst.get('Archive')?.length, folder('[Archiwum]'));
    assert.equal(dst.has('Newslettery'), false, 'an excluded folder is not created');
    assert.equal(dst.has('Wysłane'), false, 'no new "Wysłane" beside the real Sent');
  });

  it('refuses a stale resolved plan with a message that says to rerun plan', async () => {
    appendFileSync(env.planPath, '# edited after planning\n');
    const run = await runCli(['run', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /earlier version/);
    assert.match(run.stderr, /mailshift plan/);
  });

  it('lists an account that cannot log in and still plans the others', async () => {
    env.writePlan('', accounts());
    const secret = `${env.dir}/secrets/dst-ksiegowosc@acme.example.txt`;
    writeFileSync(secret, 'wrong-password\n');
    const res = await runCli(['plan', env.planPath]);
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stdout,
      /ksiegowosc@acme\.example\n\s+NOT PLANNED: login refused by destination 127\.0\.0\.1/,
    );
    assert.match(res.stdout, /INBOX\.Wysłane\s+Sent/);
    assert.ok(existsSync(resolvedPath(env)));
    assert.ok(!res.stdout.includes('wrong-password'), 'the password never appears');
  });
});
