/**
 * The credentials layer's pure parts: when a token is renewed, what the token file accepts and
 * how it is written, what each token endpoint refusal becomes (with openid-client's own error
 * type), how a service account key is read and its assertion signed, and how a secret becomes
 * imapflow's login options.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair } from 'jose';
import { ResponseBodyError } from 'openid-client';
import { grantError } from '../../../src/auth/oauth2-errors.js';
import { isLoopbackHttp } from '../../../src/auth/oauth2-client.js';
import { imapScopeOf, scopesOf } from '../../../src/auth/logins.js';
import { adminAdvice, oauthAdvice } from '../../../src/auth/refusal-advice.js';
import { loadServiceAccount, signAssertion } from '../../../src/auth/service-account.js';
import { needsRefresh } from '../../../src/auth/token-cache.js';
import { TokenStore, tokenKey } from '../../../src/auth/token-store.js';
import { MailshiftError, StoreError } from '../../../src/core/errors.js';
import type { OAuth2Profile } from '../../../src/core/logins.js';
import { imapflowAuth } from '../../../src/imap/connect.js';

const dir = mkdtempSync(join(tmpdir(), 'mailshift-auth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const m365: OAuth2Profile = {
  name: 'm365',
  provider: 'microsoft365',
  flow: 'deviceCode',
  tenant: 'contoso.onmicrosoft.com',
  clientId: 'c',
};
const app: OAuth2Profile = {
  ...m365,
  name: 'app',
  flow: 'clientCredentials',
  clientSecret: { env: 'APP_SECRET' },
};

/** A token endpoint's error answer as openid-client reports it. */
function answer(status: number, body: { error: string; error_description?: string }): ResponseBodyError {
  return new ResponseBodyError('server responded with an error in the response body', {
    cause: body,
    response: new Response(JSON.stringify(body), { status }),
  });
}

describe('token renewal', () => {
  const at = 1_000_000;
  it('renews a one-hour token five minutes ahead, a 20-second one four seconds ahead', () => {
    const hour = { accessToken: 't', obtainedAt: at, expiresAt: at + 3600_000 };
    assert.equal(needsRefresh(hour, at + 3600_000 - 301_000), false);
    assert.equal(needsRefresh(hour, at + 3600_000 - 299_000), true);
    const short = { accessToken: 't', obtainedAt: at, expiresAt: at + 20_000 };
    assert.equal(needsRefresh(short, at + 15_000), false);
    assert.equal(needsRefresh(short, at + 16_500), true);
    assert.equal(
      needsRefresh({ accessToken: 't', obtainedAt: at }, at + 1e9),
      false,
      'no expiry: kept until refused',
    );
  });
});

describe('token file', () => {
  it('is written whole, owner-only, one entry replaced at a time, and refused when damaged', () => {
    const path = join(dir, 'tokens.json');
    const store = new TokenStore(path);
    assert.equal(store.get(tokenKey('m365', 'A@x.example')), undefined);
    store.update(tokenKey('m365', 'A@x.example'), { method: 'deviceCode', refreshToken: 'r1' });
    // Another process signs someone else in meanwhile: both entries survive.
    const other = new TokenStore(path);
    other.update(tokenKey('m365', 'b@x.example'), { method: 'deviceCode', refreshToken: 'r2' });
    store.update(tokenKey('m365', 'a@x.example'), {
      method: 'deviceCode',
      accessExpiresAt: '2030-01-01T00:00:00.000Z',
    });
    assert.deepEqual(Object.keys(store.all()).sort(), ['m365/a@x.example', 'm365/b@x.example']);
    assert.equal(store.get('m365/a@x.example')?.refreshToken, 'r1');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    chmodSync(path, 0o644);
    store.get('m365/a@x.example');
    assert.equal(statSync(path).mode & 0o777, 0o600, 'a loosened mode is tightened on read');

    writeFileSync(path, JSON.stringify({ version: 2, tokens: {} }));
    assert.throws(
      () => store.get('x'),
      (e: MailshiftError) => e.code === 'AUTH_TOKENS_UNREADABLE' && /expected 1, got 2/.test(e.message),
    );
    writeFileSync(path, '{"version":1,"tok');
    assert.throws(() => store.get('x'), /not valid JSON/);
  });
});

describe('token endpoint refusals', () => {
  const c = { profile: app, grant: 'client credentials' as const };
  it('names the wrong client secret and where it is set', () => {
    const e = grantError(
      answer(401, { error: 'invalid_client', error_description: 'client authentication failed' }),
      c,
    );
    assert.equal(e.code, 'AUTH_OAUTH_CLIENT');
    assert.equal(e.scope, 'account');
    assert.match(e.hint ?? '', /client secret in oauth2\.app\.clientSecretEnv is wrong or expired/);
  });
  it('a refused refresh says which command signs in again', () => {
    const e = grantError(answer(400, { error: 'invalid_grant' }), {
      profile: m365,
      user: 'a@x.example',
      grant: 'refresh',
      signInCommand: 'mailshift login p.yaml --account a@x.example --side source',
    });
    assert.equal(e.code, 'AUTH_OAUTH_SIGNIN');
    assert.match(e.hint ?? '', /mailshift login p\.yaml --account a@x\.example --side source/);
  });
  it("Microsoft's authorization_declined and RFC 8628's access_denied both mean the person refused", () => {
    for (const error of ['authorization_declined', 'access_denied']) {
      const e = grantError(answer(400, { error }), {
        profile: m365,
        user: 'a@x.example',
        grant: 'device code',
      });
      assert.equal(e.code, 'AUTH_OAUTH_DECLINED', error);
      assert.match(e.message, /refused on the provider's page/);
    }
    const expired = grantError(answer(400, { error: 'expired_token' }), {
      profile: m365,
      grant: 'device code',
    });
    assert.equal(expired.code, 'AUTH_OAUTH_EXPIRED');
  });
  it('a delegation Google did not grant points at the Admin console', () => {
    const sa: OAuth2Profile = {
      name: 'g',
      provider: 'google',
      flow: 'serviceAccount',
      serviceAccountKey: { file: 'k.json' },
    };
    const e = grantError(answer(401, { error: 'unauthorized_client' }), {
      profile: sa,
      user: 'a@x.example',
      grant: 'JWT assertion',
    });
    assert.equal(e.code, 'AUTH_OAUTH_DELEGATION');
    assert.match(e.hint ?? '', /Manage Domain Wide Delegation/);
  });
  it('an unreachable or failing server is a connection failure, retried like one', () => {
    const down = grantError(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      c,
    );
    assert.ok(down instanceof StoreError && down.kind === 'connection', down.message);
    assert.match(down.message, /cannot be reached .*ECONNREFUSED/);
    const failing = grantError(answer(503, { error: 'temporarily_unavailable' }), c);
    assert.ok(failing instanceof StoreError && failing.kind === 'connection');
  });
});

describe('presets and advice', () => {
  it('gives each provider its scopes, and the IMAP scope to check', () => {
    assert.deepEqual(scopesOf(m365), ['https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access']);
    assert.deepEqual(scopesOf(app), ['https://outlook.office365.com/.default']);
    assert.equal(imapScopeOf(app), undefined, 'an app-only answer lists no delegated scope');
    assert.equal(
      imapScopeOf({ name: 'g', provider: 'google', flow: 'serviceAccount' }),
      'https://mail.google.com/',
    );
    assert.deepEqual(scopesOf({ ...m365, scopes: ['x'] }), ['x']);
  });
  it('says what a refused login means for each way of logging in', () => {
    assert.match(
      oauthAdvice(app, 'a@x.example', 'cmd').hint,
      /Add-MailboxPermission -Identity "a@x\.example"/,
    );
    assert.match(
      oauthAdvice(m365, 'a@x.example', 'mailshift login p').hint,
      /sign in again as a@x\.example .*mailshift login p/,
    );
    const admin = adminAdvice(
      { user: 'root', password: { env: 'P' }, form: 'separator', separator: '*' },
      'a@x',
      'destination',
    );
    assert.equal(admin.code, 'AUTH_ADMIN_RIGHTS');
    assert.match(admin.what, /"a@x\*root"/);
    assert.match(admin.hint, /adminPasswordEnv of the destination server/);
  });
  it('accepts plain http only on the loopback interface', () => {
    assert.equal(isLoopbackHttp(new URL('http://127.0.0.1:8080/')), true);
    assert.equal(isLoopbackHttp(new URL('http://[::1]/')), true);
    assert.equal(isLoopbackHttp(new URL('http://localhost/')), true);
    assert.equal(isLoopbackHttp(new URL('http://10.0.0.1/')), false);
    assert.equal(isLoopbackHttp(new URL('http://127.example/')), false);
  });
});

describe('service account', () => {
  it('signs the assertion Google documents, and never repeats a broken key', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const key = JSON.stringify({ client_email: 'sa@p.iam.example', private_key: pem, private_key_id: 'k1' });
    const sa = await loadServiceAccount(key, 'file k.json');
    assert.equal(sa.tokenUri, 'https://oauth2.googleapis.com/token');
    const jwt = await signAssertion(sa, 'a@x.example', ['https://mail.google.com/'], 1_700_000_000_000);
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'RS256', typ: 'JWT', kid: 'k1' });
    assert.deepEqual(decodeJwt(jwt), {
      scope: 'https://mail.google.com/',
      iss: 'sa@p.iam.example',
      sub: 'a@x.example',
      aud: 'https://oauth2.googleapis.com/token',
      iat: 1_700_000_000,
      exp: 1_700_003_600,
    });
    const broken = key.replace(
      '"private_key":"-----BEGIN PRIVATE KEY-----',
      '"private_key":"-----BEGIN PRIVATE KEY-----xx',
    );
    await assert.rejects(loadServiceAccount(broken, 'file k.json'), (e: MailshiftError) => {
      assert.equal(e.code, 'PLAN_SECRET');
      assert.ok(!e.message.includes(pem.split('\n')[1] ?? '-'), 'the key is in the message');
      return true;
    });
    await assert.rejects(loadServiceAccount(`${key.slice(0, 40)}`, 'file k.json'), /is not valid JSON$/);
  });
});

describe('imapflow login options', () => {
  it('logs an admin in with an authorization identity, or as user*admin', () => {
    const admin = { kind: 'admin' as const, admin: 'root', value: 'pw', separator: '*' };
    assert.deepEqual(imapflowAuth('a@x', { ...admin, form: 'authzid' }), {
      user: 'root',
      pass: 'pw',
      authzid: 'a@x',
      loginMethod: 'AUTH=PLAIN',
    });
    assert.deepEqual(imapflowAuth('a@x', { ...admin, form: 'separator' }), { user: 'a@x*root', pass: 'pw' });
    assert.deepEqual(imapflowAuth('a@x', { kind: 'token', value: 't' }), { user: 'a@x', accessToken: 't' });
  });
});

describe('the file itself', () => {
  it('is JSON a person can read, with a version', () => {
    const path = join(dir, 'plain.json');
    new TokenStore(path).update('p', { method: 'clientCredentials', obtainedAt: '2030-01-01T00:00:00.000Z' });
    assert.match(readFileSync(path, 'utf8'), /^\{\n {2}"version": 1,/);
  });
});
