/**
 * The benchmark's records, the targets of issue 10 and how both are printed. Targets are
 * reported PASS or MISS; they never change the exit code (figures on a shared machine drift).
 */

/** The runs, in the order they are made. */
export type RunId =
  | 'mailshift-loopback'
  | 'mailshift-noop'
  | 'dsync-loopback'
  | 'dsync-loopback-parallel'
  | 'mailshift-30ms'
  | 'dsync-30ms'
  | 'dsync-30ms-parallel'
  | 'mailshift-30ms-1acct'
  | 'mbsync-30ms-1acct'
  | 'mailshift-delta'
  | 'mailshift-loopback-profiled';

/** One measured run. Times in seconds, sizes in MB (10^6 bytes), RSS in MiB. */
export interface RunRecord {
  id: RunId;
  tool: 'mailshift' | 'dsync' | 'mbsync';
  title: string;
  /** Round trip added by the latency proxy (0 = loopback). */
  rttMs: number;
  accounts: number;
  /** Messages the run had to copy (the source's count for a full run, the new ones for a delta). */
  messages: number;
  bytes: number;
  wallS: number;
  msgPerS: number | null;
  mbPerS: number | null;
  /** The tool's own process(es): CPU and peak resident memory. */
  client: { userS: number; sysS: number; cpuS: number; peakRssMb: number };
  /** CPU of the Dovecot servers during the run (dsync writes the destination in its own process). */
  servers: { sourceCpuS: number; destinationCpuS: number };
  /**
   * The machine's busy CPU during the run (all cores); the part other processes on this shared
   * machine used (they slow the run down: a large figure makes the run suspect); and the part no
   * process was charged with (network softirq, writeback).
   */
  machine: { busyCpuS: number; otherProcessesCpuS: number; kernelCpuS: number };
  /** CPU of the benchmark process itself, which runs the latency proxies. */
  proxyCpuS?: number;
  /** IMAP commands the tool sent, counted by the latency proxy (30 ms runs only). */
  commands?: { total: number; perMessage: number | null; byName: Record<string, number> };
  exitCode: number | null;
  /** True when the destination's per-folder counts equal the source's. */
  complete: boolean;
  problems: string[];
  notes: string[];
  /** mailshift's own totals (its `run-done` event). */
  reported?: Record<string, number>;
}

/** A target of issue 10 and whether this run met it. */
export interface TargetResult {
  target: string;
  measured: string;
  /** null when a run it needs is missing or incomplete. */
  pass: boolean | null;
}

function rate(r: RunRecord | undefined): number | undefined {
  return r && r.complete && r.msgPerS ? r.msgPerS : undefined;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

/** Evaluates the targets of issue 10 on the runs made. */
export function evaluateTargets(runs: RunRecord[]): TargetResult[] {
  const get = (id: RunId) => runs.find((r) => r.id === id);
  const out: TargetResult[] = [];
  const vs = (target: string, value: number | undefined, goal: number, how: string) =>
    out.push({
      target,
      measured: value === undefined ? 'not measured' : `${value.toFixed(2)}x (${how})`,
      pass: value === undefined ? null : value >= goal,
    });
  vs(
    'loopback, all accounts: >= 1.5x dsync (one account at a time)',
    ratio(rate(get('mailshift-loopback')), rate(get('dsync-loopback'))),
    1.5,
    'mailshift / dsync msg/s',
  );
  vs(
    '30 ms RTT: >= 90% of own loopback rate',
    ratio(rate(get('mailshift-30ms')), rate(get('mailshift-loopback'))),
    0.9,
    '30 ms / loopback',
  );
  vs(
    '30 ms RTT: >= 4x dsync through the same proxy (one account at a time)',
    ratio(rate(get('mailshift-30ms')), rate(get('dsync-30ms'))),
    4,
    'mailshift / dsync msg/s',
  );
  vs(
    '30 ms RTT, one account: >= 3x mbsync',
    ratio(rate(get('mailshift-30ms-1acct')), rate(get('mbsync-30ms-1acct'))),
    3,
    'mailshift / mbsync msg/s',
  );
  const noop = get('mailshift-noop');
  out.push({
    target: 'no-op re-run, whole corpus: <= 0.5 s wall (process start included)',
    measured: noop?.complete ? `${noop.wallS.toFixed(3)} s` : 'not measured',
    pass: noop?.complete ? noop.wallS <= 0.5 : null,
  });
  const mine = runs.filter((r) => r.tool === 'mailshift' && r.id !== 'mailshift-loopback-profiled');
  const peak = mine.length > 0 ? Math.max(...mine.map((r) => r.client.peakRssMb)) : undefined;
  // Peaks are in MiB (what /proc reports in KiB, divided by 1024); the target is in MB.
  const MB_PER_MIB = 1.048576;
  out.push({
    target: 'peak RSS <= 150 MB (25 MB message included)',
    measured:
      peak === undefined
        ? 'not measured'
        : `${(peak * MB_PER_MIB).toFixed(0)} MB = ${peak.toFixed(0)} MiB (largest of ${mine.map((r) => `${r.id} ${r.client.peakRssMb.toFixed(0)}`).join(', ')})`,
    pass: peak === undefined ? null : peak * MB_PER_MIB <= 150,
  });
  return out;
}

function cell(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** Aligns rows of cells into a Markdown table. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The runs as a Markdown table. */
export function runsTable(runs: RunRecord[]): string {
  const header = [
    'run',
    'RTT',
    'msgs',
    'MB',
    'wall s',
    'msg/s',
    'MB/s',
    'client CPU s',
    'peak RSS MiB',
    'src srv CPU s',
    'dst srv CPU s',
    'cmds/msg',
    'proxy CPU s',
    'others CPU s',
    'complete',
  ];
  const rows = runs.map((r) => [
    r.id,
    r.rttMs ? `${r.rttMs} ms` : 'loop',
    String(r.messages),
    cell(r.bytes / 1e6, 0),
    cell(r.wallS, r.wallS < 10 ? 2 : 1),
    cell(r.msgPerS, 0),
    cell(r.mbPerS, 1),
    cell(r.client.cpuS, 2),
    cell(r.client.peakRssMb, 0),
    cell(r.servers.sourceCpuS, 2),
    r.tool === 'dsync' ? '(in client)' : cell(r.servers.destinationCpuS, 2),
    r.commands ? cell(r.commands.perMessage, 2) : '-',
    r.proxyCpuS === undefined ? '-' : cell(r.proxyCpuS, 1),
    cell(r.machine.otherProcessesCpuS, 1),
    r.complete ? 'yes' : 'NO',
  ]);
  return markdownTable(header, rows);
}

/** Targets as a Markdown table with PASS / MISS. */
export function targetsTable(targets: TargetResult[]): string {
  return markdownTable(
    ['target', 'measured', 'result'],
    targets.map((t) => [t.target, t.measured, t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'MISS']),
  );
}

/** Ratios of every mailshift run to the peers measured under the same conditions. */
export function ratiosTable(runs: RunRecord[]): string {
  const get = (id: RunId) => runs.find((r) => r.id === id);
  const pairs: [RunId, RunId][] = [
    ['mailshift-loopback', 'dsync-loopback'],
    ['mailshift-loopback', 'dsync-loopback-parallel'],
    ['mailshift-30ms', 'dsync-30ms'],
    ['mailshift-30ms', 'dsync-30ms-parallel'],
    ['mailshift-30ms-1acct', 'mbsync-30ms-1acct'],
    ['mailshift-30ms', 'mailshift-loopback'],
  ];
  const rows: string[][] = [];
  for (const [a, b] of pairs) {
    const ra = get(a);
    const rb = get(b);
    if (!ra || !rb) continue;
    const speed = ratio(rate(ra), rate(rb));
    const cpu =
      ra.client.cpuS > 0 && rb.client.cpuS > 0
        ? ra.client.cpuS / ra.messages / (rb.client.cpuS / rb.messages)
        : undefined;
    rows.push([
      `${a} / ${b}`,
      speed === undefined ? '-' : `${speed.toFixed(2)}x`,
      cpu === undefined ? '-' : `${cpu.toFixed(2)}x`,
    ]);
  }
  return markdownTable(['comparison', 'msg/s ratio', 'client CPU per message ratio'], rows);
}
