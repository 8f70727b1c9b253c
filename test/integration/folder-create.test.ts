/**
 * Creating destination folders on mailshift's own control connection (src/imap/folder-control.ts)
 * against Dovecot: a new folder's missing levels go in one burst and cost one round trip, each
 * level created is subscribed without the next command waiting for it, a level that turns out to
 * exist is left as it is, and a refusal names its level.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StoreError } from '../../src/core/errors.js';
import { FolderControl } from '../../src/imap/folder-control.js';
import { connectPlain, plainOptions, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { createFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';

const USER = { user: 'anna@firma.pl', password: 'secret-Pa55' };
/** Replies reach the client this late: a command that waited for one is written at least this much later. */
const REPLY_DELAY_MS = 250;

describe('creating destination folders on the own control connection', () => {
  let server: DovecotServer;

  before(async () => {
    server = await startDovecot({ flavor: 'destination', users: [USER] });
  });

  after(async () => {
    await server.stop();
  });

  /** A control connection through a proxy that records commands and delays replies. */
  async function control(): Promise<{ proxy: FaultProxy; control: FolderControl }> {
    const proxy = await createFaultProxy({
      target: { host: server.host, port: server.port },
      latencyMs: { toClient: REPLY_DELAY_MS },
    });
    const c = await FolderControl.open(plainOptions(proxy, USER));
    return { proxy, control: c };
  }

  /** Each folder of the account with whether it is subscribed. */
  async function subscriptions(): Promise<Map<string, boolean>> {
    const client = await connectPlain(server, USER.user, USER.password);
    try {
      const listed = await client.list({ statusQuery: {} });
      return new Map(listed.map((f) => [f.path, f.subscribed ?? false]));
    } finally {
      await client.logout();
    }
  }

  /** When the proxy read each command whose text starts with `verb`, from the first command after login. */
  function times(proxy: FaultProxy, verb: string): number[] {
    const start = proxy.commands.find((c) => !/^(AUTHENTICATE|LOGIN)\b/i.test(c.text))!.at;
    return proxy.commands.filter((c) => c.text.toUpperCase().startsWith(verb)).map((c) => c.at - start);
  }

  it('creates three missing levels in one round trip, subscribes each, and the next command does not wait', async () => {
    const { proxy, control: c } = await control();
    try {
      await c.createLevels(['Projekty', 'Projekty/Most', 'Projekty/Most/Umowy']);
      await c.status('Projekty/Most/Umowy');
    } finally {
      await c.close();
      await proxy.stop();
    }
    const creates = times(proxy, 'CREATE');
    const subscribes = times(proxy, 'SUBSCRIBE');
    const [status] = times(proxy, 'STATUS');
    assert.equal(creates.length, 3);
    assert.ok(Math.max(...creates) < REPLY_DELAY_MS / 2, `CREATEs in one burst: ${creates.join(', ')} ms`);
    assert.equal(subscribes.length, 3);
    assert.ok(Math.min(...subscribes) >= REPLY_DELAY_MS, 'SUBSCRIBE once its CREATE was answered');
    assert.ok(
      status! - Math.max(...subscribes) < REPLY_DELAY_MS / 2,
      `STATUS written behind the SUBSCRIBEs, not after their replies: ${status} ms`,
    );
    const subscribed = await subscriptions();
    for (const f of ['Projekty', 'Projekty/Most', 'Projekty/Most/Umowy'])
      assert.equal(subscribed.get(f), true, `${f} created and subscribed`);
  });

  it('leaves a level that exists already as it is (not subscribed again)', async () => {
    const client = await connectPlain(server, USER.user, USER.password);
    await client.mailboxCreate('Klienci');
    await client.mailboxUnsubscribe('Klienci');
    await client.logout();
    const { proxy, control: c } = await control();
    try {
      // A listing read before someone else created "Klienci": it is asked for again.
      await c.createLevels(['Klienci', 'Klienci/Acme']);
      await c.status('Klienci/Acme');
    } finally {
      await c.close();
      await proxy.stop();
    }
    assert.deepEqual(
      proxy.commands.filter((x) => /^SUBSCRIBE/i.test(x.text)).map((x) => x.text),
      ['SUBSCRIBE "Klienci/Acme"'],
    );
    const subscribed = await subscriptions();
    assert.equal(subscribed.get('Klienci'), false);
    assert.equal(subscribed.get('Klienci/Acme'), true);
  });

  it('a refused level is named; the levels created before it are subscribed', async () => {
    const { proxy, control: c } = await control();
    proxy.onCommand({
      command: /^CREATE "Archiwum\/Zablokowane"/i,
      at: 'before',
      action: { respond: '{tag} NO [CANNOT] Simulated refusal' },
    });
    let err: unknown;
    try {
      await c.createLevels(['Archiwum', 'Archiwum/Zablokowane', 'Archiwum/Zablokowane/2024']);
    } catch (e) {
      err = e;
    }
    try {
      // The connection goes on: the next call is answered.
      await c.status('Archiwum');
    } finally {
      await c.close();
      await proxy.stop();
    }
    assert.ok(err instanceof StoreError, String(err));
    assert.match(err.message, /CREATE "Archiwum\/Zablokowane"/);
    assert.match(err.message, /Simulated refusal/);
    assert.equal((await subscriptions()).get('Archiwum'), true);
  });
});
