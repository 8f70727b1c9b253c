/**
 * Plan files: the committed example and the minimal plan of the issue load; malformed plans are
 * refused naming the file, the field and what is expected.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPlan } from '../../../src/plan/load-plan.js';
import { MailshiftError } from '../../../src/core/errors.js';
import { connectionCaps, COPY_LANE } from '../../../src/core/connection-caps.js';

const dir = mkdtempSync(join(tmpdir(), 'mailshift-plan-'));
function planFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const MINIMAL = `version: 1
name: acme
source:      { host: imap.old-host.example, port: 993, security: tls }
destination: { host: imap.new-host.example, port: 143, security: starttls }
accounts:
  - source:      { user: kontakt@acme.example, passwordEnv: OLD_KONTAKT }
    destination: { user: kontakt@acme.example, passwordFile: secrets/kontakt.txt }
`;

function refusal(path: string): MailshiftError {
  try {
    loadPlan(path);
  } catch (err) {
    assert.ok(err instanceof MailshiftError);
    return err;
  }
  assert.fail('plan was accepted');
}

describe('loadPlan', () => {
  it('accepts the minimal plan with defaults filled in', () => {
    const plan = loadPlan(planFile('min.yaml', MINIMAL));
    assert.equal(plan.name, 'acme');
    assert.equal(plan.accounts[0]?.id, 'kontakt@acme.example');
    assert.equal(plan.source.tlsVerify, true);
    assert.equal(plan.limits.connectionsPerAccount, undefined, 'unset: as many lanes as the work needs');
    assert.equal(connectionCaps(plan, COPY_LANE).lanesPerAccount, 2, 'up to two');
    assert.match(plan.hash, /^[0-9a-f]{64}$/);
  });

  it('accepts the committed example plan', () => {
    const plan = loadPlan('migrations-plans/example.yaml');
    assert.equal(plan.accounts.length, 2);
    assert.equal(plan.addresses?.length, 4);
  });

  it('names the file and the field of a wrong value', () => {
    const err = refusal(planFile('bad-port.yaml', MINIMAL.replace('port: 993', 'port: "x"')));
    assert.match(err.message, /bad-port\.yaml/);
    assert.match(err.message, /source\.port/);
    assert.equal(err.code, 'PLAN_INVALID');
  });

  it('refuses an unknown field, a bad security value and broken YAML', () => {
    assert.match(refusal(planFile('u.yaml', `${MINIMAL}colour: red\n`)).message, /colour/);
    assert.match(
      refusal(planFile('s.yaml', MINIMAL.replace('security: tls', 'security: ssl'))).message,
      /source\.security/,
    );
    assert.match(refusal(planFile('y.yaml', 'version: 1\nname: [oops\n')).message, /not valid YAML/);
  });

  it('refuses another version with expected and got', () => {
    assert.match(
      refusal(planFile('v.yaml', MINIMAL.replace('version: 1', 'version: 7'))).message,
      /expected 1, got 7/,
    );
  });

  it('refuses version "1" (a string) saying so, not "expected 1, got 1"', () => {
    const err = refusal(planFile('v1s.yaml', MINIMAL.replace('version: 1', 'version: "1"')));
    assert.match(err.message, /version is the text "1", not the number 1/);
    assert.doesNotMatch(err.message, /expected 1, got 1/);
    assert.match(err.hint ?? '', /write version: 1 without quotes/);
    assert.match(
      refusal(planFile('v7s.yaml', MINIMAL.replace('version: 1', 'version: "7"'))).message,
      /expected 1, got "7"/,
    );
  });

  it('refuses a clear-text password unless allowed', () => {
    const clear = MINIMAL.replace('passwordEnv: OLD_KONTAKT', 'password: hunter2');
    const err = refusal(planFile('clear.yaml', clear));
    assert.match(err.message, /accounts\[0\]\.source\.password is written in clear/);
    assert.ok(!err.message.includes('hunter2'));
    const allowed = loadPlan(planFile('ok.yaml', `${clear}options: { allowPlaintextPasswords: true }\n`));
    assert.equal(allowed.accounts[0]?.source.password, 'hunter2');
  });

  it('requires one way to log in per side and unique accounts', () => {
    assert.match(
      refusal(
        planFile('two.yaml', MINIMAL.replace('passwordEnv: OLD_KONTAKT', 'passwordEnv: A, passwordFile: b')),
      ).message,
      /at most one of/,
    );
    assert.match(
      refusal(planFile('none.yaml', MINIMAL.replace(', passwordEnv: OLD_KONTAKT', ''))).message,
      /accounts\[0\]\.source \(kontakt@acme\.example\) has no way to log in/,
    );
    const dup = MINIMAL + MINIMAL.split('accounts:\n')[1];
    assert.match(refusal(planFile('dup.yaml', dup)).message, /listed twice/);
  });

  it('reads accounts from a CSV file', () => {
    writeFileSync(
      join(dir, 'acc.csv'),
      'source_user,source_password_env,destination_user,destination_password_file\nsprzedaz@acme.example,OLD_S,sprzedaz@acme.example,s.txt\n',
    );
    const plan = loadPlan(planFile('csv.yaml', `${MINIMAL}accountsFile: acc.csv\n`));
    assert.deepEqual(
      plan.accounts.map((a) => a.id),
      ['kontakt@acme.example', 'sprzedaz@acme.example'],
    );
    assert.equal(plan.accounts[1]?.destination.passwordFile, 's.txt');
  });
});
