/**
 * The benchmark's latency proxy (bench/latency-proxy.ts) against plain TCP ends on 127.0.0.1: each
 * direction is delayed, and what one side sent before closing still reaches the other side (a
 * server's last reply after LOGOUT, a client's last command), as a network path delivers it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startLatencyProxy, type LatencyProxy } from '../../../bench/latency-proxy.js';

const LATENCY_MS = 15;

/** A server whose behaviour each test sets: `onClient` runs for every accepted socket. */
function server(): Promise<{
  port: number;
  onClient: (f: (s: net.Socket) => void) => void;
  close(): Promise<void>;
}> {
  let handler: (s: net.Socket) => void = () => {};
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    handler(s);
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        onClient: (f) => {
          handler = f;
        },
        close: async () => {
          for (const s of sockets) s.destroy();
          await new Promise<void>((r) => srv.close(() => r()));
        },
      }),
    ),
  );
}

/** Everything a socket receives until the other side closes. */
async function readAll(s: net.Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  await once(s, 'end');
  return Buffer.concat(parts);
}

describe('latency proxy', () => {
  let target: Awaited<ReturnType<typeof server>>;
  let proxy: LatencyProxy;

  before(async () => {
    target = await server();
    proxy = await startLatencyProxy({
      target: { host: '127.0.0.1', port: target.port },
      latencyMs: LATENCY_MS,
    });
  });
  after(async () => {
    await proxy.close();
    await target.close();
  });

  it('delays each direction and delivers all a server sent before it closed', async () => {
    // 4 MiB, then the server closes at once: the proxy still holds the last chunks when it sees the end.
    const body = Buffer.alloc(4 * 1024 * 1024, 'x');
    body.write('first', 0);
    body.write('last!', body.length - 5);
    target.onClient((s) => {
      s.once('data', () => s.end(body));
    });
    const c = net.connect(proxy.port, '127.0.0.1');
    await once(c, 'connect');
    const sent = performance.now();
    c.write('a LOGOUT\r\n');
    const got = await readAll(c);
    const elapsed = performance.now() - sent;
    c.destroy();
    assert.equal(got.length, body.length);
    assert.ok(got.equals(body), 'the bytes arrive whole and in order');
    assert.ok(elapsed >= 2 * LATENCY_MS - 2, `a round trip took ${elapsed.toFixed(1)} ms`);
  });

  it('delivers what a client sent before it closed', async () => {
    const received = new Promise<string>((resolve) =>
      target.onClient((s) => {
        void readAll(s).then((b) => {
          s.end();
          resolve(b.toString('latin1'));
        });
      }),
    );
    const c = net.connect(proxy.port, '127.0.0.1');
    await once(c, 'connect');
    c.end('a LOGOUT\r\n');
    assert.equal(await received, 'a LOGOUT\r\n');
    c.destroy();
  });

  it('counts the commands a client sends', async () => {
    target.onClient((s) => {
      s.on('data', () => {});
      s.on('end', () => s.end());
    });
    proxy.resetCounts();
    const c = net.connect(proxy.port, '127.0.0.1');
    await once(c, 'connect');
    c.end('a1 LOGIN u p\r\na2 APPEND INBOX {5}\r\nhello\r\na3 UID FETCH 1:* (FLAGS)\r\n');
    await once(c, 'close');
    assert.deepEqual([...proxy.commands()].sort(), [
      ['APPEND', 1],
      ['LOGIN', 1],
      ['UID FETCH', 1],
    ]);
  });
});
