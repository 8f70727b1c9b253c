/**
 * The hostile IMAP server itself: that it answers a real client (imapflow) like an ordinary
 * server, and that each fault really reaches the wire, read with a raw socket.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { hostileMessage, startHostileServer, type HostileServer } from '../../harness/hostile-server.js';

const USER = 'alice@test.example';
const PASSWORD = 'pw-alice';

/** A raw client that collects bytes (latin1) and can wait for a pattern or a byte count. */
async function raw(port: number) {
  const s = net.connect(port, '127.0.0.1');
  let text = '';
  let received = 0;
  let closed = false;
  s.on('data', (d: Buffer) => {
    received += d.length;
    // Past 1 MB only the count is kept: the endless answers would fill the heap otherwise.
    if (text.length < 1_000_000) text += d.toString('latin1');
  });
  s.on('close', () => (closed = true));
  s.on('error', () => undefined);
  await once(s, 'connect');
  const until = async (done: () => boolean, what: string, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(text.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const c = {
    s,
    text: () => text,
    received: () => received,
    closed: () => closed,
    waitFor: (re: RegExp, ms?: number) => until(() => re.test(text), String(re), ms),
    waitBytes: (n: number, ms?: number) => until(() => received >= n, `${n} bytes`, ms),
    send: (t: string | Buffer) => s.write(t),
    /** Logs in and opens a folder read-only. */
    async open(folder: string) {
      await c.waitFor(/^\* OK .*ready\r\n/m);
      c.send(`a1 LOGIN ${USER} ${PASSWORD}\r\n`);
      await c.waitFor(/^a1 OK/m);
      c.send(`a2 EXAMINE ${folder}\r\n`);
      await c.waitFor(/^a2 (OK|NO|BAD)/m);
    },
  };
  return c;
}

describe('hostile IMAP server', () => {
  let server: HostileServer;
  const clients: net.Socket[] = [];
  const client = async () => {
    const c = await raw(server.port);
    clients.push(c.s);
    return c;
  };

  before(async () => {
    server = await startHostileServer({
      users: {
        [USER]: {
          password: PASSWORD,
          folders: [
            {
              name: 'INBOX',
              messages: [1, 2, 3].map((n) => ({ raw: hostileMessage(n), flags: ['\\Seen'] })),
            },
            { name: 'Archive', messages: [{ raw: hostileMessage(4) }] },
            { name: 'Archive/2023', messages: [] },
            { name: 'Bad\r\nName', messages: [{ raw: hostileMessage(5) }] },
            { name: 'Nul\0Name' },
            { name: 'Caf&AOk', messages: [] },
          ],
        },
        'bob@test.example': { password: 'pw-bob', folders: [{ name: 'INBOX' }, { name: 'Sent' }] },
      },
    });
  });
  after(async () => {
    for (const s of clients) s.destroy();
    await server.stop();
  });

  it('answers imapflow like an ordinary server: list with status, fetch, MULTIAPPEND with APPENDUID', async () => {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      auth: { user: 'bob@test.example', pass: 'pw-bob' },
      logger: false,
    });
    await c.connect();
    try {
      const list = await c.list({ statusQuery: { messages: true, uidNext: true, uidValidity: true } });
      assert.deepEqual(
        list.map((f) => [f.path, f.status?.messages]),
        [
          ['INBOX', 0],
          ['Sent', 0],
        ],
      );
      const appended = await c.append(
        'Sent',
        hostileMessage(7),
        ['\\Seen'],
        new Date('2024-03-05T06:07:08Z'),
      );
      assert.equal(appended && appended.uid, 1);
      await c.mailboxOpen('Sent', { readOnly: true });
      const got = [];
      for await (const m of c.fetch(
        '1:*',
        { uid: true, flags: true, size: true, internalDate: true, source: true, headers: ['message-id'] },
        { uid: true },
      )) {
        got.push(m);
      }
      assert.equal(got.length, 1);
      assert.equal(got[0]!.source!.toString(), hostileMessage(7));
      assert.equal(got[0]!.size, Buffer.byteLength(hostileMessage(7)));
      assert.deepEqual([...got[0]!.flags!], ['\\Seen']);
      assert.equal((got[0]!.internalDate as Date).toISOString(), '2024-03-05T06:07:08.000Z');
      assert.equal(got[0]!.headers!.toString(), 'Message-ID: <hostile-7@test.example>\r\n\r\n');
    } finally {
      await c.logout();
    }
    // MULTIAPPEND (RFC 3502) with LITERAL+: one command, two messages, one APPENDUID range.
    const r = await client();
    await r.waitFor(/ready\r\n/);
    r.send('b1 LOGIN bob@test.example pw-bob\r\n');
    const m1 = hostileMessage(8);
    const m2 = hostileMessage(9);
    r.send(`b2 APPEND INBOX (\\Seen) {${m1.length}+}\r\n${m1} () {${m2.length}+}\r\n${m2}\r\n`);
    await r.waitFor(/^b2 OK \[APPENDUID \d+ 1:2\]/m);
    assert.deepEqual(
      server.messages('bob@test.example', 'INBOX')?.map((m) => m.raw.toString()),
      [m1, m2],
    );
  });

  it('sends names it cannot quote as literals, byte for byte (CR, LF, NUL)', async () => {
    const c = await client();
    await c.open('INBOX');
    c.send('a3 LIST "" "*"\r\n');
    await c.waitFor(/^a3 OK/m);
    assert.match(c.text(), /^\* LIST \(\\HasChildren\) "\/" "Archive"\r\n/m);
    assert.match(c.text(), /^\* LIST \(\\HasNoChildren\) "\/" \{9\}\r\nBad\r\nName\r\n/m);
    assert.ok(c.text().includes('* LIST (\\HasNoChildren) "/" {8}\r\nNul\0Name\r\n'));
    assert.match(c.text(), /^\* LIST \(\\HasNoChildren\) "\/" "Caf&AOk"\r\n/m);
  });

  it('sends an endless line (no CRLF) until the client leaves', async () => {
    const rule = server.fault({ on: 'body', folder: 'INBOX', fault: { kind: 'endless-line' }, times: 1 });
    const c = await client();
    await c.open('INBOX');
    const start = c.received();
    c.send('a3 UID FETCH 1 (UID BODY.PEEK[])\r\n');
    await c.waitBytes(start + 8 * 1024 * 1024, 20_000);
    const line = c.text().slice(c.text().lastIndexOf('a2 OK'));
    assert.match(line, /\r\n\* 1 FETCH \(UID 1 x+$/);
    assert.ok(!c.text().slice(c.text().indexOf('* 1 FETCH')).includes('\n'), 'no line end');
    c.s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const sent = rule.sent;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(rule.sent, sent, 'the server stops when the client has gone');
  });

  it('sends a long but finite line, then the normal answer', async () => {
    server.fault({ on: 'examine', fault: { kind: 'endless-line', bytes: 300_000 }, times: 1 });
    const c = await client();
    await c.open('INBOX');
    assert.match(c.text(), /\r\n\* OK x{300000}\r\n\* FLAGS/);
    assert.match(c.text(), /^a2 OK \[READ-ONLY\]/m);
  });

  it('announces a giant literal and sends filler', async () => {
    const rule = server.fault({
      on: 'body',
      fault: { kind: 'giant-literal', announce: 2 ** 40, send: 3_000_000 },
      times: 1,
    });
    const c = await client();
    await c.open('INBOX');
    c.send('a3 UID FETCH 2 (UID BODY.PEEK[])\r\n');
    await c.waitFor(/\* 2 FETCH \(UID 2 BODY\[\] \{1099511627776\}\r\n/);
    await c.waitBytes(3_000_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rule.sent, 3_000_000);
    assert.doesNotMatch(c.text(), /^a3 /m, 'the command never completes');
  });

  it('sends a body larger than the RFC822.SIZE it announced', async () => {
    server.fault({
      on: 'body',
      folder: 'Archive',
      fault: { kind: 'oversize-body', extra: 1_000_000 },
      times: 1,
    });
    const c = await client();
    await c.open('Archive');
    c.send('a3 UID FETCH 1:* (UID RFC822.SIZE)\r\n');
    await c.waitFor(/^a3 OK/m);
    const size = Number(/RFC822\.SIZE (\d+)/.exec(c.text())?.[1]);
    assert.equal(size, Buffer.byteLength(hostileMessage(4)));
    c.send('a4 UID FETCH 1 (UID BODY.PEEK[])\r\n');
    await c.waitFor(/^a4 OK/m, 10_000);
    const announced = Number(/BODY\[\] \{(\d+)\}/.exec(c.text())?.[1]);
    assert.equal(announced, size + 1_000_000);
    assert.ok(c.received() > announced);
  });

  it('puts UID 0 and UIDs above 2^32-1 in FETCH responses', async () => {
    for (const uid of [0, 2 ** 32, 2 ** 53]) {
      server.fault({ on: 'scan', user: USER, folder: 'INBOX', fault: { kind: 'uid', uid }, times: 1 });
      const c = await client();
      await c.open('INBOX');
      c.send('a3 UID FETCH 1:* (UID FLAGS RFC822.SIZE)\r\n');
      await c.waitFor(/^a3 OK/m);
      const uids = [...c.text().matchAll(/FETCH \(UID (\d+)/g)].map((m) => Number(m[1]));
      assert.deepEqual(uids, [uid, uid, uid]);
    }
  });

  it('answers BAD to a MULTIAPPEND only, and the next command is read normally', async () => {
    const rule = server.fault({
      on: 'multiappend',
      fault: { kind: 'bad', text: 'MULTIAPPEND not supported' },
    });
    const c = await client();
    await c.open('INBOX');
    const m = hostileMessage(10);
    c.send(`a3 APPEND Archive {${m.length}}\r\n`);
    await c.waitFor(/^\+ /m);
    c.send(`${m} {${m.length}}\r\n`);
    await c.waitFor(/^\+ [\s\S]*^\+ /m);
    c.send(`${m}\r\n`);
    await c.waitFor(/^a3 BAD MULTIAPPEND not supported/m);
    c.send(`a4 APPEND Archive {${m.length}+}\r\n${m}\r\n`);
    await c.waitFor(/^a4 OK \[APPENDUID \d+ 2\]/m);
    assert.equal(rule.fired, 1);
    rule.cancel();
  });

  it('stalls a command without closing, and faults one user only', async () => {
    server.fault({ on: 'status', user: USER, folder: 'Archive', fault: { kind: 'stall' } });
    const c = await client();
    await c.open('INBOX');
    c.send('a3 STATUS Archive (MESSAGES)\r\n');
    const b = await client();
    await b.waitFor(/ready/);
    b.send('b1 LOGIN bob@test.example pw-bob\r\nb2 STATUS Sent (MESSAGES)\r\n');
    await b.waitFor(/^b2 OK/m);
    await new Promise((r) => setTimeout(r, 200));
    assert.doesNotMatch(c.text(), /^a3 /m);
    assert.equal(c.closed(), false);
  });
});
