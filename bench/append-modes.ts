/**
 * Messages per second of each write mode of src/imap/append-pipeline.ts against a real Dovecot
 * (fsync on, as in PERFORMANCE.md), on loopback and through a 30 ms round-trip latency proxy, with
 * imapflow's one-APPEND-at-a-time `append` as the reference measured in the same session.
 * Every run appends to a fresh folder and checks the server's message count afterwards.
 *
 * Usage: tsx bench/append-modes.ts [--count 2000] [--batch 100] [--connections 1] [--latency 0,15]
 *        [--slow-count 300] [--no-fsync]
 * `--latency` is per direction (15 = 30 ms round trip); one-at-a-time modes behind latency append
 * `--slow-count` messages only, as they cost two round trips each.
 */
import type { ImapFlow } from 'imapflow';
import { AppendPipeline, type AppendMode } from '../src/imap/append-pipeline.js';
import { type AppendItem } from '../src/core/ports.js';
import { bodyBuffer } from '../src/core/body.js';
import { connectPlain, startDovecot } from '../test/harness/dovecot.js';
import { startLatencyProxy } from './latency-proxy.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const COUNT = Number(arg('count', '2000'));
const BATCH = Number(arg('batch', '100'));
const CONNECTIONS = Number(arg('connections', '1'));
const SLOW_COUNT = Number(arg('slow-count', '300'));
const LATENCIES = arg('latency', '0,15').split(',').map(Number);
const FSYNC = !process.argv.includes('--no-fsync');
const USER = { user: 'bench@firma.pl', password: 'bench-pw' };

/** Small messages, 1.5-4 KB, as most of a mailbox is. */
function corpus(n: number): AppendItem[] {
  return Array.from({ length: n }, (_, i) => ({
    raw: Buffer.from(
      `From: a@firma.pl\r\nTo: b@firma.pl\r\nSubject: bench ${i}\r\nMessage-ID: <b${i}@firma.pl>\r\n\r\n` +
        `Line of text number ${i}.\r\n`.repeat(50 + (i % 100)),
    ),
    flags: i % 3 === 0 ? ['\\Seen', '$label1'] : ['\\Seen'],
    internalDate: new Date(Date.UTC(2020, i % 12, 1 + (i % 28))),
  }));
}

type Runner = 'imapflow' | AppendMode;

async function run(runner: Runner, port: number, folder: string, items: AppendItem[]): Promise<number> {
  const started = performance.now();
  if (runner === 'imapflow') {
    const client = await connectPlain({ host: '127.0.0.1', port }, USER.user, USER.password);
    for (const it of items) await client.append(folder, bodyBuffer(it.raw), [...it.flags], it.internalDate);
    await client.logout();
  } else {
    const batches: AppendItem[][] = [];
    for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, c) => {
        const p = await AppendPipeline.connect({
          host: '127.0.0.1',
          port,
          security: 'none',
          tlsVerify: false,
          ...USER,
          timeoutMs: 60_000,
          mode: runner,
        });
        for (let b = c; b < batches.length; b += CONNECTIONS) {
          const r = await p.appendBatch(folder, batches[b] ?? []);
          if (!r.outcomes.every((o) => o.ok))
            throw new Error(`${runner}: ${JSON.stringify(r.outcomes.find((o) => !o.ok))}`);
        }
        await p.close();
      }),
    );
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  const server = await startDovecot({ flavor: 'destination', users: [USER], fsync: FSYNC });
  const rows: string[] = [];
  let admin: ImapFlow | undefined;
  try {
    admin = await connectPlain(server, USER.user, USER.password);
    for (const latency of LATENCIES) {
      const proxy =
        latency > 0
          ? await startLatencyProxy({ target: { host: server.host, port: server.port }, latencyMs: latency })
          : undefined;
      const port = proxy?.port ?? server.port;
      for (const runner of ['multiappend', 'pipelined', 'sync', 'imapflow'] as const) {
        const oneAtATime = runner === 'sync' || runner === 'imapflow';
        const n = latency > 0 && oneAtATime ? Math.min(SLOW_COUNT, COUNT) : COUNT;
        const folder = `bench-${runner}-${latency}`;
        await admin.mailboxCreate(folder);
        const items = corpus(n);
        const ms = await run(runner, port, folder, items);
        const status = await admin.status(folder, { messages: true });
        const stored = status ? status.messages : undefined;
        if (stored !== n) throw new Error(`${folder}: ${stored} messages on the server, expected ${n}`);
        const conns = runner === 'imapflow' ? 1 : CONNECTIONS;
        rows.push(
          `${String(latency * 2).padStart(3)} ms RTT  ${runner.padEnd(12)} ${String(conns).padStart(2)} conn  ` +
            `${String(n).padStart(5)} msgs  ${(ms / 1000).toFixed(2).padStart(6)} s  ${Math.round(
              (n * 1000) / ms,
            )
              .toString()
              .padStart(5)} msg/s`,
        );
        console.log(rows.at(-1));
      }
      await proxy?.close();
    }
  } finally {
    await admin?.logout().catch(() => undefined);
    await server.stop();
  }
  console.log(
    `\nDovecot ${FSYNC ? 'fsync on' : 'fsync off'}, batches of ${BATCH}, ~1.5-4 KB messages, one mailbox per row`,
  );
}

await main();
