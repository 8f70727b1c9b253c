/**
 * The fast write path (src/imap/append-pipeline.ts) against real Dovecot servers: every mode, chosen
 * explicitly and by `auto` from what the server advertises, must store byte-identical messages with
 * their flags and INTERNALDATE under the UIDs it reports; refusals, missing folders, bad passwords,
 * TLS, stalls and lost connections must come back as the typed errors the engine relies on.
 * A recording TCP proxy in front of Dovecot shows what went on the wire and cuts or stalls it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { AppendPipeline, type AppendPipelineOptions } from '../../src/imap/append-pipeline.js';
import { StoreError } from '../../src/core/errors.js';
import { type AppendBatchResult, type AppendItem } from '../../src/core/ports.js';
import { bodyBuffer } from '../../src/core/body.js';
import {
  capabilitiesWithout,
  connectPlain,
  plainOptions,
  startDovecot,
  type DovecotServer,
} from '../harness/dovecot.js';
import { createFaultProxy } from '../harness/fault-proxy.js';

const PASSWORD = 'secret-Pa55';
/** Non-ASCII with `"` and `\`: LOGIN must send it as a literal (and a synchronizing one without LITERAL+). */
const ODD_PASSWORD = 'za\u017c"\u00f3\u0142\u0107\\g\u0119\u015b';
const USERS = [
  { user: 'anna@firma.pl', password: PASSWORD },
  { user: 'odd@firma.pl', password: ODD_PASSWORD },
];

const FOLDER = 'Faktury/2024';
/** Needs modified UTF-7, `&-`, and escaping of `"` and `\` in the quoted string. */
const ODD_FOLDER = 'Wys\u0142ane/Za\u017c\u00f3\u0142\u0107 & "g\u0119\u015bl\u0105" \\ ja\u017a\u0144';

// ---------------------------------------------------------------------------------------------
// Corpus: ~50 messages covering sizes around the LITERAL- limit, 8-bit bytes, command look-alikes.
// ---------------------------------------------------------------------------------------------

const FLAG_SETS: string[][] = [
  [],
  ['\\Seen'],
  ['\\Seen', '$Forwarded'],
  ['\\Answered', '\\Flagged', '$label1'],
  ['\\Draft'],
  ['\\Deleted', '\\Seen'],
  ['$Forwarded', '$label1', '\\Seen', '\\Answered'],
  ['\\Recent', '\\Flagged'],
];

function message(i: number): Buffer {
  const head = (subject: string, extra = '') =>
    `From: Anna <anna@firma.pl>\r\nTo: biuro@firma.pl\r\nSubject: ${subject}\r\n` +
    `Message-ID: <m${i}@firma.pl>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\nMIME-Version: 1.0\r\n${extra}\r\n`;
  switch (i % 10) {
    case 0:
      return Buffer.from(
        head(
          '=?UTF-8?Q?Faktura_VAT?=',
          'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n',
        ) + `Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144 #${i}\r\n`,
        'utf8',
      );
    case 1: {
      const b64 = Buffer.alloc(45_000, i).toString('base64').replace(/.{76}/g, '$&\r\n');
      return Buffer.from(
        head(`attachment ${i}`, 'Content-Type: application/octet-stream\r\n') + b64 + '\r\n',
      );
    }
    case 2:
      return Buffer.from(`Subject: tiny ${i}\r\n\r\nno final line break`);
    case 3:
      // Lines a desynchronised server would run as commands, and a fake literal marker.
      return Buffer.from(
        head(`looks like IMAP ${i}`) +
          `M1 LOGOUT\r\nA2 DELETE INBOX\r\n* BYE fake\r\n+ OK\r\nx {5+}\r\n)\r\n`,
      );
    case 4:
      return Buffer.from(head(`long line ${i}`) + 'w'.repeat(3000) + '\r\n');
    case 5:
    case 6: {
      // Exactly 4096 and 4097 bytes: either side of the LITERAL- limit.
      const size = i % 10 === 5 ? 4096 : 4097;
      const h = head(`boundary ${size}`);
      return Buffer.from(h + 'b'.repeat(size - h.length - 2) + '\r\n');
    }
    case 7:
      return Buffer.concat([
        Buffer.from(head(`latin1 ${i}`, 'Content-Type: text/plain; charset=iso-8859-2\r\n')),
        Buffer.from([0xb1, 0xe6, 0xea, 0xb3, 0xf1, 0x0d, 0x0a]),
      ]);
    default:
      return Buffer.from(head(`plain ${i}`) + `Hello ${i}\r\n`.repeat(40 + i));
  }
}

function pieces(raw: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < raw.length; at += size) out.push(raw.subarray(at, at + size));
  return out;
}

function corpus(n: number, offset = 0): AppendItem[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    // Every third message in pieces, as the body reader hands them over (blocks of its pool).
    return {
      raw: i % 3 === 2 ? pieces(message(i), 1000) : message(i),
      flags: FLAG_SETS[i % FLAG_SETS.length] ?? [],
      internalDate: new Date(
        Date.UTC(1998 + (i % 27), i % 12, 1 + (i % 28), i % 24, (i * 7) % 60, (i * 13) % 60),
      ),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function options(server: DovecotServer, extra: Partial<AppendPipelineOptions> = {}): AppendPipelineOptions {
  return { ...plainOptions(server, { user: USERS[0]!.user, password: PASSWORD }), ...extra };
}

async function withImapflow<T>(
  server: DovecotServer,
  user: string,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const password = USERS.find((u) => u.user === user)?.password ?? PASSWORD;
  const client = await connectPlain(server, user, password);
  try {
    return await fn(client);
  } finally {
    await client.logout();
  }
}

async function createFolders(server: DovecotServer, user: string, ...names: string[]): Promise<void> {
  await withImapflow(server, user, async (c) => {
    for (const name of names) await c.mailboxCreate(name);
  });
}

interface Stored {
  source: Buffer;
  flags: Set<string>;
  internalDate: Date;
}

async function readBack(
  server: DovecotServer,
  user: string,
  mailbox: string,
): Promise<{ uidValidity: bigint; byUid: Map<number, Stored> }> {
  return withImapflow(server, user, async (c) => {
    const box = await c.mailboxOpen(mailbox, { readOnly: true });
    const byUid = new Map<number, Stored>();
    if (box.exists > 0) {
      for (const m of await c.fetchAll('1:*', { uid: true, flags: true, internalDate: true, source: true })) {
        byUid.set(m.uid, {
          source: m.source ?? Buffer.alloc(0),
          flags: m.flags ?? new Set(),
          internalDate: new Date(m.internalDate ?? 0),
        });
      }
    }
    return { uidValidity: box.uidValidity, byUid };
  });
}

/** Every item is on the server under its reported UID, byte for byte, with its flags and date. */
async function assertStored(
  server: DovecotServer,
  user: string,
  mailbox: string,
  items: AppendItem[],
  result: AppendBatchResult,
): Promise<void> {
  const { uidValidity, byUid } = await readBack(server, user, mailbox);
  assert.equal(result.outcomes.length, items.length);
  assert.equal(BigInt(result.uidValidity ?? -1), uidValidity, 'UIDVALIDITY from APPENDUID');
  for (const [i, item] of items.entries()) {
    const outcome = result.outcomes[i];
    assert.ok(outcome?.ok, `item ${i}: ${JSON.stringify(outcome)}`);
    assert.ok(outcome.uid !== undefined, `item ${i} has no UID`);
    const stored = byUid.get(outcome.uid);
    assert.ok(stored, `item ${i}: UID ${outcome.uid} not on the server`);
    assert.ok(stored.source.equals(bodyBuffer(item.raw)), `item ${i}: bytes differ`);
    const want = item.flags.filter((f) => f !== '\\Recent').sort();
    const got = [...stored.flags].filter((f) => f !== '\\Recent').sort();
    assert.deepEqual(got, want, `item ${i}: flags`);
    assert.equal(stored.internalDate.getTime(), item.internalDate.getTime(), `item ${i}: INTERNALDATE`);
  }
}

async function expectStoreError(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StoreError, `expected StoreError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a StoreError');
}

/** What the proxy forwards from the server: the bytes, `null` to swallow them, or `{ last }` to forward those and hang up. */
type ServerFilter = (chunk: Buffer) => Buffer | null | { last: Buffer };

interface Proxy {
  port: number;
  /** Everything the client sent, in order. */
  fromClient(): Buffer;
  close(): Promise<void>;
}

/** A TCP proxy in front of `port` that records the client's bytes and lets a test filter the server's. */
async function startProxy(port: number, filter?: ServerFilter): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const recorded: Buffer[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      // Without this, Nagle holds a `+` sent right after a tagged reply until the delayed ACK (~40 ms).
      s.setNoDelay(true);
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d: Buffer) => {
      recorded.push(d);
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      const out = filter ? filter(d) : d;
      if (out === null) return;
      if (!('last' in out)) client.write(out);
      else {
        client.end(out.last);
        upstream.destroy();
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    fromClient: () => Buffer.concat(recorded),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The literal markers (`{n}` / `{n+}`) the client sent, in order; literal contents are skipped by byte count. */
function literalMarkers(wire: Buffer): string[] {
  const markers: string[] = [];
  let pos = 0;
  while (pos < wire.length) {
    const eol = wire.indexOf('\r\n', pos);
    if (eol < 0) break;
    const m = /\{(\d+)(\+?)\}$/.exec(wire.toString('latin1', pos, eol));
    pos = eol + 2;
    if (m) {
      markers.push(`${m[1]}${m[2]}`);
      pos += Number(m[1]);
    }
  }
  return markers;
}

// ---------------------------------------------------------------------------------------------
// Against Dovecot
// ---------------------------------------------------------------------------------------------

describe('AppendPipeline against Dovecot', () => {
  const servers: Record<string, DovecotServer> = {};

  before(async () => {
    const variants: Record<string, { capabilities?: string; quota?: boolean; maxMailSize?: string }> = {
      full: {},
      noMulti: { capabilities: capabilitiesWithout('MULTIAPPEND') },
      literalMinus: { capabilities: `${capabilitiesWithout('MULTIAPPEND', 'LITERAL+')} LITERAL-` },
      multiSync: { capabilities: capabilitiesWithout('LITERAL+') },
      bare: { capabilities: capabilitiesWithout('MULTIAPPEND', 'LITERAL+', 'SASL-IR') },
      quota: { quota: true, maxMailSize: '100k' },
    };
    await Promise.all(
      Object.entries(variants).map(async ([name, v]) => {
        const users =
          name === 'quota'
            ? [...USERS, { user: 'full@firma.pl', password: PASSWORD, quotaRule: '*:storage=60K' }]
            : USERS;
        servers[name] = await startDovecot({ flavor: 'destination', users, ...v });
      }),
    );
    await Promise.all(
      Object.values(servers).map((s) => createFolders(s, USERS[0]!.user, FOLDER, ODD_FOLDER)),
    );
  });

  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });

  const modeCases = [
    { server: 'full', mode: 'auto', expect: 'multiappend', commands: 1 },
    { server: 'full', mode: 'pipelined', expect: 'pipelined', commands: 50 },
    { server: 'full', mode: 'sync', expect: 'sync', commands: 50 },
    { server: 'noMulti', mode: 'auto', expect: 'pipelined', commands: 50 },
    { server: 'literalMinus', mode: 'auto', expect: 'pipelined', commands: 50 },
    { server: 'multiSync', mode: 'auto', expect: 'multiappend', commands: 1 },
    { server: 'bare', mode: 'auto', expect: 'sync', commands: 50 },
  ] as const;

  for (const c of modeCases) {
    it(`${c.server} server, mode ${c.mode}: 50 messages arrive as sent (${c.expect})`, async () => {
      const server = servers[c.server]!;
      const proxy = await startProxy(server.port);
      const p = await AppendPipeline.connect(options(server, { port: proxy.port, mode: c.mode }));
      const items = corpus(50);
      const started = performance.now();
      const result = await p.appendBatch(FOLDER, items);
      const ms = performance.now() - started;
      await p.close();
      await proxy.close();
      assert.equal(p.mode, c.expect);
      assert.equal(result.commands, c.commands);
      await assertStored(server, USERS[0]!.user, FOLDER, items, result);

      // The client follows what is advertised, whatever Dovecot would tolerate.
      const markers = literalMarkers(proxy.fromClient());
      const caps = p.capabilities;
      if (c.expect === 'sync' || !(caps.has('LITERAL+') || caps.has('LITERAL-'))) {
        assert.ok(
          markers.every((m) => !m.endsWith('+')),
          `synchronizing literals only: ${markers.join(' ')}`,
        );
      } else if (caps.has('LITERAL+')) {
        assert.ok(
          markers.every((m) => m.endsWith('+')),
          'LITERAL+ literals',
        );
      } else {
        for (const m of markers)
          assert.equal(m.endsWith('+'), parseInt(m, 10) <= 4096, `LITERAL- marker ${m}`);
      }
      console.log(`  ${c.server}/${c.mode} -> ${p.mode}: 50 messages in ${ms.toFixed(0)} ms`);
    });
  }

  it('appends to a folder whose name needs modified UTF-7 and escaping, in every mode', async () => {
    for (const mode of ['multiappend', 'pipelined', 'sync'] as const) {
      const p = await AppendPipeline.connect(options(servers.full!, { mode }));
      const items = corpus(3, 40);
      const result = await p.appendBatch(ODD_FOLDER, items);
      await p.close();
      const { byUid } = await readBack(servers.full!, USERS[0]!.user, ODD_FOLDER);
      for (const [i, o] of result.outcomes.entries()) {
        assert.ok(
          o.ok && o.uid !== undefined && byUid.get(o.uid)?.source.equals(bodyBuffer(items[i]!.raw)),
          `${mode} item ${i}`,
        );
      }
    }
  });

  it('logs in with LOGIN and a synchronizing literal password when SASL-IR and LITERAL+ are absent', async () => {
    const server = servers.bare!;
    const proxy = await startProxy(server.port);
    const p = await AppendPipeline.connect(
      options(server, { port: proxy.port, user: USERS[1]!.user, password: ODD_PASSWORD }),
    );
    await p.close();
    await proxy.close();
    const wire = proxy.fromClient().toString('latin1');
    assert.match(wire, /LOGIN "odd@firma\.pl" \{\d+\}\r\n/);
    assert.doesNotMatch(wire, /AUTHENTICATE/);
  });

  it('reuses one connection for many batches and survives idling past the timeout', async () => {
    const p = await AppendPipeline.connect(options(servers.full!, { timeoutMs: 300 }));
    const first = await p.appendBatch('INBOX', corpus(5));
    await new Promise((r) => setTimeout(r, 700));
    const [a, b] = await Promise.all([
      p.appendBatch('INBOX', corpus(5, 5)),
      p.appendBatch('INBOX', corpus(5, 10)),
    ]);
    await p.close();
    const uids = [first, a, b].flatMap((r) => r.outcomes.map((o) => (o.ok ? o.uid : undefined)));
    assert.equal(new Set(uids).size, 15, 'distinct UIDs in call order');
    assert.deepEqual(
      uids,
      [...uids].sort((x, y) => (x ?? 0) - (y ?? 0)),
    );
  });

  describe('batches written ahead of the reply before them', () => {
    /** The APPEND commands the proxy read, with when (ms from the first). */
    const appendTimes = (commands: readonly { text: string; at: number }[]) => {
      const appends = commands.filter((c) => /^APPEND /i.test(c.text));
      return appends.map((c) => c.at - appends[0]!.at);
    };

    it('once the server has taken a MULTIAPPEND, the next batch goes before the reply to the one before', async () => {
      const server = servers.full!;
      // Replies reach the client 300 ms late: a batch that waited for the one before it would be
      // written at least that long after it.
      const proxy = await createFaultProxy({
        target: { host: '127.0.0.1', port: server.port },
        latencyMs: { toClient: 300 },
      });
      try {
        const p = await AppendPipeline.connect(options(server, { port: proxy.port }));
        const batches = [corpus(4, 100), corpus(4, 104), corpus(4, 108)];
        const results = await Promise.all(batches.map((b) => p.appendBatch(FOLDER, b)));
        await p.close();
        const [first, second, third] = appendTimes(proxy.commands);
        // The first waits for nothing; the second waits for the first reply (MULTIAPPEND not yet
        // proven on this connection); the third follows the second at once.
        assert.ok(second! - first! >= 300, `second batch after the first reply: ${second! - first!} ms`);
        assert.ok(third! - second! < 150, `third batch written ${third! - second!} ms after the second`);
        for (const [i, r] of results.entries())
          await assertStored(server, USERS[0]!.user, FOLDER, batches[i]!, r);
        const uids = results.flatMap((r) => r.outcomes.map((o) => (o.ok ? o.uid : undefined)));
        assert.deepEqual(
          uids,
          [...uids].sort((x, y) => (x ?? 0) - (y ?? 0)),
          'UIDs in call order',
        );
      } finally {
        await proxy.stop();
      }
    });

    it('a batch refused with NO is sent again one by one; the batch written behind it is stored once', async () => {
      const server = servers.quota!;
      const folder = 'Ahead-refused';
      await createFolders(server, USERS[0]!.user, folder);
      const p = await AppendPipeline.connect(options(server));
      const proven = await p.appendBatch(folder, corpus(3, 200));
      const refused = corpus(5, 210);
      refused[2] = {
        ...refused[2]!,
        raw: Buffer.concat([message(2), Buffer.alloc(150_000, 0x61), Buffer.from('\r\n')]),
      };
      const behind = corpus(5, 220);
      const [a, b] = await Promise.all([p.appendBatch(folder, refused), p.appendBatch(folder, behind)]);
      await p.close();
      assert.ok(proven.outcomes.every((o) => o.ok));
      assert.equal(a.commands, 1 + refused.length, 'MULTIAPPEND, then one by one');
      assert.deepEqual(
        a.outcomes.map((o) => (o.ok ? 'ok' : o.code)),
        ['ok', 'ok', 'LIMIT', 'ok', 'ok'],
      );
      const { byUid } = await readBack(server, USERS[0]!.user, folder);
      assert.equal(byUid.size, 3 + 4 + 5, 'every accepted message once');
      await assertStored(server, USERS[0]!.user, folder, behind, b);
    });

    it('a BAD to a batch leaves the one written behind it confirmed or in doubt, never lost', async () => {
      const server = servers.full!;
      const folder = 'Ahead-bad';
      await createFolders(server, USERS[0]!.user, folder);
      const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port } });
      try {
        const p = await AppendPipeline.connect(options(server, { port: proxy.port }));
        await p.appendBatch(folder, corpus(3, 300));
        // The second MULTIAPPEND is answered BAD by the proxy and never reaches Dovecot.
        proxy.onCommand({ command: /^APPEND /i, at: 'before', action: { respond: '{tag} BAD Simulated' } });
        const second = corpus(4, 310);
        const third = corpus(4, 320);
        const [a, b] = await Promise.allSettled([
          p.appendBatch(folder, second),
          p.appendBatch(folder, third),
        ]);
        await p.close();
        assert.equal(a.status, 'fulfilled', a.status === 'rejected' ? String(a.reason) : '');
        assert.ok(
          a.value.outcomes.every((o) => o.ok),
          'sent again one by one on a new connection',
        );
        const { byUid } = await readBack(server, USERS[0]!.user, folder);
        if (b.status === 'rejected') {
          // Its reply was lost with the connection the BAD closed: the engine resolves it on the retry.
          assert.ok(b.reason instanceof StoreError);
          assert.equal(b.reason.kind, 'connection');
          assert.equal(b.reason.inDoubt, true);
        } else assert.ok(b.value.outcomes.every((o) => o.ok));
        const stored = [...byUid.values()].map((m) => m.source.toString('latin1'));
        assert.equal(new Set(stored).size, stored.length, 'no message twice');
        // The third batch is there if it was confirmed; in doubt, it may or may not be.
        if (b.status === 'fulfilled') assert.equal(stored.length, 3 + 4 + 4);
        else assert.ok([3 + 4, 3 + 4 + 4].includes(stored.length), `${stored.length} stored`);
      } finally {
        await proxy.stop();
      }
    });
  });

  describe('refusals', () => {
    const refusedBatch = (): AppendItem[] => {
      const items = corpus(10, 20);
      items[3] = {
        ...items[3]!,
        raw: Buffer.concat([message(3), Buffer.alloc(150_000, 0x61), Buffer.from('\r\n')]),
      };
      items[6] = { ...items[6]!, raw: Buffer.alloc(0) };
      items[8] = { ...items[8]!, flags: ['k'.repeat(60)] };
      return items;
    };

    for (const mode of ['multiappend', 'pipelined', 'sync'] as const) {
      it(`${mode}: a message the server refuses is named and the others arrive`, async () => {
        const server = servers.quota!;
        const folder = `Refused-${mode}`;
        await createFolders(server, USERS[0]!.user, folder);
        const p = await AppendPipeline.connect(options(server, { mode }));
        const items = refusedBatch();
        const result = await p.appendBatch(folder, items);
        await p.close();
        if (mode === 'multiappend')
          assert.equal(result.commands, 1 + items.length, 'MULTIAPPEND, then one by one');
        const big = result.outcomes[3];
        assert.ok(big && !big.ok);
        assert.equal(big.code, 'LIMIT');
        assert.match(big.text, /larger than the maximum size/);
        const empty = result.outcomes[6];
        assert.ok(empty && !empty.ok);
        assert.match(empty.text, /zero byte/);
        const keyword = result.outcomes[8];
        assert.ok(keyword && !keyword.ok);
        assert.match(keyword.text, /Keyword length too long/);
        const rest = items.filter((_, i) => ![3, 6, 8].includes(i));
        const restResult = { ...result, outcomes: result.outcomes.filter((_, i) => ![3, 6, 8].includes(i)) };
        await assertStored(server, USERS[0]!.user, folder, rest, restResult);
      });
    }

    it('refuses flags and dates IMAP cannot express without sending them (a BAD would desync Dovecot)', async () => {
      const p = await AppendPipeline.connect(options(servers.full!));
      const items = corpus(4);
      items[1] = { ...items[1]!, flags: ['\\Foo'] };
      items[2] = { ...items[2]!, internalDate: new Date(NaN) };
      const result = await p.appendBatch('INBOX', items);
      await p.close();
      assert.deepEqual(
        result.outcomes.map((o) => (o.ok ? 'ok' : o.code)),
        ['ok', 'CLIENTBUG', 'CLIENTBUG', 'ok'],
      );
      assert.equal(result.commands, 1);
    });

    for (const mode of ['multiappend', 'pipelined', 'sync'] as const) {
      it(`${mode}: a missing folder is a trycreate error and nothing is stored`, async () => {
        const p = await AppendPipeline.connect(options(servers.full!, { mode }));
        const err = await expectStoreError(p.appendBatch('Faktury/2099', corpus(5)));
        assert.equal(err.kind, 'refused');
        assert.equal(err.responseCode, 'TRYCREATE');
        assert.equal(err.scope, 'folder');
        assert.equal(err.inDoubt, false);
        assert.match(err.message, /Faktury\/2099/);
        // The connection is still usable afterwards.
        const ok = await p.appendBatch('INBOX', corpus(2));
        assert.ok(ok.outcomes.every((o) => o.ok));
        await p.close();
      });
    }

    it('a full mailbox is an overquota error with the response code', async () => {
      const p = await AppendPipeline.connect(options(servers.quota!, { user: 'full@firma.pl' }));
      const items = corpus(3).map((it) => ({
        ...it,
        raw: Buffer.concat([bodyBuffer(it.raw), Buffer.alloc(30_000, 0x62)]),
      }));
      const err = await expectStoreError(p.appendBatch('INBOX', items));
      await p.close();
      assert.equal(err.kind, 'overquota');
      assert.equal(err.responseCode, 'OVERQUOTA');
      assert.equal(err.inDoubt, false);
    });
  });

  describe('connection and security', () => {
    it('a wrong password is an auth error naming host and user, never the password', async () => {
      const wrong = 'Wr0ng-Pa55-word';
      // Dovecot's auth penalty then delays every later login to that server by ~4 s: use one no later test needs.
      const err = await expectStoreError(
        AppendPipeline.connect(options(servers.literalMinus!, { password: wrong })),
      );
      assert.equal(err.kind, 'auth');
      assert.equal(err.responseCode, 'AUTHENTICATIONFAILED');
      assert.match(err.message, /127\.0\.0\.1:\d+/);
      assert.match(err.message, /anna@firma\.pl/);
      for (const text of [err.message, err.hint ?? '', String(err.stack)]) {
        assert.ok(!text.includes(wrong) && !text.includes(PASSWORD));
      }
    });

    for (const security of ['starttls', 'tls'] as const) {
      it(`${security} works without verification and fails with a tls error against the self-signed cert`, async () => {
        const server = servers.full!;
        const port = security === 'tls' ? server.tlsPort : server.port;
        const p = await AppendPipeline.connect(options(server, { security, port }));
        const items = corpus(3);
        const result = await p.appendBatch('INBOX', items);
        await p.close();
        assert.ok(result.outcomes.every((o) => o.ok));
        const err = await expectStoreError(
          AppendPipeline.connect(options(server, { security, port, tlsVerify: true })),
        );
        assert.equal(err.kind, 'tls');
        assert.match(err.message, /self-signed certificate/);
      });
    }

    it('refuses to log in when STARTTLS is stripped from the greeting', async () => {
      let first = true;
      const proxy = await startProxy(servers.full!.port, (chunk) => {
        if (!first) return chunk;
        first = false;
        return Buffer.from(chunk.toString('latin1').replace(' STARTTLS', ''), 'latin1');
      });
      const err = await expectStoreError(
        AppendPipeline.connect(options(servers.full!, { security: 'starttls', port: proxy.port })),
      );
      await proxy.close();
      assert.equal(err.kind, 'tls');
      assert.match(err.message, /does not offer STARTTLS/);
      const wire = proxy.fromClient().toString('latin1');
      assert.doesNotMatch(wire, /LOGIN|AUTHENTICATE/);
    });

    it('a stalled server times out and the sent messages are in doubt', async () => {
      let loggedIn = false;
      const proxy = await startProxy(servers.full!.port, (chunk) => {
        if (loggedIn) return null;
        if (/ OK .*Logged in/.test(chunk.toString('latin1'))) loggedIn = true;
        return chunk;
      });
      const p = await AppendPipeline.connect(
        options(servers.full!, { port: proxy.port, timeoutMs: 400, mode: 'pipelined' }),
      );
      const started = Date.now();
      const err = await expectStoreError(p.appendBatch('INBOX', corpus(5)));
      await proxy.close();
      assert.equal(err.kind, 'connection');
      assert.equal(err.responseCode, 'TIMEOUT');
      assert.equal(err.inDoubt, true);
      assert.deepEqual(err.outcomes, [undefined, undefined, undefined, undefined, undefined]);
      assert.ok(Date.now() - started < 3000);
      const again = await expectStoreError(p.appendBatch('INBOX', corpus(1)));
      assert.equal(again.kind, 'connection');
      assert.equal(again.inDoubt, false, 'nothing sent on a dead connection');
    });

    it('a connection cut mid-batch reports what was confirmed; the rest are in doubt', async () => {
      const server = servers.full!;
      const folder = 'Cut';
      await createFolders(server, USERS[0]!.user, folder);
      let confirmed = 0;
      const proxy = await startProxy(server.port, (chunk) => {
        confirmed += (chunk.toString('latin1').match(/APPENDUID/g) ?? []).length;
        return confirmed >= 5 ? { last: chunk } : chunk;
      });
      const p = await AppendPipeline.connect(options(server, { port: proxy.port, mode: 'pipelined' }));
      const items = Array.from({ length: 300 }, (_, i) => ({ ...corpus(1, i)[0]!, raw: message(1) }));
      const err = await expectStoreError(p.appendBatch(folder, items));
      await proxy.close();
      assert.equal(err.kind, 'connection');
      assert.equal(err.inDoubt, true);
      const outcomes = err.outcomes ?? [];
      assert.equal(outcomes.length, items.length);
      const known = outcomes.filter((o) => o !== undefined);
      assert.ok(known.length < items.length, 'some messages are in doubt');
      // Every confirmed UID is really there; in-doubt ones may or may not be.
      const { byUid } = await readBack(server, USERS[0]!.user, folder);
      for (const o of known) assert.ok(o.ok && o.uid !== undefined && byUid.has(o.uid));
      assert.ok(byUid.size >= known.length && byUid.size <= items.length);
    });

    it('a server that kicks the user (BYE) fails the next batch with a connection error', async () => {
      const server = servers.full!;
      const p = await AppendPipeline.connect(options(server));
      execFileSync('doveadm', ['-c', join(server.dir, 'dovecot.conf'), 'kick', USERS[0]!.user], {
        stdio: 'ignore',
      });
      await new Promise((r) => setTimeout(r, 300));
      const err = await expectStoreError(p.appendBatch('INBOX', corpus(2)));
      await p.close();
      assert.equal(err.kind, 'connection');
      assert.equal(err.responseCode, 'BYE');
      assert.match(err.message, /Server shutting down/);
      assert.equal(err.inDoubt, false);
    });

    it('refuses a mode the server does not advertise', async () => {
      const err = await expectStoreError(
        AppendPipeline.connect(options(servers.noMulti!, { mode: 'multiappend' })),
      );
      assert.equal(err.kind, 'protocol');
      assert.match(err.message, /MULTIAPPEND/);
      const err2 = await expectStoreError(
        AppendPipeline.connect(options(servers.bare!, { mode: 'pipelined' })),
      );
      assert.match(err2.message, /LITERAL\+ or LITERAL-/);
    });
  });
});
