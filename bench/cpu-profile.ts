/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: self time by function,
 * by package (imapflow, better-sqlite3, node internals, mailshift's own modules), and inclusive
 * time of mailshift's own functions. The CLI is one bundled file (scripts/build.mjs): its frames
 * are mapped back to their source files through the bundle's source map, so that the bundled
 * dependencies and mailshift's own folders are told apart again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based, as V8 reports them. */
  lineNumber: number;
  columnNumber?: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/**
 * Maps frames of a bundled file to their original source (absolute `file://` URL and line), using
 * the `<file>.map` next to it; frames of other files, or of a bundle without a map, stay as they are.
 */
class FrameMapper {
  private readonly maps = new Map<string, { map: SourceMap; dir: string } | null>();

  map(frame: CallFrame): CallFrame {
    if (!frame.url.startsWith('file://') || !frame.url.endsWith('.js')) return frame;
    const found = this.mapFor(frame.url);
    if (!found) return frame;
    const entry = found.map.findEntry(frame.lineNumber, frame.columnNumber ?? 0) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (!entry.originalSource) return frame;
    return {
      functionName: frame.functionName,
      url: `file://${resolve(found.dir, entry.originalSource)}`,
      lineNumber: entry.originalLine ?? 0,
    };
  }

  private mapFor(url: string): { map: SourceMap; dir: string } | null {
    let found = this.maps.get(url);
    if (found === undefined) {
      const path = fileURLToPath(url);
      found = existsSync(`${path}.map`)
        ? { map: new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))), dir: dirname(path) }
        : null;
      this.maps.set(url, found);
    }
    return found;
  }
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** One line of a ranking. */
export interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) time, in percent. */
  percent: number;
}

/** The summary of one profile. */
export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  selfByFunction: ProfileEntry[];
  selfByPackage: ProfileEntry[];
  inclusiveMailshift: ProfileEntry[];
}

/** Where mailshift's own code is: its sources (mapped frames), or dist/ when a frame was not mapped. */
const OWN = ['/src/', '/dist/'];

function ownOffset(url: string): number {
  for (const dir of OWN) {
    const i = url.indexOf(dir);
    if (i >= 0) return i + dir.length;
  }
  return -1;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const own = ownOffset(url);
  if (own >= 0) return url.slice(url.lastIndexOf('/', own - 2) + 1);
  return url.replace(/^file:\/\//, '');
}

function packageOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return (parts[0] ?? '').startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? '?');
  }
  if (isMailshift(url)) return `mailshift ${url.slice(ownOffset(url)).split('/')[0]}/`;
  return url;
}

/** mailshift's own modules (src/ or dist/ of this repository, not a dependency's). */
function isMailshift(url: string): boolean {
  return ownOffset(url) >= 0 && !url.includes('node_modules/');
}

function ranking(map: Map<string, number>, busyMs: number, top: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: busyMs > 0 ? (100 * us) / 1000 / busyMs : 0 }));
}

/**
 * Summarises a `.cpuprofile` file.
 * @param top how many lines per ranking
 */
export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const mapper = new FrameMapper();
  for (const n of profile.nodes) n.callFrame = mapper.map(n.callFrame);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: charge the next interval to this sample.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const fnKey = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    byFunction.set(fnKey(node), (byFunction.get(fnKey(node)) ?? 0) + us);
    const pkg = packageOf(node.callFrame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    // Inclusive time of mailshift's own functions: each function once per stack.
    const seen = new Set<string>();
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const n = byId.get(p);
      if (!n || !isMailshift(n.callFrame.url)) continue;
      const key = fnKey(n);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const busyMs = (totalUs - idleUs) / 1000;
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    selfByFunction: ranking(byFunction, busyMs, top),
    selfByPackage: ranking(byPackage, busyMs, top),
    inclusiveMailshift: ranking(inclusive, busyMs, top),
  };
}

/** The summary as indented text lines. */
export function formatProfile(s: ProfileSummary): string {
  const fmt = (title: string, list: ProfileEntry[]) =>
    [
      title,
      ...list.map(
        (e) => `  ${e.ms.toFixed(0).padStart(7)} ms ${e.percent.toFixed(1).padStart(5)}%  ${e.name}`,
      ),
    ].join('\n');
  return [
    `CPU profile ${s.file}: ${(s.totalMs / 1000).toFixed(2)} s sampled, ${((s.totalMs - s.idleMs) / 1000).toFixed(2)} s busy (percent of busy time)`,
    fmt('self time by package:', s.selfByPackage),
    fmt('self time by function:', s.selfByFunction),
    fmt("inclusive time of mailshift's functions:", s.inclusiveMailshift),
  ].join('\n');
}
