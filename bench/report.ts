/**
 * The benchmark's records and how they are printed (the targets are in targets.ts).
 */

/** Every run id, as `--runs` takes them; each shape makes the ones that apply to it, in its own order. */
export const ALL_RUNS = [
  'mailshift-plan',
  'mailshift-report',
  'mailshift-loopback',
  'mailshift-noop',
  'mailshift-noop-30ms',
  'mailshift-verify',
  'dsync-loopback',
  'dsync-loopback-parallel',
  'mbsync-loopback',
  'mailshift-30ms',
  'mailshift-verify-30ms',
  'dsync-30ms',
  'dsync-30ms-parallel',
  'mbsync-30ms',
  'mailshift-30ms-1acct',
  'mbsync-30ms-1acct',
  'mailshift-delta',
  'mailshift-loopback-profiled',
  'mailshift-30ms-profiled',
] as const;

/** One run of a shape: `<tool>-<what>`, `30ms` meaning through the latency proxies. */
export type RunId = (typeof ALL_RUNS)[number];

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
  /** The wall time; with `samplesS`, the median of those runs (the other figures are its run's). */
  wallS: number;
  /** Every run's wall time, when the step ran several times (the no-ops). */
  samplesS?: number[];
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

/** A target and whether this run met it. */
export interface TargetResult {
  target: string;
  measured: string;
  /** null when a run it needs is missing or incomplete. */
  pass: boolean | null;
}

/** A complete run's messages per second (undefined when incomplete or not rated). */
export function rate(r: RunRecord | undefined): number | undefined {
  return r && r.complete && r.msgPerS ? r.msgPerS : undefined;
}

/** a / b, when both are known. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
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

/** The comparisons of the standard corpus: mailshift against each peer, and 30 ms against loopback. */
export const CORPUS_RATIOS: [RunId, RunId][] = [
  ['mailshift-loopback', 'dsync-loopback'],
  ['mailshift-loopback', 'dsync-loopback-parallel'],
  ['mailshift-30ms', 'dsync-30ms'],
  ['mailshift-30ms', 'dsync-30ms-parallel'],
  ['mailshift-30ms-1acct', 'mbsync-30ms-1acct'],
  ['mailshift-30ms', 'mailshift-loopback'],
];

/**
 * Ratios of mailshift's runs to the peers measured under the same conditions.
 * @param pairs [mailshift run, peer run]; pairs with a run missing are left out
 */
export function ratiosTable(runs: RunRecord[], pairs: [RunId, RunId][]): string {
  const get = (id: RunId) => runs.find((r) => r.id === id);
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
