/**
 * Logins in plan files: OAuth2 profiles with provider presets, servers named by provider, admin
 * logins, accounts that give no secret of their own; and the refusals, each naming the field and
 * what to write instead. A secret written in the plan is never accepted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import { loadPlan } from '../../../src/plan/load-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'mailshift-plan-logins-'));
function load(text: string) {
  const p = join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, text);
  return loadPlan(p);
}
function refusal(text: string): string {
  try {
    load(text);
  } catch (err) {
    assert.ok(err instanceof MailshiftError);
    assert.equal(err.code, 'PLAN_INVALID');
    return `${err.message}\n${err.hint ?? ''}`;
  }
  assert.fail('plan was accepted');
}

const M365 = `version: 1
name: contoso
oauth2:
  people: { provider: microsoft365, tenant: contoso.onmicrosoft.com, flow: deviceCode, clientId: 11111111-2222 }
  app: { provider: microsoft365, tenant: contoso.onmicrosoft.com, flow: clientCredentials, clientId: 11111111-2222, clientSecretEnv: M365_SECRET }
source: { host: imap.old.example, port: 993, security: tls, adminUser: root, adminPasswordEnv: ADMIN_PW, adminLogin: separator }
destination: { provider: microsoft365, oauth2: app }
accounts:
  - source: { user: a@contoso.example }
    destination: { user: a@contoso.example }
  - source: { user: b@contoso.example, passwordEnv: B_PW }
    destination: { user: b@contoso.example, oauth2: people }
`;

describe('plan logins', () => {
  it('settles each side: the server default, an own secret, or a profile the account names', () => {
    const plan = load(M365);
    assert.deepEqual(plan.destination.host, 'outlook.office365.com');
    assert.equal(plan.destination.port, 993);
    assert.equal(plan.destination.security, 'tls');
    assert.deepEqual(
      plan.accounts.map((a) => [a.login.source, a.login.destination]),
      [
        [{ method: 'admin' }, { method: 'oauth2', profile: 'app' }],
        [{ method: 'own' }, { method: 'oauth2', profile: 'people' }],
      ],
    );
    assert.deepEqual(plan.logins.admins.source, {
      user: 'root',
      password: { env: 'ADMIN_PW' },
      form: 'separator',
      separator: '*',
    });
    assert.deepEqual(plan.logins.profiles.app?.clientSecret, { env: 'M365_SECRET' });
  });

  it('refuses a secret written in the plan, naming where it should come from', () => {
    assert.match(
      refusal(M365.replace('clientSecretEnv: M365_SECRET', 'clientSecret: s3cr3t')),
      /oauth2\.app\.clientSecret: secrets are never written in the plan: use clientSecretEnv or clientSecretFile/,
    );
    assert.match(
      refusal(M365.replace('adminPasswordEnv: ADMIN_PW', 'adminPassword: pw')),
      /adminPassword: secrets are never written in the plan/,
    );
  });

  it('refuses what a provider does not offer, with what to use instead', () => {
    const google = `version: 1
name: g
oauth2:
  people: { provider: google, flow: deviceCode, clientId: x }
source: { provider: google, oauth2: people }
destination: { host: d.example, port: 993, security: tls }
accounts:
  - source: { user: a@g.example }
    destination: { user: a@g.example, passwordEnv: P }
`;
    assert.match(
      refusal(google),
      /oauth2\.people\.flow: Google's device flow does not allow the mail scope .* use flow: serviceAccount/,
    );
    assert.match(
      refusal(M365.replace(' tenant: contoso.onmicrosoft.com, flow: deviceCode', ' flow: deviceCode')),
      /oauth2\.people\.tenant: give the tenant ID or domain/,
    );
    assert.match(
      refusal(M365.replace(', clientSecretEnv: M365_SECRET', '')),
      /oauth2\.app\.clientSecretEnv: client credentials need the client secret/,
    );
    assert.match(
      refusal(
        M365.replace('people: { provider: microsoft365, tenant: contoso.onmicrosoft.com,', 'people: {'),
      ),
      /oauth2\.people\.issuer: a generic provider needs its issuer URL/,
    );
  });

  it('refuses an unknown profile, an admin without a password, and an account with no way to log in', () => {
    assert.match(
      refusal(M365.replace('oauth2: people }', 'oauth2: peopel }')),
      /accounts\[1\]\.destination\.oauth2 names OAuth2 profile "peopel".*\nprofiles in this plan: people, app/s,
    );
    assert.match(
      refusal(M365.replace(', adminPasswordEnv: ADMIN_PW', '')),
      /source\.adminUser: an admin needs exactly one of adminPasswordEnv, adminPasswordFile/,
    );
    assert.match(
      refusal(M365.replace(', adminUser: root, adminPasswordEnv: ADMIN_PW, adminLogin: separator', '')),
      /accounts\[0\]\.source \(a@contoso\.example\) has no way to log in\ngive it passwordEnv, passwordFile or oauth2, or give the source server an oauth2 profile or adminUser/,
    );
    assert.match(
      refusal(
        M365.replace(
          'destination: { provider: microsoft365, oauth2: app }',
          'destination: { provider: microsoft365, oauth2: app, adminUser: r, adminPasswordEnv: X }',
        ),
      ),
      /one default login, oauth2 or adminUser/,
    );
  });

  it('takes accounts from a CSV file that names a profile or nothing', () => {
    writeFileSync(
      join(dir, 'acc.csv'),
      'source_user,destination_user,destination_oauth2\nc@contoso.example,c@contoso.example,people\nd@contoso.example,d@contoso.example,\n',
    );
    const plan = load(`${M365}accountsFile: acc.csv\n`);
    assert.deepEqual(
      plan.accounts.slice(2).map((a) => a.login.destination),
      [
        { method: 'oauth2', profile: 'people' },
        { method: 'oauth2', profile: 'app' },
      ],
    );
  });
});
