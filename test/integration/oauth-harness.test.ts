/**
 * The OAuth test harness itself, end to end against real parts: oidc-provider on 127.0.0.1 issues
 * tokens by the device flow (a test playing the person over HTTP), client credentials, refresh and
 * a Google-style JWT assertion; Dovecot's oauth2 passdb checks them by introspection and accepts
 * AUTHENTICATE XOAUTH2 and OAUTHBEARER only with a live token for that mailbox carrying the IMAP
 * scope; Dovecot master users log in as other users by SASL PLAIN authorization identity and by
 * `user*admin`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { generateKeyPair, type CryptoKey } from 'jose';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import {
  clientCredentials,
  deviceLogin,
  jwtBearerToken,
  OAuthError,
  pollDeviceToken,
  refresh,
  revoke,
  signAssertion,
  startDeviceAuthorization,
  type TokenResponse,
} from '../harness/oauth-client.js';
import { approveDeviceCode } from '../harness/oauth-person.js';
import {
  IMAP_SCOPE,
  OTHER_SCOPE,
  startOAuthServer,
  type OAuthApp,
  type OAuthServer,
} from '../harness/oauth-server.js';

const ALICE = { user: 'alice@acme.example', password: 'alice-pass' };
const BOB = { user: 'bob@acme.example', password: 'bob-pass' };
const ADMIN = { user: 'admin', password: 'admin-pass' };
const HELPDESK = { user: 'helpdesk', password: 'helpdesk-pass', mailboxes: [BOB.user] };
const APP: OAuthApp = { clientId: 'migration-app', clientSecret: 'app-secret', mailboxes: [ALICE.user] };
const SERVICE_ACCOUNT = 'migrator@acme-project.iam.example';
/** Short enough to wait for one expiry in this file, long enough for a slow machine to use a token. */
const TTL = 5;

const OK = /^a OK /;
const REFUSED = /^a NO \[AUTHENTICATIONFAILED\]/;

/**
 * Sends one login command on a fresh connection and returns the tagged reply. A refused token is
 * first answered with a `+` challenge carrying the error, which the client must answer: an empty
 * line for XOAUTH2, %x01 for OAUTHBEARER (RFC 7628 section 3.2.3).
 */
async function login(server: DovecotServer, command: string): Promise<string> {
  const socket = net.connect(server.port, server.host);
  let buffer = '';
  let sent = false;
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('latin1');
        if (!sent && buffer.includes('\r\n')) {
          sent = true;
          socket.write(`a ${command}\r\n`);
        }
        const lines = buffer.split('\r\n');
        if (sent && lines.some((l) => l.startsWith('+ '))) {
          buffer = lines.filter((l) => !l.startsWith('+ ')).join('\r\n');
          socket.write(command.includes('OAUTHBEARER') ? 'AQ==\r\n' : '\r\n');
        }
        const tagged = lines.find((l) => l.startsWith('a '));
        if (tagged) resolve(tagged);
      });
    });
  } finally {
    socket.destroy();
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const xoauth2 = (user: string, token: string) =>
  `AUTHENTICATE XOAUTH2 ${b64(`user=${user}\x01auth=Bearer ${token}\x01\x01`)}`;
const oauthbearer = (server: DovecotServer, user: string, token: string) =>
  `AUTHENTICATE OAUTHBEARER ${b64(`n,a=${user},\x01host=${server.host}\x01port=${server.port}\x01auth=Bearer ${token}\x01\x01`)}`;
const plain = (authzid: string, authcid: string, password: string) =>
  `AUTHENTICATE PLAIN ${b64(`${authzid}\x00${authcid}\x00${password}`)}`;

/** Logs in with imapflow, appends a message carrying `marker`, and logs out. */
async function appendAs(server: DovecotServer, auth: ImapFlowOptions['auth'], marker: string): Promise<void> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    auth,
    logger: false,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.append('INBOX', Buffer.from(`Subject: ${marker}\r\n\r\n${marker}\r\n`));
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Whether a message carrying `marker` landed in `user`'s INBOX on disk. */
function inInbox(server: DovecotServer, user: string, marker: string): boolean {
  return ['new', 'cur'].some((sub) => {
    const dir = join(server.mailDir(user), sub);
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      return false;
    }
    return files.some((f) => readFileSync(join(dir, f), 'utf8').includes(marker));
  });
}

describe('OAuth harness', () => {
  let oauth: OAuthServer | undefined;
  let dovecot: DovecotServer | undefined;
  let serviceKey: CryptoKey;
  /** Issued first, checked last: the other tests run while it expires. */
  let early: TokenResponse;
  let earlyIssuedAt = 0;
  let earlyWorked = '';

  before(async () => {
    const keys = await generateKeyPair('RS256');
    serviceKey = keys.privateKey;
    oauth = await startOAuthServer({
      people: [ALICE, BOB],
      accessTokenTtl: TTL,
      apps: [APP],
      serviceAccounts: [
        {
          email: SERVICE_ACCOUNT,
          clientId: '108374652093',
          publicKey: keys.publicKey,
          delegatedScopes: [IMAP_SCOPE],
        },
      ],
    });
    dovecot = await startDovecot({
      flavor: 'destination',
      users: [ALICE, BOB],
      oauth2: oauth.dovecot,
      masterUsers: [ADMIN, HELPDESK],
      noAuthDelay: true,
    });
    earlyIssuedAt = Date.now();
    early = await clientCredentials(oauth, APP, IMAP_SCOPE);
    earlyWorked = await login(dovecot, xoauth2(ALICE.user, early.access_token));
  });

  after(async () => {
    await Promise.allSettled([dovecot?.stop(), oauth?.stop()]);
  });

  const parts = () => {
    assert.ok(oauth && dovecot, 'servers did not start');
    return { oauth, dovecot };
  };

  test('device flow: the person approves over HTTP, and the token opens that mailbox only', async () => {
    const { oauth, dovecot } = parts();
    const token = await deviceLogin(oauth, oauth.publicClient, ALICE, `${IMAP_SCOPE} offline_access`);
    assert.equal(token.expires_in, TTL);
    assert.equal(token.scope, IMAP_SCOPE);
    assert.ok(token.refresh_token, 'offline_access gave no refresh token');

    assert.match(await login(dovecot, xoauth2(ALICE.user, token.access_token)), OK);
    assert.match(await login(dovecot, oauthbearer(dovecot, ALICE.user, token.access_token)), OK);
    assert.match(await login(dovecot, xoauth2(BOB.user, token.access_token)), REFUSED);
    assert.match(await login(dovecot, xoauth2(ALICE.user, token.refresh_token)), REFUSED);

    // A real client (imapflow picks OAUTHBEARER) acts in Alice's mailbox.
    await appendAs(dovecot, { user: ALICE.user, accessToken: token.access_token }, 'device-flow-marker');
    assert.ok(inInbox(dovecot, ALICE.user, 'device-flow-marker'), 'message not in Alice INBOX');
  });

  test('device flow: a wrong password does not sign in, and a refusal gives no token', async () => {
    const { oauth } = parts();
    const first = await startDeviceAuthorization(oauth, oauth.publicClient, IMAP_SCOPE);
    await assert.rejects(
      approveDeviceCode({
        verificationUri: first.verification_uri,
        userCode: first.user_code,
        ...ALICE,
        password: 'x',
      }),
      /sign-in refused for alice@acme.example/,
    );

    const second = await startDeviceAuthorization(oauth, oauth.confidentialClient, IMAP_SCOPE);
    const approval = { verificationUri: second.verification_uri, userCode: second.user_code, ...BOB };
    await approveDeviceCode({ ...approval, decision: 'deny' });
    await assert.rejects(
      pollDeviceToken(oauth, oauth.confidentialClient, second.device_code),
      (e: unknown) => e instanceof OAuthError && e.error === 'access_denied',
    );
  });

  test('refresh: a new token works; a revoked refresh token is refused and its tokens stop', async () => {
    const { oauth, dovecot } = parts();
    const first = await deviceLogin(oauth, oauth.confidentialClient, BOB, `${IMAP_SCOPE} offline_access`);
    const renewed = await refresh(oauth, oauth.confidentialClient, first.refresh_token ?? '');
    assert.notEqual(renewed.access_token, first.access_token);
    assert.match(await login(dovecot, xoauth2(BOB.user, renewed.access_token)), OK);

    const refreshToken = renewed.refresh_token ?? first.refresh_token ?? '';
    await revoke(oauth, oauth.confidentialClient, refreshToken);
    await assert.rejects(
      refresh(oauth, oauth.confidentialClient, refreshToken),
      (e: unknown) => e instanceof OAuthError && e.error === 'invalid_grant',
    );
    // Revoking the refresh token ends its grant, and every access token issued under it.
    assert.match(await login(dovecot, xoauth2(BOB.user, renewed.access_token)), REFUSED);
  });

  test('client credentials: the app opens the mailboxes it was given; no IMAP scope, no mailbox', async () => {
    const { oauth, dovecot } = parts();
    const token = await clientCredentials(oauth, APP, IMAP_SCOPE);
    assert.match(await login(dovecot, xoauth2(ALICE.user, token.access_token)), OK);
    assert.match(await login(dovecot, xoauth2(BOB.user, token.access_token)), REFUSED);

    const calendarOnly = await clientCredentials(oauth, APP, OTHER_SCOPE);
    assert.equal(calendarOnly.scope, OTHER_SCOPE);
    assert.match(await login(dovecot, xoauth2(ALICE.user, calendarOnly.access_token)), REFUSED);

    await assert.rejects(
      clientCredentials(oauth, { ...APP, clientSecret: 'wrong' }, IMAP_SCOPE),
      (e: unknown) => e instanceof OAuthError && e.status === 401 && e.error === 'invalid_client',
    );
  });

  test('JWT assertion: a signed assertion opens its sub; a wrong key, audience or scope is refused', async () => {
    const { oauth, dovecot } = parts();
    const claims = { iss: SERVICE_ACCOUNT, sub: BOB.user, scope: IMAP_SCOPE };
    const token = await jwtBearerToken(oauth, await signAssertion(oauth, serviceKey, claims));
    assert.equal(token.expires_in, TTL);
    assert.match(await login(dovecot, xoauth2(BOB.user, token.access_token)), OK);
    assert.match(await login(dovecot, xoauth2(ALICE.user, token.access_token)), REFUSED);

    const refusal = async (assertion: Promise<string>, error: string, description: RegExp) =>
      assert.rejects(
        jwtBearerToken(oauth, await assertion),
        (e: unknown) => e instanceof OAuthError && e.error === error && description.test(e.description),
      );
    const otherKey = (await generateKeyPair('RS256')).privateKey;
    await refusal(signAssertion(oauth, otherKey, claims), 'invalid_grant', /Invalid JWT Signature/);
    const googleAud = { ...claims, aud: 'https://oauth2.googleapis.com/token' };
    await refusal(signAssertion(oauth, serviceKey, googleAud), 'invalid_grant', /aud/);
    const twoHours = { ...claims, lifetime: 7200 };
    await refusal(signAssertion(oauth, serviceKey, twoHours), 'invalid_grant', /short-lived/);
    const notDelegated = { ...claims, scope: `${IMAP_SCOPE} ${OTHER_SCOPE}` };
    await refusal(signAssertion(oauth, serviceKey, notDelegated), 'unauthorized_client', /not authorized/);
    const stranger = { ...claims, sub: 'carol@acme.example' };
    await refusal(signAssertion(oauth, serviceKey, stranger), 'invalid_grant', /Invalid email/);
  });

  test('admin logins: authorization identity and user*admin act as the user; others cannot', async () => {
    const { dovecot } = parts();
    assert.match(await login(dovecot, plain(ALICE.user, ADMIN.user, ADMIN.password)), OK);
    assert.match(await login(dovecot, `LOGIN ${ALICE.user}*${ADMIN.user} ${ADMIN.password}`), OK);
    // The session is Alice's: what the admin appends lands in her mailbox.
    const auth = { user: ADMIN.user, pass: ADMIN.password, authzid: ALICE.user, loginMethod: 'AUTH=PLAIN' };
    await appendAs(dovecot, auth, 'admin-authzid-marker');
    assert.ok(inInbox(dovecot, ALICE.user, 'admin-authzid-marker'), 'message not in Alice INBOX');

    // A restricted admin opens only its mailboxes; a user is no admin; an admin is no user.
    assert.match(await login(dovecot, `LOGIN ${BOB.user}*${HELPDESK.user} ${HELPDESK.password}`), OK);
    assert.match(await login(dovecot, `LOGIN ${ALICE.user}*${HELPDESK.user} ${HELPDESK.password}`), REFUSED);
    assert.match(await login(dovecot, plain(ALICE.user, BOB.user, BOB.password)), REFUSED);
    assert.match(await login(dovecot, plain(ALICE.user, ADMIN.user, 'wrong')), REFUSED);
    assert.match(await login(dovecot, `LOGIN ${ADMIN.user} ${ADMIN.password}`), REFUSED);
    assert.match(await login(dovecot, `LOGIN nobody@acme.example*${ADMIN.user} ${ADMIN.password}`), REFUSED);
  });

  test('an access token that opened a mailbox is refused once expired', async () => {
    const { dovecot } = parts();
    assert.match(earlyWorked, OK, 'the token did not work while fresh');
    // `exp` is in whole seconds (RFC 7519): one more second makes sure it has passed.
    const wait = earlyIssuedAt + (early.expires_in + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    assert.match(await login(dovecot, xoauth2(ALICE.user, early.access_token)), REFUSED);
  });
});
