/**
 * Logins without a password per account, end to end against real parts: oidc-provider issues
 * tokens (device flow approved by a test playing the person over HTTP, client credentials for an
 * app limited to some mailboxes, refresh, revocation) and a Google-style JWT-bearer endpoint
 * checks service account assertions; both Dovecots accept those tokens through their oauth2
 * passdb, and admin logins through master users. mailshift signs in with `mailshift login`,
 * copies, verifies, keeps 20-second tokens fresh during a run, and stops only the accounts whose
 * credentials are wrong, each with what to fix. No secret reaches an output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportPKCS8, generateKeyPair } from 'jose';
import { openLogins, type AccountSide } from '../../src/auth/logins.js';
import { endpoints } from '../../src/cli/endpoints.js';
import { connectSource } from '../../src/imap/imapflow-stores.js';
import { loadPlan } from '../../src/plan/load-plan.js';
import { createFileLogger, silentLogger } from '../../src/shared/logger.js';
import { CheckpointStore } from '../../src/state/checkpoint-store.js';
import { startDovecot, type DovecotServer, type MasterUser } from '../harness/dovecot.js';
import {
  CLI,
  contentKey,
  readMailbox,
  runCli,
  runPlanInProcess,
  type CliResult,
} from '../harness/migration-env.js';
import { revoke } from '../harness/oauth-client.js';
import { approveDeviceCode } from '../harness/oauth-person.js';
import {
  IMAP_SCOPE,
  OTHER_SCOPE,
  startOAuthServer,
  type OAuthApp,
  type OAuthServer,
} from '../harness/oauth-server.js';
import { sampleCompany, seedSource, type SampleAccount } from '../harness/sample-company.js';

const TTL = 20;
const company = sampleCompany();
const [KONTAKT, SPRZEDAZ, KSIEGOWOSC, REKRUTACJA] = company as [
  SampleAccount,
  SampleAccount,
  SampleAccount,
  SampleAccount,
];
/** A fifth mailbox for the failure test: the one whose credentials are all right. */
const BIURO: SampleAccount = {
  user: 'biuro@acme.example',
  password: 'src-biuro-pass',
  folders: REKRUTACJA.folders,
};
const SOURCES = [...company, BIURO];

/** Destination mailboxes, one set per test so that no test sees another's copies. */
const dst = (prefix: string, a: SampleAccount) => ({
  user: `${prefix}-${a.user}`,
  password: `dst-${prefix}-${a.user.split('@')[0]}-pass`,
});
const DEST_SETS: [string, SampleAccount[]][] = [
  ['dev', [REKRUTACJA]],
  ['app', [KSIEGOWOSC]],
  ['adm', [SPRZEDAZ]],
  ['tok', company],
  ['bad', SOURCES],
];
const DESTINATIONS = DEST_SETS.flatMap(([p, list]) => list.map((a) => dst(p, a)));

const APP_SECRET = 'app-secret-5b1f0e9d7c';
const WRONG_SECRET = 'wrong-secret-0a9c77e1';
const ADMIN: MasterUser = { user: 'migrator', password: 'admin-pass-8d2e41' };
/** An admin allowed every destination mailbox of the failure test but bad-rekrutacja's. */
const HELPDESK: MasterUser = {
  user: 'helpdesk',
  password: 'helpdesk-pass-37c1f2',
  mailboxes: [...DESTINATIONS.map((d) => d.user).filter((u) => u !== dst('bad', REKRUTACJA).user)],
};
const APP: OAuthApp = {
  clientId: 'migration-app',
  clientSecret: APP_SECRET,
  mailboxes: [...SOURCES.map((a) => a.user), ...DESTINATIONS.map((d) => d.user)],
};
const SERVICE_ACCOUNT = 'migrator@acme-project.iam.example';

let oauth: OAuthServer | undefined;
let src: DovecotServer | undefined;
let dstServer: DovecotServer | undefined;
let keyPem = '';
let work = '';
/** Every secret of this file: none may appear in an output. Refresh tokens are added as they appear. */
const secrets = new Set([APP_SECRET, WRONG_SECRET, ADMIN.password, HELPDESK.password]);

function servers() {
  assert.ok(oauth && src && dstServer, 'servers did not start');
  return { oauth, src, dst: dstServer };
}

interface Side {
  user: string;
  /** Extra YAML fields of the side (`oauth2: name`), none for the server's default. */
  fields?: string;
}

/** A plan file in its own folder, with the profiles every test may use. */
function writePlan(
  name: string,
  accounts: { source: Side; destination: Side }[],
  opts: { source?: string; destination?: string; extra?: string } = {},
): { planPath: string; stateDir: string; dir: string } {
  const { oauth, src, dst } = servers();
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app-secret.txt'), `${APP_SECRET}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'admin.txt'), `${ADMIN.password}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'helpdesk.txt'), `${HELPDESK.password}\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'service-account.json'),
    JSON.stringify({
      type: 'service_account',
      client_email: SERVICE_ACCOUNT,
      client_id: '108374652093',
      private_key_id: 'k1',
      private_key: keyPem,
      token_uri: oauth.jwtBearerTokenUrl,
    }),
    { mode: 0o600 },
  );
  const side = (s: Side) => `{ user: "${s.user}"${s.fields ? `, ${s.fields}` : ''} }`;
  const yaml = `version: 1
name: ${name}
oauth2:
  people: { issuer: "${oauth.url}", flow: deviceCode, clientId: ${oauth.publicClient.clientId}, scope: "${IMAP_SCOPE} offline_access", imapScope: ${IMAP_SCOPE} }
  app: { issuer: "${oauth.url}", flow: clientCredentials, clientId: ${APP.clientId}, clientSecretFile: app-secret.txt, scope: ${IMAP_SCOPE}, imapScope: ${IMAP_SCOPE} }
  wrong-secret: { issuer: "${oauth.url}", flow: clientCredentials, clientId: ${APP.clientId}, clientSecretEnv: OAUTH_TEST_WRONG_SECRET, scope: ${IMAP_SCOPE} }
  calendar-only: { issuer: "${oauth.url}", flow: clientCredentials, clientId: ${APP.clientId}, clientSecretFile: app-secret.txt, scope: ${OTHER_SCOPE}, imapScope: ${IMAP_SCOPE} }
  workspace: { flow: serviceAccount, serviceAccountKeyFile: service-account.json, scope: ${IMAP_SCOPE} }
source: { host: 127.0.0.1, port: ${src.tlsPort}, security: tls, tlsVerify: false, maxConnections: 20${opts.source ? `, ${opts.source}` : ''} }
destination: { host: 127.0.0.1, port: ${dst.port}, security: starttls, tlsVerify: false, maxConnections: 40${opts.destination ? `, ${opts.destination}` : ''} }
accounts:
${accounts.map((a) => `  - source: ${side(a.source)}\n    destination: ${side(a.destination)}`).join('\n')}
${opts.extra ?? ''}
`;
  const planPath = join(dir, 'plan.yaml');
  writeFileSync(planPath, yaml);
  return { planPath, stateDir: join(dir, 'state'), dir };
}

/** Signs accounts in as their people would: mailshift shows the code, the test approves it. */
async function signIn(
  planPath: string,
  stateDir: string,
  side: 'source' | 'destination',
  people: SampleAccount[],
) {
  const plan = loadPlan(planPath);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const logins = openLogins(plan.logins, stateDir, silentLogger());
  // At once: each sign-in waits at least the poll interval the server asks for (5 s).
  await Promise.all(
    people.map(async (person) => {
      const account = plan.accounts.find((a) => a[side].user === person.user);
      assert.ok(account, `${person.user} is not in the plan`);
      const a: AccountSide = { side, account: account.id, user: person.user, login: account.login[side] };
      let approval: Promise<void> | undefined;
      await logins.signIn(a, (p) => {
        approval = approveDeviceCode({ verificationUri: p.verificationUri, userCode: p.userCode, ...person });
      });
      await approval;
    }),
  );
  for (const e of Object.values(logins.store.all())) if (e.refreshToken) secrets.add(e.refreshToken);
  return logins;
}

/** Source folder -> destination folder, as a run recorded it. */
function folderPairs(stateDir: string, account: string): Map<string, string> {
  const store = CheckpointStore.open(join(stateDir, 'state.sqlite'));
  try {
    return new Map(store.folders(account).map((f) => [f.source_path, f.dest_path]));
  } finally {
    store.close();
  }
}

/** Every source folder arrived with the same messages, flags and dates, none twice. */
async function assertCopied(stateDir: string, pairs: [SampleAccount, { user: string; password: string }][]) {
  const { src, dst } = servers();
  for (const [from, to] of pairs) {
    const source = await readMailbox(src, from.user, from.password);
    const destination = await readMailbox(dst, to.user, to.password);
    const map = folderPairs(stateDir, from.user);
    for (const [folder, messages] of source) {
      const target = map.get(folder);
      assert.ok(target, `${from.user}: folder ${folder} was not copied`);
      assert.deepEqual(
        contentKey(destination.get(target) ?? []),
        contentKey(messages),
        `${from.user} ${folder}`,
      );
    }
  }
}

/** Every file under a folder (reports, state, logs), as text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: p, text: readFileSync(p).toString('latin1') });
    }
  };
  walk(dir);
  return out;
}

/** No secret of this file in any output or any file of the state (but the token file itself). */
function assertNoSecrets(outputs: { name: string; text: string }[], stateDir: string) {
  const files = filesUnder(stateDir)
    .filter((f) => !f.path.endsWith('tokens.json'))
    .map((f) => ({ name: f.path, text: f.text }));
  const keyLine = keyPem.split('\n')[1] ?? '';
  for (const { name, text } of [...outputs, ...files]) {
    for (const s of [...secrets, keyLine]) assert.ok(!text.includes(s), `a secret appears in ${name}`);
  }
  const tokens = filesUnder(stateDir).find((f) => f.path.endsWith('tokens.json'));
  if (tokens) {
    assert.equal(statSync(tokens.path).mode & 0o777, 0o600, 'token file is not owner-only');
    for (const s of [APP_SECRET, WRONG_SECRET, ADMIN.password, HELPDESK.password, keyLine])
      assert.ok(!tokens.text.includes(s), 'a client secret, admin password or key is in the token file');
  }
}

const cliOutputs = (name: string, r: CliResult) => [
  { name: `${name} stdout`, text: r.stdout },
  { name: `${name} stderr`, text: r.stderr },
];

describe('OAuth2 and admin logins', { timeout: 300_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mailshift-oauth-'));
    const keys = await generateKeyPair('RS256', { extractable: true });
    keyPem = await exportPKCS8(keys.privateKey);
    oauth = await startOAuthServer({
      people: [...SOURCES.map((a) => ({ user: a.user, password: a.password })), ...DESTINATIONS],
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
    src = await startDovecot({
      flavor: 'source',
      users: SOURCES.map((a) => ({ user: a.user, password: a.password })),
      oauth2: oauth.dovecot,
      masterUsers: [ADMIN],
      noAuthDelay: true,
    });
    dstServer = await startDovecot({
      flavor: 'destination',
      users: DESTINATIONS,
      oauth2: oauth.dovecot,
      masterUsers: [ADMIN, HELPDESK],
      noAuthDelay: true,
    });
    await seedSource(src, SOURCES);
  });

  after(async () => {
    await Promise.allSettled([src?.stop(), dstServer?.stop(), oauth?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('device code: `mailshift login` shows the code, the person approves, then run and verify complete', async () => {
    const to = dst('dev', REKRUTACJA);
    const { planPath, stateDir } = writePlan('device', [
      {
        source: { user: REKRUTACJA.user, fields: 'oauth2: people' },
        destination: { user: to.user, fields: 'oauth2: app' },
      },
    ]);
    const base = ['--state-dir', stateDir];
    const before = await runCli(['login', planPath, '--status', ...base]);
    assert.equal(before.code, 1, before.stdout + before.stderr);
    assert.match(
      before.stdout,
      /not signed in: run mailshift login .* --account rekrutacja@acme\.example --side source/,
    );

    // The CLI prints the address and the code, then waits while the person signs in elsewhere.
    const login = spawn(
      process.execPath,
      [CLI, 'login', planPath, '--account', REKRUTACJA.user, '--side', 'source', ...base],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    login.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => login.on('close', resolve));
    const shown = await new Promise<RegExpExecArray>((resolve, reject) => {
      login.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /open\n\s+(\S+)\nand enter the code\s+(\S+)/.exec(out);
        if (m) resolve(m);
      });
      login.on('close', () => reject(new Error(`login ended without a code: ${out}${err}`)));
    });
    await approveDeviceCode({ verificationUri: shown[1] ?? '', userCode: shown[2] ?? '', ...REKRUTACJA });
    assert.equal(await exited, 0, out + err);
    assert.match(out, new RegExp(`Signed in ${REKRUTACJA.user} \\(source\\), scopes ${IMAP_SCOPE}`));
    const tokenFile = join(stateDir, 'tokens.json');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(tokenFile, 'utf8')) as {
      tokens: Record<string, { refreshToken?: string }>;
    };
    for (const e of Object.values(stored.tokens)) if (e.refreshToken) secrets.add(e.refreshToken);
    assert.ok(
      [...Object.values(stored.tokens)].some((e) => e.refreshToken),
      'no refresh token stored',
    );

    const status = await runCli(['login', planPath, '--status', ...base]);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(
      status.stdout,
      /OAuth2 device code \(oauth2\.people\)\n\s+signed in \d{4}-.*refresh token stored; last access token expires/,
    );
    assert.match(status.stdout, /OAuth2 app-only \(client credentials\) \(oauth2\.app\)/);

    const run = await runCli(['run', planPath, ...base]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const verify = await runCli(['verify', planPath, ...base]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    await assertCopied(stateDir, [[REKRUTACJA, to]]);
    const json = await runCli(['login', planPath, '--status', '--json', ...base]);
    assertNoSecrets(
      [
        ...cliOutputs('login', { code: 0, signal: null, stdout: out, stderr: err }),
        ...cliOutputs('status', status),
        ...cliOutputs('run', run),
        ...cliOutputs('verify', verify),
        ...cliOutputs('status --json', json),
      ],
      stateDir,
    );
  });

  test('client credentials (app-only) on the source and a service account (JWT assertion) on the destination', async () => {
    const to = dst('app', KSIEGOWOSC);
    const { planPath, stateDir } = writePlan(
      'app-and-jwt',
      [{ source: { user: KSIEGOWOSC.user }, destination: { user: to.user } }],
      { source: 'oauth2: app', destination: 'oauth2: workspace' },
    );
    // The run's own log, written by runCli in the state directory.
    const log = join(stateDir, 'run.log');
    const result = await runPlanInProcess(planPath, stateDir);
    assert.ifError(result.error);
    assert.ok(result.summary?.complete, JSON.stringify(result.summary?.accounts.map((a) => a.error)));
    await assertCopied(stateDir, [[KSIEGOWOSC, to]]);
    const lines = readFileSync(log, 'utf8');
    assert.match(lines, /"flow":"clientCredentials".*"msg":"oauth2 access token obtained"/);
    assert.match(lines, /"flow":"serviceAccount".*"msg":"oauth2 access token obtained"/);
    assertNoSecrets([{ name: 'log', text: lines }], stateDir);
  });

  test('admin logins: SASL PLAIN authorization identity on the source, user*admin on the destination', async () => {
    const to = dst('adm', SPRZEDAZ);
    const { planPath, stateDir } = writePlan(
      'admin',
      [{ source: { user: SPRZEDAZ.user }, destination: { user: to.user } }],
      {
        source: `adminUser: ${ADMIN.user}, adminPasswordFile: admin.txt, adminLogin: authzid`,
        destination: `adminUser: ${HELPDESK.user}, adminPasswordFile: helpdesk.txt, adminLogin: separator, adminSeparator: "*"`,
      },
    );
    const result = await runPlanInProcess(planPath, stateDir);
    assert.ifError(result.error);
    assert.ok(result.summary?.complete, JSON.stringify(result.summary?.accounts.map((a) => a.error)));
    await assertCopied(stateDir, [[SPRZEDAZ, to]]);
    const status = await runCli(['login', planPath, '--status', '--state-dir', stateDir]);
    assert.match(status.stdout, /admin migrator \(authorization identity\)/);
    assert.match(status.stdout, /admin helpdesk \(adm-sprzedaz@acme\.example\*helpdesk\)/);
  });

  test('a refused token is refreshed and the login tried again; a revoked sign-in then says to sign in again', async () => {
    const { oauth } = servers();
    const { planPath, stateDir, dir } = writePlan(
      'refused',
      [
        {
          source: { user: BIURO.user, fields: 'oauth2: app' },
          destination: { user: dst('dev', REKRUTACJA).user },
        },
        {
          source: { user: KONTAKT.user, fields: 'oauth2: people' },
          destination: { user: dst('dev', REKRUTACJA).user },
        },
      ],
      { destination: 'oauth2: app' },
    );
    await signIn(planPath, stateDir, 'source', [KONTAKT]);
    const plan = loadPlan(planPath);
    const log = join(dir, 'refused.log');
    const logins = openLogins(plan.logins, stateDir, createFileLogger(log, 'info'));
    const app = endpoints(plan, plan.accounts[0]!, logins).source;
    const first = await app.secret();
    // The server forgets a token the cache still holds as fresh: the next login is refused once.
    await revoke(oauth, { clientId: APP.clientId, clientSecret: APP_SECRET }, first.value);
    const store = await connectSource(app);
    await store.close();
    assert.match(
      readFileSync(log, 'utf8'),
      /"reason":"refused by the server".*"msg":"oauth2 access token refreshed"/,
    );
    assert.notEqual((await app.secret()).value, first.value);

    // Revoking a person's refresh token ends the grant and every access token under it.
    const person = endpoints(plan, plan.accounts[1]!, logins).source;
    await person.secret();
    const rt = Object.values(logins.store.all()).find((x) => x.refreshToken)?.refreshToken ?? '';
    await revoke(oauth, oauth.publicClient, rt);
    await assert.rejects(connectSource(person), (err: Error & { code?: string; hint?: string }) => {
      assert.equal(err.code, 'AUTH_OAUTH_SIGNIN', err.message);
      assert.match(err.message, /stored sign-in of kontakt@acme\.example \(oauth2\.people\) was refused/);
      assert.match(
        err.hint ?? '',
        /mailshift login \S*plan\.yaml --account kontakt@acme\.example --side source/,
      );
      return true;
    });
  });

  test('the sample company over OAuth2 with 20-second tokens: complete, verified, refreshed mid-run, no duplicate', async () => {
    const pairs = company.map(
      (a) => [a, dst('tok', a)] as [SampleAccount, { user: string; password: string }],
    );
    const { planPath, stateDir } = writePlan(
      'company',
      pairs.map(([a, d]) => ({ source: { user: a.user }, destination: { user: d.user } })),
      {
        source: 'oauth2: people',
        destination: 'oauth2: app',
        // One account at a time, slowly enough that the run outlives the first tokens.
        extra: 'limits: { accountsInParallel: 1, connectionsPerAccount: 1, maxMessagesPerSecond: 8 }',
      },
    );
    await signIn(planPath, stateDir, 'source', company);
    const started = Date.now();
    const run = await runCli(['run', planPath, '--state-dir', stateDir]);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(seconds > TTL, `the run took ${seconds} s, not long enough to outlive a token`);
    const verify = await runCli(['verify', planPath, '--state-dir', stateDir]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    await assertCopied(stateDir, pairs);
    const log = readFileSync(join(stateDir, 'run.log'), 'utf8');
    const refreshed = log
      .split('\n')
      .filter((l) => /"reason":"expiring".*oauth2 access token refreshed/.test(l));
    assert.ok(refreshed.length >= 1, 'no token was refreshed ahead of its expiry during the run');
    // Every source mailbox signed in by device code got its tokens from its stored refresh token.
    for (const a of company)
      assert.match(log, new RegExp(`"user":"${a.user}","oauth2":"people","flow":"deviceCode"`));
    assertNoSecrets([...cliOutputs('run', run), ...cliOutputs('verify', verify)], stateDir);
  });

  test('a wrong client secret, a revoked sign-in, a token without the IMAP scope and an admin without rights stop only their accounts', async () => {
    const { oauth } = servers();
    const to = (a: SampleAccount) => dst('bad', a).user;
    const { planPath, stateDir } = writePlan(
      'failures',
      [
        {
          source: { user: KONTAKT.user, fields: 'oauth2: wrong-secret' },
          destination: { user: to(KONTAKT) },
        },
        { source: { user: SPRZEDAZ.user, fields: 'oauth2: people' }, destination: { user: to(SPRZEDAZ) } },
        {
          source: { user: KSIEGOWOSC.user, fields: 'oauth2: calendar-only' },
          destination: { user: to(KSIEGOWOSC) },
        },
        { source: { user: REKRUTACJA.user, fields: 'oauth2: app' }, destination: { user: to(REKRUTACJA) } },
        { source: { user: BIURO.user, fields: 'oauth2: app' }, destination: { user: to(BIURO) } },
      ],
      { destination: `adminUser: ${HELPDESK.user}, adminPasswordFile: helpdesk.txt, adminLogin: authzid` },
    );
    const logins = await signIn(planPath, stateDir, 'source', [SPRZEDAZ]);
    const rt = Object.values(logins.store.all()).find((e) => e.refreshToken)?.refreshToken ?? '';
    await revoke(oauth, oauth.publicClient, rt);
    const env = { OAUTH_TEST_WRONG_SECRET: WRONG_SECRET };

    const report = await runCli(['report', planPath, '--state-dir', stateDir, '--format', 'json,md'], {
      env,
    });
    assert.equal(report.code, 1, report.stdout + report.stderr);
    const reports = join(stateDir, 'reports');
    const json = readdirSync(reports).find((f) => f.endsWith('.json'));
    assert.ok(json, 'no JSON report written');
    const text = readFileSync(join(reports, json), 'utf8');
    const expectations: [string, RegExp, RegExp][] = [
      [
        KONTAKT.user,
        /AUTH_OAUTH_CLIENT/,
        /client secret in oauth2\.wrong-secret\.clientSecretEnv is wrong or expired/,
      ],
      [
        SPRZEDAZ.user,
        /AUTH_OAUTH_SIGNIN/,
        /sign in again: mailshift login .* --account sprzedaz@acme\.example --side source/,
      ],
      [KSIEGOWOSC.user, /AUTH_OAUTH_SCOPE/, /granted \\"calendar\\" without the IMAP scope imap/],
      [REKRUTACJA.user, /AUTH_ADMIN_RIGHTS/, /admin helpdesk could not act as bad-rekrutacja@acme\.example/],
    ];
    for (const [, code, fix] of expectations) {
      assert.match(text, code);
      assert.match(text, fix);
    }
    // The report a person reads names each fix too.
    const md = readdirSync(reports).find((f) => f.endsWith('.md'));
    assert.ok(md, 'no Markdown report written');
    const page = readFileSync(join(reports, md), 'utf8');
    for (const words of [
      'is wrong or expired',
      'sign in again',
      'without the IMAP scope',
      'give helpdesk rights on',
    ]) {
      assert.ok(page.includes(words), `the Markdown report does not say "${words}"`);
    }

    const run = await runCli(['run', planPath, '--state-dir', stateDir], { env });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const runLog = readFileSync(join(stateDir, 'run.log'), 'utf8');
    const summary = run.stdout + run.stderr;
    assert.match(summary, /client secret in oauth2\.wrong-secret\.clientSecretEnv is wrong or expired/);
    assert.match(summary, /sign in again: mailshift login/);
    assert.match(summary, /without the IMAP scope imap/);
    assert.match(summary, /give helpdesk rights on bad-rekrutacja@acme\.example/);
    // The mailbox whose credentials are right was copied whole.
    await assertCopied(stateDir, [[BIURO, dst('bad', BIURO)]]);
    assertNoSecrets(
      [...cliOutputs('report', report), ...cliOutputs('run', run), { name: 'run.log', text: runLog }],
      stateDir,
    );
  });
});
