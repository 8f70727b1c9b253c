/**
 * The fault proxy itself, against a scripted fake IMAP server: latency, literal framing, answers in
 * place of the server, cuts at byte counts, stalls, refusals, hidden capabilities, rewritten
 * literals, credentials kept out of what it records, and that stop() closes everything.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';

/** A fake server: greets with CAPABILITY, asks `+` for synchronizing literals, answers OK, or a FETCH literal. */
function fakeServer(): Promise<{ port: number; received: () => string; close: () => Promise<void> }> {
  let received = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.write('* OK [CAPABILITY IMAP4rev1 STARTTLS LITERAL+ AUTH=PLAIN] fake ready\r\n');
    let buf = '';
    let literal = 0;
    let tag: string | undefined;
    let command = '';
    s.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      buf += d.toString('latin1');
      for (;;) {
        if (literal > 0) {
          const n = Math.min(literal, buf.length);
          buf = buf.slice(n);
          literal -= n;
          if (literal > 0) return;
        }
        const nl = buf.indexOf('\r\n');
        if (nl === -1) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        tag ??= line.split(' ')[0];
        command += line;
        const m = /\{(\d+)(\+?)\}$/.exec(line);
        if (m) {
          literal = Number(m[1]);
          if (!m[2]) s.write('+ go ahead\r\n');
          continue;
        }
        if (/ FETCH /i.test(command))
          s.write(`* 1 FETCH (UID 1 BODY[] {11}\r\nhello\r\nbody)\r\n${tag} OK done\r\n`);
        else s.write(`${tag} OK done\r\n`);
        tag = undefined;
        command = '';
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        received: () => received,
        close: async () => {
          for (const s of sockets) s.destroy();
          await new Promise<void>((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

/** A client that collects what it receives and can wait for a pattern. */
async function client(port: number) {
  const s = net.connect(port, '127.0.0.1');
  let text = '';
  let closed = false;
  s.on('data', (d: Buffer) => (text += d.toString('latin1')));
  s.on('close', () => (closed = true));
  s.on('error', () => undefined);
  await once(s, 'connect');
  const waitFor = async (re: RegExp, ms = 2000) => {
    const deadline = Date.now() + ms;
    while (!re.test(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got ${JSON.stringify(text)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { s, text: () => text, closed: () => closed, waitFor, send: (t: string) => s.write(t) };
}

describe('fault proxy', () => {
  let server: Awaited<ReturnType<typeof fakeServer>>;
  const proxies: FaultProxy[] = [];
  const start = async (latencyMs = 0) => {
    const p = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port }, latencyMs });
    proxies.push(p);
    return p;
  };

  before(async () => {
    server = await fakeServer();
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
    await server.close();
  });

  it('adds latency each way', async () => {
    const p = await start(40);
    const c = await client(p.port);
    await c.waitFor(/fake ready/);
    const t0 = Date.now();
    c.send('a1 NOOP\r\n');
    await c.waitFor(/a1 OK/);
    assert.ok(Date.now() - t0 >= 80, `round trip ${Date.now() - t0} ms`);
    c.s.destroy();
  });

  it('answers a command with a literal in place of the server, and sends on the others as LITERAL+', async () => {
    const p = await start();
    const refusal = p.onCommand({
      command: 'APPEND',
      literal: (b) => b.includes('bad'),
      times: Infinity,
      action: { respond: '{tag} NO [PARSE] refused by the proxy' },
    });
    const c = await client(p.port);
    await c.waitFor(/fake ready/);
    c.send('a1 APPEND INBOX {5}\r\n');
    await c.waitFor(/^\+ /m);
    c.send('a bad\r\n');
    await c.waitFor(/a1 NO \[PARSE\] refused by the proxy/);
    c.send('a2 APPEND INBOX {6}\r\n');
    await c.waitFor(/^\+ [^\n]*\n[\s\S]*^\+ /m);
    c.send('a good\r\n');
    await c.waitFor(/a2 OK done/);
    assert.equal(refusal.fired, 1);
    assert.doesNotMatch(server.received(), /a1 APPEND|a bad/);
    assert.match(server.received(), /a2 APPEND INBOX \{6\+\}\r\na good\r\n/);
    assert.equal((c.text().match(/^\+ /gm) ?? []).length, 2, 'one + per literal, from the proxy only');
    assert.deepEqual(
      p.commands.map((x) => x.text),
      ['APPEND INBOX {5}', 'APPEND INBOX {6}'],
    );
    c.s.destroy();
  });

  it('cuts inside a FETCH response after n bytes, and stalls without closing', async () => {
    const p = await start();
    p.onCommand({ command: /^UID FETCH/, at: { serverBytes: 30 }, action: 'cut' });
    const c = await client(p.port);
    await c.waitFor(/fake ready/);
    const before = c.text().length;
    c.send('a1 UID FETCH 1 BODY.PEEK[]\r\n');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.closed(), true);
    assert.equal(c.text().length - before, 30);

    p.onCommand({ command: 'NOOP', at: 'sent', action: 'stall' });
    const d = await client(p.port);
    await d.waitFor(/fake ready/);
    d.send('b1 NOOP\r\n');
    await new Promise((r) => setTimeout(r, 100));
    assert.match(server.received(), /b1 NOOP/);
    assert.doesNotMatch(d.text(), /b1 OK/);
    assert.equal(d.closed(), false, 'a stalled connection stays open');
    d.s.destroy();
  });

  it('refuses connections with a BYE greeting or by not listening, then accepts again', async () => {
    const p = await start();
    p.refuse({ mode: 'bye', count: 1 });
    const c = await client(p.port);
    await c.waitFor(/\* BYE \[UNAVAILABLE\] Too many connections/);
    const d = await client(p.port);
    await d.waitFor(/fake ready/);
    p.refuse({ mode: 'unlisten', forMs: 150 });
    await assert.rejects(client(p.port), /ECONNREFUSED/);
    await new Promise((r) => setTimeout(r, 250));
    const e = await client(p.port);
    await e.waitFor(/fake ready/);
    assert.equal(p.refused, 1);
    for (const x of [c, d, e]) x.s.destroy();
  });

  it('hides capabilities and rewrites server literals with their size', async () => {
    const p = await start();
    p.hideCapabilities(['STARTTLS']);
    p.rewriteServerLiterals((b) => (b.includes('hello') ? Buffer.from('hi\nthere') : undefined));
    const c = await client(p.port);
    await c.waitFor(/fake ready/);
    assert.match(c.text(), /\[CAPABILITY IMAP4rev1 LITERAL\+ AUTH=PLAIN\]/);
    c.send('a1 UID FETCH 1 BODY.PEEK[]\r\n');
    await c.waitFor(/a1 OK/);
    assert.match(c.text(), /BODY\[\] \{8\}\r\nhi\nthere\)\r\n/);
    c.s.destroy();
  });

  it('keeps credentials out of the commands it records: LOGIN, AUTHENTICATE and its SASL answer', async () => {
    const p = await start();
    const c = await client(p.port);
    await c.waitFor(/fake ready/);
    const answer = Buffer.from('\0kontakt\0Tajne-Haslo').toString('base64');
    c.send('a1 AUTHENTICATE PLAIN\r\n');
    await c.waitFor(/a1 OK/);
    c.send(`${answer}\r\n`);
    await c.waitFor(new RegExp(`${answer.replace(/[+/=]/g, '.')} OK`));
    c.send('a2 LOGIN kontakt Tajne-Haslo\r\na3 NOOP\r\n');
    await c.waitFor(/a3 OK/);
    assert.deepEqual(
      p.commands.map((x) => [x.tag, x.text]),
      [
        ['a1', 'AUTHENTICATE PLAIN ...'],
        ['a2', 'LOGIN ...'],
        ['a3', 'NOOP'],
      ],
    );
    assert.doesNotMatch(JSON.stringify(p.commands), /Tajne|AGtvbnRha/);
    c.s.destroy();
  });

  it('stop() closes every connection it holds', async () => {
    const p = await start();
    const c = await client(p.port);
    await c.waitFor(/fake ready/);
    p.stallAll();
    assert.equal(p.open, 1);
    await p.stop();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.closed(), true);
    assert.equal(p.open, 0);
  });
});
