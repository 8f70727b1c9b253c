/**
 * The one-burst listing on mailshift's own connection (src/imap/folder-listing.ts) against real
 * Dovecot: it lists exactly what imapflow's listing does on both server shapes (the `INBOX.`
 * namespace with `.`, and `/`), Polish names, nesting, unsubscribed and empty folders included;
 * and a no-op re-run reaches each server with one connection: a login, NAMESPACE, one LIST and
 * LOGOUT, and verify with one login per side, while a re-run with new mail or on a server without
 * LIST-STATUS still copies it all. A first pass logs its copy connections in while it lists.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readListing } from '../../src/imap/folder-listing.js';
import { listFolders } from '../../src/imap/mailbox-reader.js';
import type { FolderListing, SideListing } from '../../src/core/folders.js';
import { connectPlain, plainOptions, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { createFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { writeFaultPlan } from '../harness/fault-plan.js';
import {
  destinationPassword,
  runCommandInProcess,
  runPlanInProcess,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';
import { sampleCompany } from '../harness/sample-company.js';

const USER = { user: 'biuro@firma.pl', password: 'secret-Pa55' };
/** Logical names (`/` between levels), written with each server's own delimiter. */
const FOLDERS = [
  'Faktury/2024',
  'Faktury/2025',
  'Wys\u0142ane',
  'Kosz',
  'Klienci/\u0141\u0105cka & syn',
  'Pusty',
];
const UNSUBSCRIBED = 'Kosz';

function message(i: number): string {
  return `From: a@firma.pl\r\nSubject: ${i}\r\nMessage-ID: <${i}@firma.pl>\r\n\r\nbody ${i}\r\n`;
}

/** Fills a server's mailbox: the folders, a message or two in most, one unsubscribed. */
async function fill(server: DovecotServer): Promise<void> {
  const client = await connectPlain(server, USER.user, USER.password);
  try {
    // The harness's shapes: the source has the `INBOX.` namespace with `.`, the destination `/`.
    const [prefix, delimiter] = server.flavor === 'source' ? ['INBOX.', '.'] : ['', '/'];
    for (const [i, logical] of FOLDERS.entries()) {
      const path = prefix + logical.split('/').join(delimiter);
      await client.mailboxCreate(path);
      if (logical === UNSUBSCRIBED) await client.mailboxUnsubscribe(path);
      if (logical !== 'Pusty')
        for (let n = 0; n <= i % 2; n++) await client.append(path, message(i * 10 + n));
    }
    await client.append('INBOX', message(99));
  } finally {
    await client.logout();
  }
}

/**
 * A listing in path order, without \Marked and \Unmarked: "new mail since the folder was last
 * selected" (RFC 3501 section 7.2.2), which Dovecot shows to the first session after an APPEND only.
 */
function byPath(l: SideListing): { namespace: SideListing['namespace']; folders: FolderListing[] } {
  const folders = [...l.folders]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => ({ ...f, flags: f.flags.filter((x) => x !== '\\Marked' && x !== '\\Unmarked') }));
  return { namespace: l.namespace, folders };
}

describe('folder listing in one burst (real Dovecot)', () => {
  const servers: DovecotServer[] = [];
  before(async () => {
    for (const flavor of ['source', 'destination'] as const) {
      const server = await startDovecot({ flavor, users: [USER] });
      servers.push(server);
      await fill(server);
    }
  });
  after(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
  });

  for (const flavor of ['source', 'destination'] as const) {
    it(`lists what imapflow lists (${flavor} shape)`, async () => {
      const server = servers.find((s) => s.flavor === flavor)!;
      const ours = await readListing(plainOptions(server, USER));
      const client = await connectPlain(server, USER.user, USER.password);
      let theirs: SideListing;
      try {
        theirs = await listFolders(client);
      } finally {
        await client.logout();
      }
      assert.ok(ours, 'Dovecot offers LIST-EXTENDED, LIST-STATUS and NAMESPACE');
      assert.deepEqual(byPath(ours), byPath(theirs));
      // The listing is not empty by accident: the folders, their counts and subscriptions are there.
      const kosz = ours.folders.find((f) => f.path.endsWith('Kosz'));
      assert.equal(kosz?.subscribed, false);
      const lacka = ours.folders.find((f) => f.path.endsWith('\u0141\u0105cka & syn'));
      assert.equal(lacka?.messages, 1);
      assert.equal(ours.folders.find((f) => f.path === 'INBOX')?.messages, 1);
    });
  }
});

describe('a no-op re-run on one connection per side (whole engine, real Dovecot)', () => {
  let env: MigrationEnv;
  const proxies: FaultProxy[] = [];
  after(async () => {
    await Promise.allSettled(proxies.map((p) => p.stop()));
    await env?.stop();
  });

  it('logs in once per side, lists once, and still finds new mail and servers without LIST-STATUS', async () => {
    const kontakt = sampleCompany().find((a) => a.user === 'kontakt@acme.example')!;
    env = await startMigrationEnv({ accounts: [kontakt] });
    const [src, dst] = await Promise.all(
      [env.src, env.dst].map((s) => createFaultProxy({ target: { host: '127.0.0.1', port: s.port } })),
    );
    proxies.push(src!, dst!);
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: src!,
      dst: dst!,
      accounts: [{ src: kontakt, dst: { user: kontakt.user, password: destinationPassword(kontakt) } }],
    });
    // A first pass: lane 0's body reader and appender connect while the account's folders are
    // listed, not after the listing: another connection is accepted before the listing's LIST,
    // which comes two round trips after its own connection (greeting, AUTHENTICATE). Opened after
    // the listing, they would connect a round trip after that LIST.
    for (const p of [src!, dst!]) p.latency = { toServer: 10, toClient: 10 };
    const first = await runPlanInProcess(planPath, stateDir);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.ok((first.summary?.totals.copied ?? 0) > 0);
    for (const [i, p] of [src!, dst!].entries()) {
      p.latency = { toServer: 0, toClient: 0 };
      const list = p.commands.find((c) => /^LIST /i.test(c.text))!;
      const others = p.acceptedAt.filter((_, n) => n + 1 !== list.connection);
      assert.ok(
        others.some((at) => at < list.at),
        `side ${i}: LIST at ${list.at}, other connections accepted at ${JSON.stringify(others)}`,
      );
      // The lanes' control connections are mailshift's own too: imapflow's session (ID, then
      // NAMESPACE and ENABLE, each a round trip before the first folder) never starts on a first
      // pass, and every folder was still created, selected or asked its STATUS.
      const imapflowSession = p.commands.filter((c) => /^(ID|ENABLE) /i.test(c.text));
      assert.deepEqual(imapflowSession, [], `side ${i}`);
    }
    const created = dst!.commands.filter((c) => /^CREATE /i.test(c.text)).length;
    assert.ok(created >= 5, `the destination's folders were created (${created} CREATE)`);
    // The closing check lists the destination on a lane's control connection, after UNSELECT (the
    // STATUS of a selected folder is that session's view): no login after the last APPEND.
    const cmds = dst!.commands;
    const lastAppend = cmds.findLastIndex((c) => /^APPEND /i.test(c.text));
    const lastList = cmds.findLastIndex((c) => /^LIST /i.test(c.text));
    assert.ok(lastAppend >= 0 && lastList > lastAppend, JSON.stringify(cmds.slice(lastAppend)));
    const after = cmds.slice(lastAppend + 1);
    assert.deepEqual(
      after.filter((c) => /^(AUTHENTICATE|LOGIN) /i.test(c.text)),
      [],
      'no login for the check',
    );
    const unselect = after.findIndex((c) => /^UNSELECT$/i.test(c.text));
    assert.ok(unselect >= 0 && after[unselect]!.connection === cmds[lastList]!.connection);
    assert.ok(lastAppend + 1 + unselect < lastList, 'UNSELECT before the LIST');
    // ...in one burst: the LIST is read with the UNSELECT, not a round trip (20 ms here) after it.
    const gap = cmds[lastList]!.at - after[unselect]!.at;
    assert.ok(gap < 10, `LIST read ${gap} ms after UNSELECT`);
    // ...and without waiting for the other lanes' LOGOUT replies: those connections are done.
    const checkConn = after[unselect]!.connection;
    const lastLogout = after.filter((c) => /^LOGOUT$/i.test(c.text) && c.connection !== checkConn).at(-1);
    assert.ok(lastLogout, JSON.stringify(after));
    const wait = after[unselect]!.at - lastLogout.at;
    // Waiting for them took 16 ms here (the proxy delays each reply 10 ms); not waiting, 0.
    assert.ok(wait < 8, `UNSELECT read ${wait} ms after the last lane LOGOUT`);

    const seen = (p: FaultProxy) => p.commands.length;
    // The run's last listing logs out after the run has returned: let it arrive first.
    const settled = async () => {
      for (let wait = 0; wait < 100 && (src!.open > 0 || dst!.open > 0); wait++) await delay(20);
    };
    await settled();
    const before = [seen(src!), seen(dst!)];
    const again = await runPlanInProcess(planPath, stateDir);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(again.summary?.totals.copied, 0);
    for (const [i, p] of [src!, dst!].entries()) {
      // LOGOUT goes after the listing has been read, and is not waited for.
      for (let wait = 0; wait < 100 && p.commands.length - before[i]! < 4; wait++) await delay(20);
      const sent = p.commands.slice(before[i]);
      const verbs = sent.map((c) => c.text.split(' ')[0]!.toUpperCase());
      assert.deepEqual(
        verbs,
        ['AUTHENTICATE', 'NAMESPACE', 'LIST', 'LOGOUT'],
        `side ${i}: ${JSON.stringify(sent)}`,
      );
      assert.equal(new Set(sent.map((c) => c.connection)).size, 1, 'one connection');
    }

    // verify and the dry-run report read both sides on mailshift's own connection, the folders a
    // burst at a time: one login per side.
    for (const command of ['verify', 'report']) {
      await settled();
      const beforeCommand = [seen(src!), seen(dst!)];
      const out = join(env.dir, `report-${command}`);
      const args = command === 'report' ? ['--out', out, '--format', 'json'] : [];
      const res = await runCommandInProcess([command, planPath, '--state-dir', stateDir, ...args]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      for (const [i, p] of [src!, dst!].entries()) {
        const sent = p.commands.slice(beforeCommand[i]);
        assert.equal(new Set(sent.map((c) => c.connection)).size, 1, `${command}, side ${i}: one connection`);
        assert.equal(sent.filter((c) => /^(LOGIN|AUTHENTICATE) /i.test(c.text)).length, 1);
        assert.ok(
          sent.filter((c) => /^EXAMINE /i.test(c.text)).length >= 10,
          `${command}: the folders were read`,
        );
      }
    }

    // New mail on the source: the short way sees work and the run copies it.
    const client = await connectPlain(env.src, kontakt.user, kontakt.password);
    await client.append('INBOX', message(1000));
    await client.logout();
    const delta = await runPlanInProcess(planPath, stateDir);
    assert.equal(delta.code, 0, delta.stdout + delta.stderr);
    assert.equal(delta.summary?.totals.copied, 1);

    // A source without LIST-STATUS is listed the imapflow way, and the no-op still completes.
    src!.hideCapabilities(['LIST-STATUS']);
    const plain = await runPlanInProcess(planPath, stateDir);
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.equal(plain.summary?.totals.copied, 0);
    assert.match(plain.stdout, /Complete/);
  });
});
