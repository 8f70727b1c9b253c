/**
 * A 25 MB message copies byte-identical while the process's peak memory stays bounded: bodies
 * are held within the byte budget (one oversized message alone), never a folder at a time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { makeBigMessage } from '../harness/big-message.js';
import {
  CLI,
  destinationPassword,
  readMailbox,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';
import type { SampleAccount } from '../harness/sample-company.js';

const BIG = 25 * 1024 * 1024;
/**
 * Measured: 155 MiB with the 25 MB message, over TLS from the source and STARTTLS to the
 * destination (~90 MiB for one tiny message: Node, the bundled code, SQLite). The body reader
 * receives the decrypted message straight into blocks of the body pool and the appender writes
 * those blocks; TLS holds its records for a moment. It was 196-199 MiB before the pool, when
 * socket chunks and dead bodies waited for V8's collector.
 */
const PEAK_LIMIT_MB = 190;

function small(i: number): Buffer {
  return Buffer.from(
    `From: a@b.example\r\nSubject: small ${i}\r\nMessage-ID: <s${i}@b.example>\r\n\r\nbody ${i}\r\n`,
  );
}

/** Runs the CLI and samples its peak resident memory (VmHWM) until it exits. */
function runMeasured(args: string[]): Promise<{ code: number | null; peakMb: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, peakMb: peakKb / 1024, output });
    });
  });
}

describe('a 25 MB message', () => {
  let env: MigrationEnv;
  const account: SampleAccount = {
    user: 'duze@acme.example',
    password: 'src-duze-pass',
    folders: [
      {
        name: 'INBOX',
        subscribed: true,
        messages: [
          ...[1, 2, 3].map((i) => ({
            raw: small(i),
            flags: ['\\Seen'],
            internalDate: new Date(Date.UTC(2024, 0, i)),
          })),
          { raw: makeBigMessage(BIG), flags: ['\\Flagged'], internalDate: new Date(Date.UTC(2024, 1, 1)) },
          ...[4, 5].map((i) => ({ raw: small(i), flags: [], internalDate: new Date(Date.UTC(2024, 2, i)) })),
        ],
      },
    ],
  };

  before(async () => {
    env = await startMigrationEnv({
      accounts: [account],
      planYaml: 'limits: { bytesInFlight: 4000000, batchBytes: 1000000 }',
    });
  });
  after(async () => env?.stop());

  it('arrives byte-identical with peak memory bounded', async () => {
    const res = await runMeasured(['run', env.planPath, '--state-dir', env.stateDir]);
    assert.equal(res.code, 0, res.output);
    process.stdout.write(`# peak RSS of mailshift copying a 25 MB message: ${res.peakMb.toFixed(0)} MB\n`);
    assert.ok(res.peakMb > 0, 'memory was sampled');
    assert.ok(res.peakMb < PEAK_LIMIT_MB, `peak RSS ${res.peakMb.toFixed(0)} MB over ${PEAK_LIMIT_MB} MB`);
    const dst = await readMailbox(env.dst, account.user, destinationPassword(account));
    const big = createHash('sha256').update(account.folders[0]!.messages[3]!.raw).digest('hex');
    assert.ok(dst.get('INBOX')?.some((m) => m.sha256 === big && m.flags.includes('\\Flagged')));
    assert.equal(dst.get('INBOX')?.length, 6);
  });
});
