/**
 * The state directory of a plan: checkpoint database, run log, lock, reports. Created readable
 * by the owner only (it holds addresses and subjects). A lock file keeps two runs apart.
 */
import {
  chmodSync,
  closeSync,
  lstatSync,
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
    tightenModes(s);
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

/**
 * Modes of an existing state directory and its files, tightened: a directory made by hand, copied
 * with `cp -r`, or left by an older mailshift may let other users read addresses and subjects.
 * Symbolic links are left alone (chmod would follow them to a file that is not ours).
 */
function tightenModes(s: StateDir): void {
  const wanted: [string, number][] = [
    [s.dir, 0o700],
    [s.reports, 0o700],
    [s.db, 0o600],
    [`${s.db}-wal`, 0o600],
    [`${s.db}-shm`, 0o600],
    [s.log, 0o600],
    [s.lock, 0o600],
  ];
  for (const [path, mode] of wanted) {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue; // not there yet
    }
    if (!st.isSymbolicLink() && (st.mode & 0o777 & ~mode) !== 0) chmodSync(path, mode);
  }
}

/**
 * When a process started (field 22 of /proc/PID/stat, in clock ticks since boot), or undefined
 * where /proc is not there. With the pid it names one process: after a reboot or a long time the
 * pid of a dead mailshift may belong to another program, whose start time differs.
 */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The holder a lock file names: `pid` or `pid start-time`. */
function lockOwner(text: string): { pid: number; start?: string } {
  const [pid, start] = text.trim().split(/\s+/);
  return { pid: Number(pid), ...(start ? { start } : {}) };
}

/** True when the lock's process runs: alive, and (where it can be told) the same process. */
function holderAlive(owner: { pid: number; start?: string }): boolean {
  if (!(owner.pid > 0) || !pidAlive(owner.pid)) return false;
  const now = owner.start === undefined ? undefined : startTime(owner.pid);
  return now === undefined || now === owner.start;
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
 * Takes the run lock (a file holding our pid and its start time). A lock whose process is gone
 * (crash, kill -9, reboot), or whose pid now names another process, is taken over; a live one refuses.
 * @returns a function that releases the lock.
 * @throws MailshiftError STATE_LOCKED
 */
export function acquireLock(s: StateDir): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(s.lock, 'wx', 0o600);
      writeSync(fd, `${process.pid} ${startTime(process.pid) ?? ''}`.trim());
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
      const owner = lockOwner(readFileSync(s.lock, 'utf8'));
      const pid = owner.pid;
      if (pid !== process.pid && holderAlive(owner)) {
        throw new MailshiftError(`another mailshift (pid ${pid}) is already working on ${s.dir}`, {
          code: 'STATE_LOCKED',
          scope: 'run',
          hint: 'wait for it to finish or stop it; two runs on one state would race',
        });
      }
      unlinkSync(s.lock); // stale: its process is gone, or its pid now belongs to another program
    }
  }
  throw new MailshiftError(`cannot take the lock ${s.lock}`, { code: 'STATE_LOCKED', scope: 'run' });
}

/** The pid of a live process holding the lock, or undefined (no lock, or its process is gone). */
export function lockHolder(s: StateDir): number | undefined {
  try {
    const owner = lockOwner(readFileSync(s.lock, 'utf8'));
    return holderAlive(owner) ? owner.pid : undefined;
  } catch {
    return undefined;
  }
}
