/**
 * mbsync (Debian's isync) as the reference IMAP-to-IMAP client: two IMAPStores without TLS, one
 * Channel per account pulling everything (`Sync Pull`, `Create Near`, `Patterns *`) and keeping
 * INTERNALDATE (`CopyArrivalDate yes`) as mailshift does. mbsync pipelines its commands and uses
 * LITERAL+, one connection per store.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMeasured, type Measured } from './processes.js';
import type { Address } from './run-mailshift.js';

/** The generated configuration for the given accounts (same login on both sides). */
export function mbsyncConfig(
  source: Address,
  destination: Address,
  users: { user: string; password: string }[],
  stateDir: string,
): string {
  const blocks: string[] = [];
  for (const u of users) {
    for (const [side, addr] of [
      ['far', source],
      ['near', destination],
    ] as const) {
      blocks.push(
        [
          `IMAPAccount ${side}-${u.user}`,
          `Host ${addr.host}`,
          `Port ${addr.port}`,
          `User ${u.user}`,
          `Pass ${u.password}`,
          'SSLType None',
          'AuthMechs LOGIN',
          '',
          `IMAPStore ${side}-${u.user}`,
          `Account ${side}-${u.user}`,
          // The source's "INBOX." prefix comes from its NAMESPACE (UseNamespace yes, the default).
        ].join('\n'),
      );
    }
    blocks.push(
      [
        `Channel ${u.user}`,
        `Far :far-${u.user}:`,
        `Near :near-${u.user}:`,
        'Patterns *',
        'Sync Pull',
        'Create Near',
        'CopyArrivalDate yes',
        `SyncState ${join(stateDir, u.user)}/`,
      ].join('\n'),
    );
    mkdirSync(join(stateDir, u.user), { recursive: true });
  }
  return `${blocks.join('\n\n')}\n`;
}

/** Runs `mbsync -a` (every channel, one after the other) with a generated config in `dir`. */
export async function runMbsync(opts: {
  dir: string;
  source: Address;
  destination: Address;
  users: { user: string; password: string }[];
}): Promise<Measured> {
  mkdirSync(opts.dir, { recursive: true });
  const rc = join(opts.dir, 'mbsyncrc');
  writeFileSync(rc, mbsyncConfig(opts.source, opts.destination, opts.users, join(opts.dir, 'state')), {
    mode: 0o600,
  });
  return runMeasured('mbsync', ['-c', rc, '-a']);
}
