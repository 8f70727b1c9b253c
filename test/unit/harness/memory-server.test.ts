/**
 * The in-memory servers the engine's unit tests run against: the IMAP semantics the engine relies
 * on (UIDs, APPENDUID, all-or-nothing MULTIAPPEND, TRYCREATE, PERMANENTFLAGS, \Recent, CREATE of
 * parents, modseqs, quota), persistence to the JSON file, and the stores' errors and faults as the
 * IMAP stores report them.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Endpoint } from '../../../src/core/endpoint.js';
import { StoreError } from '../../../src/core/errors.js';
import { MemoryMailbox, MemoryNetwork } from '../../harness/memory-server.js';
import {
  connectMemoryAppender,
  connectMemoryBodyReader,
  connectMemoryDestination,
  connectMemoryReader,
  RECYCLED_BYTE,
} from '../../harness/memory-stores.js';
import { mail } from '../../harness/memory-company.js';

const HOST = 'imap.memory';
const USER = 'ala@acme.example';
const PASSWORD = 'secret-ala';

let dir: string;
let fileNo = 0;

/** A fresh network with one server and one account, in its own file. */
function network(caps: string[] = ['IMAP4REV1', 'UIDPLUS', 'CONDSTORE', 'MULTIAPPEND', 'LIST-STATUS']): {
  net: MemoryNetwork;
  box: MemoryMailbox;
  file: string;
} {
  const file = join(dir, `servers-${++fileNo}.json`);
  const net = MemoryNetwork.create(file, { [HOST]: { capabilities: caps, delimiter: '/' } });
  const box = net.server(HOST)!.addAccount(USER, PASSWORD, { folders: [{ path: 'Archive/2024' }] });
  return { net, box, file };
}

function endpoint(password = PASSWORD, host = HOST): Endpoint {
  return {
    side: 'destination',
    server: {
      host,
      port: 143,
      security: 'none',
      tlsVerify: true,
      maxConnections: 10,
      maxConnectionsTotal: 40,
      timeoutMs: 1000,
    },
    user: USER,
    secret: async () => ({ kind: 'password', value: password }),
  };
}

const raw = (id: string) => mail({ from: 'a@x.example', to: USER, subject: id, id, day: 1 });
const item = (id: string, flags: string[] = []) => ({
  raw: raw(id),
  flags,
  internalDate: new Date(Date.UTC(2025, 0, 2)),
});

/** What a promise rejected with (fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, `a StoreError, not ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/** The flags a FETCH of the first INBOX message reports. */
const fetched = (box: MemoryMailbox) => MemoryMailbox.fetchedFlags(box.messages('INBOX')[0]!);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailshift-memory-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('memory server: the IMAP semantics the engine relies on', () => {
  it('gives growing UIDs that are never reused, and APPENDUID with the folder UIDVALIDITY', () => {
    const { box } = network();
    const first = box.append('INBOX', [item('a'), item('b')]);
    assert.equal(first.status, 'OK');
    assert.deepEqual(first.status === 'OK' && first.uids, [1, 2]);
    box.expunge('INBOX', [2]);
    const next = box.append('INBOX', [item('c')]);
    assert.deepEqual(next.status === 'OK' && next.uids, [3], 'UID 2 is not given again');
    const inbox = box.folder('INBOX')!;
    assert.equal(next.status === 'OK' && next.uidValidity, inbox.uidValidity);
    assert.deepEqual(
      box.messages('INBOX').map((m) => m.uid),
      [1, 3],
    );
    assert.equal(box.status('INBOX').uidNext, 4);
  });

  it('stores all of a MULTIAPPEND or none (RFC 3502), and refuses APPEND to a missing folder with TRYCREATE', () => {
    const file = join(dir, 'refusing.json');
    const net = MemoryNetwork.create(file, {
      [HOST]: { refuse: [{ contains: 'Subject: bad', text: 'no thanks' }] },
    });
    const box = net.server(HOST)!.addAccount(USER, PASSWORD);
    const r = box.append('INBOX', [item('good'), item('bad')]);
    assert.deepEqual(r, { status: 'NO', text: 'no thanks' });
    assert.equal(box.messages('INBOX').length, 0, 'nothing of the refused command is stored');
    assert.deepEqual(box.append('Nowhere', [item('x')]), {
      status: 'NO',
      code: 'TRYCREATE',
      text: "Mailbox doesn't exist: Nowhere",
    });
  });

  it('keeps only what PERMANENTFLAGS admit, never stores \\Recent, and reports \\Recent until a SELECT', () => {
    const file = join(dir, 'flags.json');
    const net = MemoryNetwork.create(file, {
      [HOST]: { permanentFlags: ['\\Seen', '\\Flagged'], capabilities: ['IMAP4REV1'] },
    });
    const box = net.server(HOST)!.addAccount(USER, PASSWORD);
    box.append('INBOX', [item('a', ['\\Seen', '\\Recent', '$Forwarded', '\\Answered', '\\seen'])]);
    const [m] = box.messages('INBOX');
    assert.deepEqual(m!.flags, ['\\Seen'], 'keyword, \\Answered and the repeat dropped');
    assert.deepEqual(fetched(box), ['\\Seen', '\\Recent']);
    const examined = box.open('INBOX', true);
    assert.deepEqual(examined.permanentFlags, [], 'a read-only session gets no PERMANENTFLAGS');
    assert.deepEqual(fetched(box), ['\\Seen', '\\Recent'], 'EXAMINE leaves \\Recent');
    assert.deepEqual(box.open('INBOX', false).permanentFlags, ['\\Seen', '\\Flagged']);
    assert.deepEqual(fetched(box), ['\\Seen'], 'SELECT takes \\Recent away');
  });

  it('creates missing parents with CREATE, refuses an existing name, and counts modseqs', () => {
    const { box } = network();
    box.createFolder('Klienci/Wa\u017cne/2025');
    assert.ok(box.folder('Klienci') && box.folder('Klienci/Wa\u017cne'));
    assert.throws(
      () => box.createFolder('Klienci'),
      (e: unknown) => e instanceof StoreError && e.responseCode === 'ALREADYEXISTS',
    );
    const before = box.status('INBOX').highestModseq;
    box.append('INBOX', [item('a')]);
    box.storeFlags('INBOX', 1, ['\\Seen']);
    assert.equal(Number(box.status('INBOX').highestModseq), Number(before) + 2);
    assert.deepEqual(
      box.messages('INBOX', 1, Number(before) + 1).map((m) => m.flags),
      [['\\Seen']],
      'CHANGEDSINCE sees the flag change only',
    );
  });

  it('refuses what would pass the quota with OVERQUOTA', () => {
    const file = join(dir, 'quota.json');
    const net = MemoryNetwork.create(file, { [HOST]: {} });
    const box = net.server(HOST)!.addAccount(USER, PASSWORD, { quota: raw('a').length + 10 });
    assert.equal(box.append('INBOX', [item('a')]).status, 'OK');
    const r = box.append('INBOX', [item('b')]);
    assert.equal(r.status === 'NO' && r.code, 'OVERQUOTA');
    assert.deepEqual(box.quota(), { usage: raw('a').length, limit: raw('a').length + 10 });
  });

  it('writes every change to its file at once, whole', () => {
    const { net, box, file } = network();
    box.append('INBOX', [item('a')]);
    const reread = MemoryNetwork.open(file).server(HOST)!.mailbox(USER)!;
    assert.equal(reread.messages('INBOX').length, 1, 'another process sees the stored message');
    assert.ok(net.path === file && existsSync(file));
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file is left',
    );
  });
});

describe('memory stores: errors and faults as the IMAP stores report them', () => {
  it('refuses a wrong password (auth) and an unknown host (connection, final)', async () => {
    const { net } = network();
    assert.equal((await rejection(connectMemoryReader(net, endpoint('wrong')))).kind, 'auth');
    const unknown = await rejection(connectMemoryReader(net, endpoint(PASSWORD, 'nowhere.memory')));
    assert.equal(unknown.kind, 'connection');
    assert.equal(unknown.final, true);
  });

  it('answers a missing folder with a refusal in the server words, and lists what is there', async () => {
    const { net } = network();
    const reader = await connectMemoryReader(net, endpoint());
    const err = await rejection(reader.status('Nowhere'));
    assert.equal(err.kind, 'refused');
    assert.match(err.message, /STATUS "Nowhere": NO \[NONEXISTENT\]/);
    const listing = await reader.listFolders();
    assert.deepEqual(
      listing.folders.map((f) => [f.path, f.flags[0], f.status?.messages]),
      [
        ['INBOX', '\\HasNoChildren', 0],
        ['Archive', '\\HasChildren', 0],
        ['Archive/2024', '\\HasNoChildren', 0],
      ],
    );
  });

  it('drops the connection at the nth call: that call and every later one fail as lost', async () => {
    const { net } = network();
    net.addFault({ server: HOST, op: 'status', nth: 2, action: { kind: 'drop' } });
    const reader = await connectMemoryReader(net, endpoint());
    await reader.status('INBOX');
    assert.equal((await rejection(reader.status('INBOX'))).kind, 'connection');
    assert.equal((await rejection(reader.listFolders())).kind, 'connection');
    assert.equal(net.faults[0]!.fired, 1);
    const again = await connectMemoryReader(MemoryNetwork.open(net.path), endpoint());
    await again.status('INBOX');
    await again.status('INBOX'); // fired already, in an earlier "process"
  });

  it('an APPEND stored but unanswered is in doubt; throttling names its wait; a refused MULTIAPPEND is retried one by one', async () => {
    const { net, file } = network();
    net.addFault({ server: HOST, op: 'append', nth: 1, action: { kind: 'drop', after: true } });
    net.addFault({ server: HOST, op: 'append', nth: 2, action: { kind: 'throttle', waitMs: 250 } });
    net.addFault({
      server: HOST,
      op: 'append',
      nth: 3,
      action: { kind: 'refuse', text: 'try one at a time' },
    });
    const appender = await connectMemoryAppender(net, endpoint());
    assert.equal(appender.mode, 'multiappend');
    const lost = await rejection(appender.appendBatch('INBOX', [item('a'), item('b')]));
    assert.equal(lost.kind, 'connection');
    assert.equal(lost.inDoubt, true);
    const box = () => MemoryNetwork.open(file).server(HOST)!.mailbox(USER)!;
    assert.equal(box().messages('INBOX').length, 2, 'the server stored the batch before the connection went');

    const next = await connectMemoryAppender(net, endpoint());
    const throttled = await rejection(next.appendBatch('INBOX', [item('c'), item('d')]));
    assert.equal(throttled.kind, 'throttled');
    assert.equal(throttled.waitMs, 250);
    const result = await next.appendBatch('INBOX', [item('c'), item('d', ['$Done'])]);
    assert.equal(result.commands, 3, 'one MULTIAPPEND, then one APPEND per message');
    assert.deepEqual(
      result.outcomes.map((o) => o.ok && o.uid),
      [3, 4],
    );
    assert.equal(result.uidValidity, box().folder('INBOX')!.uidValidity);
  });

  it('names a refused message and stores the others; refuses a missing folder with TRYCREATE; checks flags on the client', async () => {
    const file = join(dir, 'refuse-one.json');
    const net = MemoryNetwork.create(file, {
      [HOST]: {
        capabilities: ['IMAP4REV1', 'UIDPLUS', 'MULTIAPPEND'],
        refuse: [{ contains: 'Subject: b', text: 'spam' }],
      },
    });
    net.server(HOST)!.addAccount(USER, PASSWORD);
    const appender = await connectMemoryAppender(net, endpoint());
    const r = await appender.appendBatch('INBOX', [item('a'), item('b'), item('c', ['bad keyword'])]);
    assert.deepEqual(
      r.outcomes.map((o) => (o.ok ? 'ok' : `${o.code ?? ''}:${o.text.slice(0, 9)}`)),
      ['ok', ':spam', 'CLIENTBUG:not sent:'],
    );
    const missing = await rejection(appender.appendBatch('Nowhere', [item('x'), item('y')]));
    assert.equal(missing.kind, 'refused');
    assert.equal(missing.responseCode, 'TRYCREATE');
  });

  it('leaves expunged UIDs out of a FETCH and overwrites recycled bodies', async () => {
    const { net, box } = network();
    box.append('INBOX', [item('a'), item('b'), item('c')]);
    box.expunge('INBOX', [2]);
    const reader = await connectMemoryBodyReader(net, endpoint());
    await assert.rejects(reader.fetch([1]), /called before open/);
    const st = await reader.open('INBOX');
    assert.equal(st.messages, 2);
    const metas = await reader.scan(1);
    assert.deepEqual(
      metas.map((m) => [m.uid, m.messageId, m.flags]),
      [
        [1, '<a@acme.example>', ['\\Recent']],
        [3, '<c@acme.example>', ['\\Recent']],
      ],
    );
    const bodies = await reader.fetch([1, 2, 3]);
    assert.deepEqual([...bodies.keys()], [1, 3]);
    const body = bodies.get(1) as Buffer;
    assert.deepEqual(body, raw('a'));
    reader.recycle([body]);
    assert.ok(body.every((b) => b === RECYCLED_BYTE));
  });

  it('creates folders with their parents, subscribed; SELECT announces PERMANENTFLAGS and refuses a missing folder', async () => {
    const { net, file } = network();
    const dst = await connectMemoryDestination(net, endpoint());
    const known = { delimiter: '/', existing: new Set(['INBOX']) };
    await dst.createFolder('Projekty/Nowy', known);
    assert.deepEqual([...known.existing], ['INBOX', 'Projekty', 'Projekty/Nowy']);
    const box = MemoryNetwork.open(file).server(HOST)!.mailbox(USER)!;
    assert.equal(box.folder('Projekty')!.subscribed, true);
    const opened = await dst.openForAppend('Projekty/Nowy');
    assert.ok(opened.permanentFlags.includes('\\*'));
    assert.equal((await rejection(dst.openForAppend('Nowhere'))).kind, 'refused');
  });
});
