/**
 * Crashes, disk and secrets, with the real CLI against real Dovecot: a chaos test that SIGKILLs the
 * run at random moments (during folder creation, with a batch in doubt, during the crash-recovery
 * pass) and resumes each time to the destination of an uninterrupted run; state databases of an
 * older schema migrated and of a newer one refused; an unusable state directory or a full disk
 * refused before any APPEND; no password in any output; owner-only state files; TLS and STARTTLS
 * failures that say what to do; clear-text passwords refused unless allowed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CheckpointStore } from '../../src/state/checkpoint-store.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/state/schema.js';
import { createFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import {
  assertCompleteCopy,
  FAST_AUTH_FAILURES,
  totalMessages,
  writeFaultPlan,
  type FaultAccount,
} from '../harness/fault-plan.js';
import {
  CLI,
  contentKey,
  readMailbox,
  REPO,
  runCli,
  startMigrationEnv,
  type CliResult,
  type MigrationEnv,
  type StoredMessage,
} from '../harness/migration-env.js';
import { sampleCompany } from '../harness/sample-company.js';
import { runTestEntry } from '../harness/test-entry.js';

const company = sampleCompany();
const kontakt = company.find((a) => a.user === 'kontakt@acme.example')!;
const rekrutacja = company.find((a) => a.user === 'rekrutacja@acme.example')!;
const DST_PASSWORD = 'dst-Safety-7f3a9c';
const USERS = [
  'chaos',
  'chaos-ref',
  'v1',
  'v99',
  'unwritable',
  'diskfull',
  'secret-a',
  'secret-b',
  'plain',
] as const;
const dst = (u: (typeof USERS)[number]) => ({ user: `${u}@acme.example`, password: DST_PASSWORD });

/** mulberry32: the chaos test's moments come from a seed, printed with any failure. */
function prng(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Starts the CLI; the caller may kill it. */
function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = once(child, 'close').then(([code, signal]) => ({ code, signal, stdout, stderr }) as CliResult);
  return { child, done };
}

/** Folder -> content of a whole mailbox, empty folders included. */
function byFolder(box: Map<string, StoredMessage[]>): Record<string, string[]> {
  return Object.fromEntries([...box].map(([path, list]) => [path, contentKey(list)]).sort());
}

/** Every file under a directory (recursively). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('crashes, disk and secrets (CLI, real Dovecot)', () => {
  let env: MigrationEnv;
  const proxies: FaultProxy[] = [];
  const proxy = async (port: number) => {
    const p = await createFaultProxy({ target: { host: '127.0.0.1', port } });
    proxies.push(p);
    return p;
  };
  const direct = () => ({ src: { port: env.src.port }, dst: { port: env.dst.port } });

  before(async () => {
    env = await startMigrationEnv({
      accounts: [kontakt, rekrutacja],
      destination: { users: USERS.map((u) => dst(u)), extraConfig: FAST_AUTH_FAILURES },
    });
  });
  after(async () => {
    await Promise.allSettled(proxies.map((p) => p.stop()));
    await env?.stop();
  });

  it('chaos: SIGKILLed at random moments, in folder creation and in crash recovery, resumes to the uninterrupted result', async (t) => {
    const seed = Number(process.env.MAILSHIFT_CHAOS_SEED ?? 20261125);
    const random = prng(seed);
    const limits =
      'limits: { batchMessages: 4, connectionsPerAccount: 1, retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 } }';
    // The uninterrupted run, to a mailbox of its own.
    const ref = writeFaultPlan(env, {
      ...direct(),
      accounts: [{ src: kontakt, dst: dst('chaos-ref') }],
      extra: limits,
    });
    const clean = await runCli(['run', ref.planPath, '--state-dir', ref.stateDir]);
    assert.equal(clean.code, 0, clean.stderr);
    const reference = byFolder(await readMailbox(env.dst, dst('chaos-ref').user, DST_PASSWORD));

    const srcProxy = await proxy(env.src.port);
    const dstProxy = await proxy(env.dst.port);
    const account: FaultAccount = { src: kontakt, dst: dst('chaos') };
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: srcProxy,
      dst: dstProxy,
      accounts: [account],
      extra: limits,
    });
    const args = ['run', planPath, '--state-dir', stateDir];
    const log: string[] = [];
    const killWhen = async (what: string, fired: Promise<void>) => {
      const run = startCli(args);
      const res = await Promise.race([fired.then(() => 'fired' as const), run.done]);
      if (res === 'fired') run.child.kill('SIGKILL');
      const end = await run.done;
      log.push(`${what}: ${end.signal ?? end.code}`);
      dstProxy.clearFaults();
      return end;
    };

    // 1. During folder creation: the 4th CREATE hangs, and the process dies while waiting for it.
    const created = await killWhen(
      'folder creation',
      dstProxy.onCommand({ command: 'CREATE', nth: 4, action: 'stall' }).whenFired(),
    );
    assert.equal(created.signal, 'SIGKILL', log.join('; '));
    // 2. A batch in doubt: the server stores the 2nd MULTIAPPEND of this run but its reply never arrives.
    const inDoubt = await killWhen(
      'batch in doubt',
      dstProxy.onCommand({ command: 'APPEND', nth: 2, at: 'reply', action: 'stall' }).whenFired(),
    );
    assert.equal(inDoubt.signal, 'SIGKILL', log.join('; '));
    const doubtful = () => {
      const store = CheckpointStore.open(join(stateDir, 'state.sqlite'));
      try {
        return store.counts().find((c) => c.account === kontakt.user)?.appending ?? 0;
      } finally {
        store.close();
      }
    };
    const stored = doubtful();
    assert.ok(stored > 0, 'the stored batch is in doubt');
    // 3. During the crash-recovery pass: its EXAMINE of the destination folder is the first of the run.
    const recovery = await killWhen(
      'crash recovery',
      dstProxy.onCommand({ command: 'EXAMINE', nth: 1, at: 'sent', action: 'stall' }).whenFired(),
    );
    assert.equal(recovery.signal, 'SIGKILL', log.join('; '));
    assert.equal(doubtful(), stored, 'killed before the recovery pass committed');
    // 4. Right after the recovery pass commits (its step is the first of the run).
    const first = await runTestEntry(args, { killAfterSteps: 1 });
    log.push(`after step 1: ${first.signal ?? first.code}`);
    assert.equal(doubtful(), 0, 'the recovery pass resolved the batch');
    // 5. Killed from outside after a random delay, twice, while much is left to copy; then at random steps.
    //    A few milliseconds of latency keep the copy running long enough for the kill to land mid-run.
    dstProxy.latency = { toServer: 5, toClient: 5 };
    for (let i = 0; i < 2; i++) {
      const run = startCli(args);
      const delay = 350 + random(600);
      const timer = setTimeout(() => run.child.kill('SIGKILL'), delay);
      const res = await run.done;
      clearTimeout(timer);
      log.push(`killed after ${delay} ms: ${res.signal ?? res.code}`);
    }
    for (const n of [1 + random(12), 1 + random(20), 1 + random(30)]) {
      const res = await runTestEntry(args, { killAfterSteps: n });
      log.push(`after step ${n}: ${res.signal ?? res.code}`);
    }
    dstProxy.latency = { toServer: 0, toClient: 0 };
    const trail = `seed ${seed}: ${log.join('; ')}`;
    t.diagnostic(trail);
    assert.ok(log.filter((l) => l.endsWith('SIGKILL')).length >= 5, trail);

    const last = await runCli(args);
    assert.equal(last.code, 0, `${trail}\n${last.stdout}\n${last.stderr}`);
    assert.deepEqual(byFolder(await readMailbox(env.dst, account.dst.user, DST_PASSWORD)), reference, trail);
    await assertCompleteCopy(env, stateDir, kontakt, account.dst);
    const again = await runCli(args);
    assert.match(again.stdout, /Complete: 0 copied/, `idempotence after chaos (${trail})`);
  });

  it('migrates a state database of schema version 1 and runs on it', async () => {
    const account: FaultAccount = { src: rekrutacja, dst: dst('v1') };
    const { planPath, stateDir } = writeFaultPlan(env, { ...direct(), accounts: [account] });
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const db = new Database(join(stateDir, 'state.sqlite'));
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO runs(started_at, status) VALUES (1700000000000, 'done')").run();
    db.close();

    const res = await runCli(['run', planPath, '--state-dir', stateDir]);
    assert.equal(res.code, 0, res.stderr);
    const store = CheckpointStore.open(join(stateDir, 'state.sqlite'));
    try {
      assert.equal(store.version(), SCHEMA_VERSION);
    } finally {
      store.close();
    }
    const raw = new Database(join(stateDir, 'state.sqlite'), { readonly: true });
    try {
      assert.equal(
        (raw.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n,
        2,
        'the old run is kept',
      );
      const columns = (raw.prepare('PRAGMA table_info(messages)').all() as { name: string }[]).map(
        (c) => c.name,
      );
      assert.ok(columns.includes('repaired') && columns.includes('dropped_flags'));
    } finally {
      raw.close();
    }
    await assertCompleteCopy(env, stateDir, rekrutacja, account.dst);
  });

  it('refuses a state database of a newer schema version, before touching any server', async () => {
    const srcProxy = await proxy(env.src.port);
    const dstProxy = await proxy(env.dst.port);
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: srcProxy,
      dst: dstProxy,
      accounts: [{ src: rekrutacja, dst: dst('v99') }],
    });
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const db = new Database(join(stateDir, 'state.sqlite'));
    db.pragma('user_version = 99');
    db.close();
    const res = await runCli(['run', planPath, '--state-dir', stateDir]);
    assert.equal(res.code, 5, res.stderr);
    assert.match(
      res.stderr,
      new RegExp(`has schema version 99, this mailshift expects ${SCHEMA_VERSION} or older`),
    );
    assert.match(res.stderr, /-> use the newer mailshift that wrote it, or another --state-dir/);
    assert.equal(srcProxy.accepted + dstProxy.accepted, 0, 'no server was contacted');
  });

  it('an unusable state directory is a clear error before any server is contacted', async () => {
    const srcProxy = await proxy(env.src.port);
    const dstProxy = await proxy(env.dst.port);
    const { planPath } = writeFaultPlan(env, {
      src: srcProxy,
      dst: dstProxy,
      accounts: [{ src: rekrutacja, dst: dst('unwritable') }],
    });
    // A path through a regular file cannot be created by anyone, root included.
    const blocker = join(env.dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const res = await runCli(['run', planPath, '--state-dir', join(blocker, 'state')]);
    assert.equal(res.code, 5, res.stderr);
    assert.match(res.stderr, /state directory .*not-a-directory\/state cannot be created or written/);
    assert.match(res.stderr, /-> free some disk space or fix the permissions, or pass another --state-dir/);
    assert.equal(srcProxy.accepted + dstProxy.accepted, 0, 'no server was contacted');
    assert.equal(totalMessages(await readMailbox(env.dst, dst('unwritable').user, DST_PASSWORD)), 0);
  });

  it('a full disk: refused before any server is contacted, stopped cleanly when it fills mid-run, resumed once freed', async (t) => {
    const mount = join(env.dir, 'tiny-disk');
    mkdirSync(mount);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=17m', 'tmpfs', mount], {
      stdio: 'ignore',
    });
    if (mounted.status !== 0) {
      t.skip('cannot mount a small tmpfs here (needs root); the check is the same statfs as for a real disk');
      return;
    }
    const filler = join(mount, 'filler');
    const fill = (leave: number) => {
      const fd = openSync(filler, 'a');
      try {
        for (const size of [1 << 20, 4096, 512]) {
          for (;;) {
            const st = statfsSync(mount);
            if (st.bavail * st.bsize - size < leave) break;
            writeSync(fd, Buffer.alloc(size));
          }
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    };
    try {
      const srcProxy = await proxy(env.src.port);
      const dstProxy = await proxy(env.dst.port);
      const account: FaultAccount = { src: rekrutacja, dst: dst('diskfull') };
      const { planPath } = writeFaultPlan(env, {
        src: srcProxy,
        dst: dstProxy,
        accounts: [account],
        extra: 'limits: { batchMessages: 2, connectionsPerAccount: 1 }',
      });
      const stateDir = join(mount, 'state');
      const args = ['run', planPath, '--state-dir', stateDir];

      fill(8 << 20);
      const refused = await runCli(args);
      assert.equal(refused.code, 5, refused.stderr);
      assert.match(
        refused.stderr,
        /the disk of state directory .*tiny-disk\/state has only \d+ KB free; mailshift needs at least 16 MB/,
      );
      assert.equal(srcProxy.accepted + dstProxy.accepted, 0, 'no server was contacted');

      // Room at the start; the disk fills up while the first folder is copied.
      rmSync(filler);
      const run = startCli([...args, '--json']);
      let events = '';
      let filled = false;
      run.child.stdout.on('data', (d: Buffer) => {
        events += d.toString();
        if (!filled && events.includes('"type":"progress"')) {
          filled = true;
          fill(0);
        }
      });
      const full = await run.done;
      assert.ok(filled);
      assert.equal(full.code, 5, full.stderr);
      assert.match(
        full.stderr,
        /the state database could not be written \(SQLITE_FULL: database or disk is full\); nothing was sent after the last recorded step/,
      );
      assert.match(full.stderr, /-> free disk space where the state directory is/);

      rmSync(filler);
      const resumed = await runCli(args);
      assert.equal(resumed.code, 0, resumed.stderr);
      await assertCompleteCopy(env, stateDir, rekrutacja, account.dst);
    } finally {
      spawnSync('umount', [mount]);
    }
  });

  it('no password appears in any output (stdout, stderr, --json, debug log, state database, reports); state is owner-only', async () => {
    const wrong = 'Wrong-Password-5b1e';
    const srcEnvPassword = rekrutacja.password;
    const passwords = [kontakt.password, srcEnvPassword, DST_PASSWORD, wrong];
    const dir = join(env.dir, 'secrets-case');
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    writeFileSync(join(dir, 'secrets/kontakt.txt'), `${kontakt.password}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'secrets/dst.txt'), `${DST_PASSWORD}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'secrets/wrong.txt'), `${wrong}\n`, { mode: 0o600 });
    const plan = (name: string, dstUser: string) => {
      const path = join(dir, `${name}.yaml`);
      writeFileSync(
        path,
        [
          'version: 1',
          `name: ${name}`,
          `source: { host: 127.0.0.1, port: ${env.src.port}, security: none }`,
          `destination: { host: 127.0.0.1, port: ${env.dst.tlsPort}, security: tls, tlsVerify: false }`,
          'accounts:',
          `  - source: { user: "${kontakt.user}", passwordFile: secrets/kontakt.txt }`,
          `    destination: { user: "${dstUser}", passwordFile: secrets/dst.txt }`,
          // The second account's destination login is refused: its error path is covered too.
          `  - source: { user: "${rekrutacja.user}", passwordEnv: MAILSHIFT_TEST_SRC_PASSWORD }`,
          `    destination: { user: "${dstUser}", passwordFile: secrets/wrong.txt }`,
          'limits: { retry: { attempts: 1, baseDelayMs: 50 } }',
          '',
        ].join('\n'),
      );
      return path;
    };
    const runEnv = { MAILSHIFT_TEST_SRC_PASSWORD: srcEnvPassword, MAILSHIFT_LOG_LEVEL: 'debug' };
    const outputs: { what: string; text: Buffer | string }[] = [];
    const stateDirs: string[] = [];
    for (const [i, json] of [false, true].entries()) {
      const name = `secrets-${i}`;
      const stateDir = join(dir, `state-${i}`);
      stateDirs.push(stateDir);
      const planPath = plan(name, dst(i === 0 ? 'secret-a' : 'secret-b').user);
      const res = await runCli(['run', planPath, '--state-dir', stateDir, ...(json ? ['--json'] : [])], {
        env: runEnv,
      });
      assert.equal(res.code, 1, `one account stops, the other completes: ${res.stdout}\n${res.stderr}`);
      assert.match(`${res.stdout}${res.stderr}`, /login refused by destination/);
      outputs.push(
        { what: `run ${name} stdout`, text: res.stdout },
        { what: `run ${name} stderr`, text: res.stderr },
      );
      // The other commands read the same secrets and write reports: their outputs count too.
      for (const cmd of [['status'], ['verify'], ['report']]) {
        const other = await runCli([...cmd, planPath, '--state-dir', stateDir, ...(json ? ['--json'] : [])], {
          env: runEnv,
        });
        outputs.push(
          { what: `${cmd[0]} stdout`, text: other.stdout },
          { what: `${cmd[0]} stderr`, text: other.stderr },
        );
      }
      for (const file of filesUnder(stateDir)) outputs.push({ what: file, text: readFileSync(file) });
    }
    const log = readFileSync(join(stateDirs[0]!, 'run.log'), 'utf8');
    assert.ok(log.length > 1000 && /"level":20/.test(log), 'the debug log was written');
    for (const { what, text } of outputs) {
      const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
      for (const p of passwords) {
        assert.equal(bytes.includes(p), false, `password ${p.slice(0, 4)}... found in ${what}`);
        assert.equal(
          bytes.includes(Buffer.from(p).toString('base64')),
          false,
          `base64 of a password found in ${what}`,
        );
      }
    }

    for (const stateDir of stateDirs) {
      assert.equal(statSync(stateDir).mode & 0o777, 0o700, `${stateDir} is owner-only`);
      for (const file of ['run.log', 'state.sqlite']) {
        assert.equal(statSync(join(stateDir, file)).mode & 0o777, 0o600, `${file} is owner-only`);
      }
    }
  });

  it('a server echoing the password in its NO: the debug log shows the refusal without the password', async () => {
    const p = await proxy(env.dst.port);
    const echo = p.onCommand({
      command: /^(LOGIN|AUTHENTICATE)\b/i,
      times: Infinity,
      action: {
        respond: `{tag} NO [AUTHENTICATIONFAILED] Login failed for ${dst('secret-a').user} with password ${DST_PASSWORD}`,
      },
    });
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: { port: env.src.port },
      dst: { port: p.port },
      accounts: [{ src: rekrutacja, dst: dst('secret-a') }],
    });
    const res = await runCli(['run', planPath, '--state-dir', stateDir], {
      env: { MAILSHIFT_LOG_LEVEL: 'debug' },
    });
    assert.equal(res.code, 4, res.stdout + res.stderr);
    assert.ok(echo.fired >= 1, 'the server echoed the password');
    const log = readFileSync(join(stateDir, 'run.log'), 'utf8');
    assert.match(log, /Login failed for secret-a@acme\.example with password \[redacted\]/, log);
    for (const [what, text] of [
      ['run.log', log],
      ['stdout', res.stdout],
      ['stderr', res.stderr],
    ] as const) {
      assert.equal(text.includes(DST_PASSWORD), false, `the password is in ${what}`);
    }
  });

  it('a certificate that cannot be verified stops the account and names the option for that one server', async () => {
    const { planPath, stateDir } = writeFaultPlan(env, {
      ...direct(),
      accounts: [{ src: rekrutacja, dst: dst('plain') }],
    });
    writeFileSync(
      planPath,
      readFileSync(planPath, 'utf8').replace(
        /^source: .*$/m,
        `source: { host: 127.0.0.1, port: ${env.src.tlsPort}, security: tls, timeoutMs: 5000 }`,
      ),
    );
    const res = await runCli(['run', planPath, '--state-dir', stateDir]);
    assert.equal(res.code, 4, res.stdout + res.stderr);
    assert.match(
      res.stdout,
      /TLS certificate of source 127\.0\.0\.1:\d+ \(tls\) for rekrutacja@acme\.example could not be verified/,
    );
    assert.match(res.stdout, /set source\.tlsVerify: false in the plan \(only for that server\)/);
  });

  it('a server that does not offer STARTTLS when asked is an error, not a fallback to plain text', async () => {
    const stripping = await proxy(env.dst.port);
    stripping.hideCapabilities(['STARTTLS']);
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: { port: env.src.port },
      dst: stripping,
      accounts: [{ src: rekrutacja, dst: dst('plain') }],
    });
    writeFileSync(
      planPath,
      readFileSync(planPath, 'utf8').replace(
        /^destination: .*$/m,
        `destination: { host: 127.0.0.1, port: ${stripping.port}, security: starttls, tlsVerify: false, timeoutMs: 5000 }`,
      ),
    );
    const res = await runCli(['run', planPath, '--state-dir', stateDir]);
    assert.equal(res.code, 4, res.stdout + res.stderr);
    assert.match(
      res.stdout,
      /destination 127\.0\.0\.1:\d+ \(starttls\) for plain@acme\.example: STARTTLS was requested but the server does not offer it/,
    );
    assert.equal(stripping.count(/^(LOGIN|AUTHENTICATE)/i), 0, 'no login was sent in plain text');
  });

  it('a password written in the plan is refused unless allowed, and then warned about', async () => {
    const { planPath, stateDir } = writeFaultPlan(env, {
      ...direct(),
      accounts: [{ src: rekrutacja, dst: dst('plain') }],
    });
    const inline = readFileSync(planPath, 'utf8').replace(
      /passwordFile: "[^"]*dst\.txt"/,
      `password: "${DST_PASSWORD}"`,
    );
    writeFileSync(planPath, inline);
    const refused = await runCli(['run', planPath, '--state-dir', stateDir]);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /accounts\[0\]\.destination\.password is written in clear/);
    assert.match(
      refused.stderr,
      /-> use passwordEnv or passwordFile, or set options\.allowPlaintextPasswords: true/,
    );
    assert.ok(!refused.stderr.includes(DST_PASSWORD));

    writeFileSync(planPath, `${inline}options: { allowPlaintextPasswords: true }\n`);
    const allowed = await runCli(['run', planPath, '--state-dir', stateDir]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(
      allowed.stderr,
      /warning: .*accounts\[0\]\.destination\.password is written in clear \(allowed by options\.allowPlaintextPasswords\)/,
    );
    assert.ok(!allowed.stderr.includes(DST_PASSWORD) && !allowed.stdout.includes(DST_PASSWORD));
  });
});
