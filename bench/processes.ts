/**
 * Spawning measured processes and reading CPU from /proc. Every process started here is tracked
 * and killed (its whole process group) when the benchmark exits for any reason, Ctrl-C included.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one process cost. */
export interface Measured {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  userS: number;
  sysS: number;
  maxRssMb: number;
  /** The last few KB of stderr, for error messages. */
  stderrTail: string;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooked = false;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Kills every process this module started that is still running, and removes its temporary files. */
export function killTracked(): void {
  for (const c of live) killGroup(c);
  live.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

function installHook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killTracked);
}

const TIME = '/usr/bin/time';

/**
 * Runs a command to its end and measures it: wall time from spawn to exit (process start
 * included), user and system CPU and peak RSS of the process and the children it waited for
 * (GNU time; without it, polled from /proc).
 * @param stdoutFile where stdout goes (default: discarded)
 */
export async function runMeasured(
  command: string,
  args: string[],
  opts: { stdoutFile?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Measured> {
  installHook();
  const tmp = mkdtempSync(join(tmpdir(), 'mailshift-bench-time-'));
  tempDirs.add(tmp);
  const timeFile = join(tmp, 'time.txt');
  const useTime = existsSync(TIME);
  const argv = useTime ? [TIME, '-f', '%e %U %S %M', '-o', timeFile, command, ...args] : [command, ...args];
  const out = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : 'ignore';
  const started = performance.now();
  // Its own process group, so that an interrupted benchmark can kill it and everything it started.
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: ['ignore', out, 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    detached: true,
  });
  if (typeof out === 'number') closeSync(out);
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  let polled = { userS: 0, sysS: 0, rssMb: 0 };
  const poll = useTime
    ? undefined
    : setInterval(() => {
        if (child.pid !== undefined) polled = readProcess(child.pid) ?? polled;
      }, 50);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve({ code: c, signal: s }));
    },
  );
  const wallMs = performance.now() - started;
  live.delete(child);
  if (poll) clearInterval(poll);
  let measured = { userS: polled.userS, sysS: polled.sysS, maxRssMb: polled.rssMb };
  if (useTime && existsSync(timeFile)) {
    // GNU time writes "Command exited with non-zero status N" first when the command fails.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [, user, sys, rssKb] = last.split(' ').map(Number);
    measured = { userS: user ?? 0, sysS: sys ?? 0, maxRssMb: (rssKb ?? 0) / 1024 };
  }
  rmSync(tmp, { recursive: true, force: true });
  tempDirs.delete(tmp);
  return { code, signal, wallMs, ...measured, stderrTail: stderr };
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const res = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clockTicks = Number(res.stdout.trim()) || 100;
  }
  return clockTicks;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function readProcess(pid: number): { userS: number; sysS: number; rssMb: number } | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  const hz = ticksPerSecond();
  let rssMb = 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    rssMb = m ? Number(m[1]) / 1024 : 0;
  } catch {
    /* exited */
  }
  // stat fields after ")": state is index 0, so utime (field 14) is index 11 and stime index 12.
  return { userS: Number(f[11]) / hz, sysS: Number(f[12]) / hz, rssMb };
}

/**
 * CPU seconds used so far by a process tree: every live process under `rootPid` (user + system),
 * plus what its exited children used (cutime + cstime, which a parent collects when it reaps
 * them). Dovecot's master reaps its imap processes, so the difference of two readings is what
 * the server spent between them.
 */
export function treeCpuSeconds(rootPid: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    // ppid is stat field 4 (index 1); utime, stime, cutime, cstime are fields 14-17 (indexes 11-14).
    parent.set(Number(name), Number(f[1]));
    ticks.set(Number(name), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    let p: number | undefined = pid;
    for (let depth = 0; p !== undefined && p > 1 && depth < 20; depth++) {
      if (p === rootPid) {
        total += t;
        break;
      }
      p = parent.get(p);
    }
  }
  return total / ticksPerSecond();
}

/**
 * CPU seconds of every process on the machine: user + system of the live ones plus what their
 * exited children used. The difference of two readings is what all processes used in between
 * (a child that exits moves its whole time into its parent's cutime, and leaves the sum).
 */
export function allProcessesCpuSeconds(): number {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / ticksPerSecond();
}

/** The pid of a Dovecot master from its run directory, if running. */
export function dovecotMasterPid(serverDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(serverDir, 'run', 'master.pid'), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the whole machine has spent busy since boot (all cores; /proc/stat user, nice,
 * system, irq, softirq, steal). The difference over a run, minus what the run's own processes
 * used, is what other work on this shared machine took from it.
 */
export function machineBusySeconds(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = first
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
}
