/**
 * Verification of a Gmail source (plan/gmail-labels.ts). Gmail shows one message in every folder
 * of its labels and in All Mail, and a migration keeps one copy per label folder (or, in
 * `labels: one-copy` mode, one copy in all): so an All Mail message, and in one-copy mode a label
 * folder's message, counts as present when it is found in any destination folder a Gmail folder
 * was mapped to, and as missing otherwise. Source flags are compared with the keywords the copy was
 * given (`$Important`, the labels of one-copy mode).
 */
import type { FolderDecision } from '../core/folders.js';
import type { MessageMeta } from '../core/messages.js';
import type { FolderReader } from '../core/ports.js';
import { copyFlags, type GmailView, type LabelIndex } from '../plan/gmail-labels.js';
import type { MatchOutcome } from './match-messages.js';

/** What verify knows of a Gmail source for one account. */
export interface GmailVerify {
  view: GmailView;
  index: LabelIndex;
  /** Every destination folder a Gmail folder of the source is mapped to. */
  destinations: string[];
  /** The destination's messages of those folders by identity (read once per account). */
  elsewhere?: Promise<Elsewhere>;
}

/** Per identity, how many copies the destination folder holding most of them has, and one of them. */
export type Elsewhere = Map<string, { count: number; meta: MessageMeta }>;

/** The destination folders the Gmail folders of a mapping go to. */
export function gmailDestinations(view: GmailView, decisions: readonly FolderDecision[]): string[] {
  const gmail = new Set([...view.folders.labels, ...view.folders.allMail]);
  return [
    ...new Set(decisions.flatMap((d) => (d.action === 'copy' && gmail.has(d.source) ? [d.destination] : []))),
  ];
}

/** Whether a source folder's messages are verified by presence anywhere (All Mail; labels in one-copy mode). */
export function byPresence(g: GmailVerify, folder: string): boolean {
  return (
    g.view.folders.allMail.includes(folder) ||
    (g.view.mode === 'one-copy' && g.view.folders.labels.includes(folder))
  );
}

/** A source message's flags as its copy should carry them. */
export function expectedFlags(g: GmailVerify, folder: string, meta: MessageMeta): MessageMeta {
  return { ...meta, flags: copyFlags(g.view, g.index, meta, folder) };
}

/**
 * Reads the destination folders of the Gmail mapping (once per account: later groups reuse it).
 * A folder that does not exist is simply not counted.
 */
export function readElsewhere(
  g: GmailVerify,
  dst: FolderReader,
  existing: ReadonlySet<string>,
): Promise<Elsewhere> {
  g.elsewhere ??= (async () => {
    const out: Elsewhere = new Map();
    for (const path of g.destinations) {
      if (!existing.has(path.normalize('NFC'))) continue;
      await dst.examine(path);
      const here = new Map<string, { count: number; meta: MessageMeta }>();
      for (const m of await dst.scan(1)) {
        const e = here.get(m.identity);
        here.set(m.identity, { count: (e?.count ?? 0) + 1, meta: e?.meta ?? m });
      }
      for (const [identity, e] of here) if ((out.get(identity)?.count ?? 0) < e.count) out.set(identity, e);
    }
    return out;
  })();
  return g.elsewhere;
}

/**
 * Moves the messages a folder's own destination lacks, but another destination folder of the Gmail
 * mapping holds, from missing (or not yet copied) to matched. Each copy found elsewhere stands for
 * as many source messages as the folder holding most of them has (an exact duplicate needs two).
 * @returns the outcome, changed in place
 */
export function presentElsewhere(outcome: MatchOutcome, elsewhere: Elsewhere): MatchOutcome {
  const left = new Map([...elsewhere].map(([k, e]) => [k, e.count]));
  const found = (meta: MessageMeta): MessageMeta | undefined => {
    const n = left.get(meta.identity) ?? 0;
    if (n === 0) return undefined;
    left.set(meta.identity, n - 1);
    return elsewhere.get(meta.identity)?.meta;
  };
  for (const o of outcome.sources) {
    o.missing = o.missing.filter((m) => {
      const copy = found(m.meta);
      if (copy) o.pairs.push({ source: m.meta, dest: copy, via: 'identity' });
      return !copy;
    });
    o.notYetCopied = o.notYetCopied.filter((meta) => {
      const copy = found(meta);
      if (copy) o.pairs.push({ source: meta, dest: copy, via: 'identity' });
      return !copy;
    });
    o.pairs.sort((a, b) => a.source.uid - b.source.uid);
  }
  return outcome;
}
