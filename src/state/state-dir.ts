/**
 * The state directory of a plan: checkpoint database, run log, lock, reports. Created readable
 * by the owner only (it holds addresses and subjects). A lock file keeps two runs apart.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
  accessSync,
  constants,
  statfsSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { MailshiftError } from '../core/errors.js';

/** Paths inside a state directory. */
export interface StateDir {
  dir: string;
  db: string;
  log: string;
  lock: string;
  reports: string;
}

/** The state directory for a plan name: `--state-dir` or `.mailshift/<plan name>`. */
export function stateDirFor(planName: string, override?: string): StateDir {
  const dir = resolve(override ?? join('.mailshift', planName));
  return {
    dir,
    db: join(dir, 'state.sqlite'),
    log: join(dir, 'run.log'),
    lock: join(dir, 'run.lock'),
    reports: join(dir, 'reports'),
  };
}

/**
 * Free space below which a run is refused before any server is touched: the checkpoint database
 * (its WAL grows by about a page per message between checkpoints) and the log need room, and an
 * intent that cannot be recorded must never be followed by its APPEND.
 */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

/**
 * Creates the directory (mode 0700) and checks it is writable and its disk not full, before any
 * server is touched.
 * @throws MailshiftError STATE_UNWRITABLE, STATE_DISK_FULL
 */
export function prepareStateDir(s: StateDir): void {
  try {
    mkdirSync(s.dir, { recursive: true, mode: 0o700 });
    mkdirSync(s.reports, { recursive: true, mode: 0o700 });
    accessSync(s.dir, constants.W_OK);
  } catch (err) {
    throw new MailshiftError(
      `state directory ${s.dir} cannot be created or written: ${(err as Error).message}`,
      {
        code: 'STATE_UNWRITABLE',
        scope: 'run',
        hint: 'free some disk space or fix the permissions, or pass another --state-dir',
        cause: err,
      },
    );
  }
  const fs = statfsSync(s.dir);
  const free = fs.bavail * fs.bsize;
  if (free < MIN_FREE_BYTES) {
    throw new MailshiftError(
      `the disk of state directory ${s.dir} has only ${Math.floor(free / 1024)} KB free; mailshift needs at least ${MIN_FREE_BYTES / 1024 / 1024} MB there for its checkpoints and log`,
      {
        code: 'STATE_DISK_FULL',
        scope: 'run',
        hint: 'free some disk space, or pass another --state-dir on a disk with room',
      },
    );
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the run lock (a file holding our pid). A lock whose process is gone (crash, kill -9,
 * reboot) is taken over; a live one refuses.
 * @returns a function that releases the lock.
 * @throws MailshiftError STATE_LOCKED
 */
export function acquireLock(s: StateDir): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(s.lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(s.lock);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(s.lock, 'utf8').trim());
      if (pid > 0 && pid !== process.pid && pidAlive(pid)) {
        throw new MailshiftError(`another mailshift (pid ${pid}) is already working on ${s.dir}`, {
          code: 'STATE_LOCKED',
          scope: 'run',
          hint: 'wait for it to finish or stop it; two runs on one state would race',
        });
      }
      unlinkSync(s.lock); // stale: its process is gone
    }
  }
  throw new MailshiftError(`cannot take the lock ${s.lock}`, { code: 'STATE_LOCKED', scope: 'run' });
}

/** The pid of a live process holding the lock, or undefined (no lock, or its process is gone). */
export function lockHolder(s: StateDir): number | undefined {
  try {
    const pid = Number(readFileSync(s.lock, 'utf8').trim());
    return pid > 0 && pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
