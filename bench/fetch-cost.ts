/**
 * What a metadata scan costs the server, with and without the identity header fields: one INBOX
 * copied by mailshift (so the destination's messages arrived by APPEND, as in verify after a run),
 * then on each side, in this order, sessions of LOGIN, EXAMINE, one `UID FETCH 1:*` and LOGOUT on
 * a plain socket, and the CPU of the server's whole process tree for each. Dovecot caches header
 * fields once asked for them, so the first scan with them is the one a first verify pays.
 *
 *   npm run build && npx tsx bench/fetch-cost.ts --messages 20000
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IDENTITY_HEADERS } from '../src/core/identity.js';
import { corpusUsers, writeLayout } from '../test/harness/corpus.js';
import { startDovecot, type DovecotServer } from '../test/harness/dovecot.js';
import { dovecotConfig } from './options.js';
import { plainSession } from './plain-session.js';
import { dovecotMasterPid, treeCpuSeconds } from './processes.js';
import { CLI, writeBenchPlan } from './run-mailshift.js';
import { SHAPES } from './shapes.js';

const LEAN = 'UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)';
const WITH_HEADERS = `UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (${IDENTITY_HEADERS.join(' ').toUpperCase()})])`;

async function measure(name: string, server: DovecotServer, user: { user: string; password: string }) {
  const pid = dovecotMasterPid(server.dir);
  if (pid === undefined) throw new Error(`no Dovecot master process for the ${name}`);
  const steps = [
    ['without header fields', LEAN],
    ['with the identity header fields', WITH_HEADERS],
    ['with them again', WITH_HEADERS],
  ] as const;
  for (const [label, command] of steps) {
    const cpu0 = treeCpuSeconds(pid);
    const bytes = await plainSession(server.port, user, ['EXAMINE INBOX', command]);
    const cpu = treeCpuSeconds(pid) - cpu0;
    process.stdout.write(
      `${name}, ${label}: ${cpu.toFixed(2)} s of server CPU, ${(bytes / 1e6).toFixed(1)} MB\n`,
    );
  }
}

const { values } = parseArgs({ options: { messages: { type: 'string', default: '20000' } } });
const layout = SHAPES.inbox30k.layout({ seed: 1, quick: false, inboxMessages: Number(values.messages) });
const users = corpusUsers({ accounts: layout.accounts.length });
const config = dovecotConfig({ dovecot: 'default' });
const src = await startDovecot({ flavor: 'source', users, fsync: true, ...config });
const dst = await startDovecot({ flavor: 'destination', users, fsync: true, ...config });
const dir = mkdtempSync(join(tmpdir(), 'mailshift-fetch-cost-'));
try {
  writeLayout(src, layout);
  const address = (s: DovecotServer) => ({ host: '127.0.0.1', port: s.port });
  const plan = writeBenchPlan({ dir, source: address(src), destination: address(dst), users, limits: {} });
  execFileSync(process.execPath, [CLI, 'run', plan, '--state-dir', join(dir, 'state'), '--json'], {
    stdio: 'ignore',
  });
  process.stdout.write(`one INBOX of ${values.messages} messages, copied by mailshift\n`);
  await measure('destination', dst, users[0]!);
  await measure('source', src, users[0]!);
} finally {
  await src.stop();
  await dst.stop();
  rmSync(dir, { recursive: true, force: true });
}
