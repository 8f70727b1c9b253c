/**
 * Makes sure the Debian packages the tests, the demo and the benchmark need are installed.
 * As root on a fresh machine it runs `apt-get update` once and `apt-get install -y`; as any
 * other user it says exactly what to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A Debian package and the file whose presence shows it is installed. */
export interface SystemPackage {
  name: string;
  provides: string;
}

export const DOVECOT: SystemPackage[] = [
  { name: 'dovecot-imapd', provides: '/usr/lib/dovecot/imap' },
  { name: 'openssl', provides: '/usr/bin/openssl' },
];
export const CHROMIUM: SystemPackage = { name: 'chromium', provides: '/usr/bin/chromium' };
export const ISYNC: SystemPackage = { name: 'isync', provides: '/usr/bin/mbsync' };

let listsUpdated = false;

/**
 * Installs every missing package of `packages` with apt-get when running as root.
 * @throws Error naming the packages and the command when they are missing and we are not root.
 */
export function ensureSystemPackages(packages: SystemPackage[]): void {
  const missing = packages.filter((p) => !existsSync(p.provides));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing system packages: ${names.join(', ')}. Install them with: sudo apt-get install -y ${names.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!listsUpdated) {
    // A fresh machine has no package lists: install would find nothing without this.
    process.stderr.write('mailshift setup: apt-get update\n');
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    listsUpdated = true;
  }
  process.stderr.write(`mailshift setup: apt-get install -y ${names.join(' ')}\n`);
  const res = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  if (res.status !== 0) throw new Error(`apt-get install ${names.join(' ')} failed (exit ${res.status})`);
}
