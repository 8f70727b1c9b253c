/**
 * The Gmail part of the dry-run report: the labels of a Gmail source, the messages that carry
 * several, the mail archived without a label (only in All Mail), and what each label mode puts on
 * the destination. Pure: counted from the keys discovery kept per folder (plan/discovery.ts), with
 * the same folder roles the copy uses (plan/gmail-labels.ts).
 */
import type { FolderDecision } from '../core/folders.js';
import type { SourceFolderFacts } from '../plan/discovery.js';
import type { GmailView } from '../plan/gmail-labels.js';
import type { GmailSummary, Volume } from './dry-run-model.js';

function volumeOf(f: SourceFolderFacts | undefined): Volume | undefined {
  return f ? { messages: f.messages, bytes: f.bytes } : undefined;
}

/**
 * Counts a Gmail source's labels and archived-only mail.
 * @param folders the source's folder facts, with `messageKeys`
 */
export function gmailSummary(
  view: GmailView,
  folders: readonly SourceFolderFacts[],
  decisions: readonly FolderDecision[],
): GmailSummary {
  const byPath = new Map(folders.map((f) => [f.path, f]));
  const holders = new Map<string, { size: number; count: number }>();
  const labels = view.folders.labels.flatMap((path) => {
    const f = byPath.get(path);
    if (!f) return [];
    for (const k of f.messageKeys ?? []) {
      const h = holders.get(k.key) ?? { size: k.size, count: 0 };
      h.count++;
      holders.set(k.key, h);
    }
    return [{ folder: path, messages: f.messages, bytes: f.bytes }];
  });
  const allMail = view.folders.allMail.flatMap((p) => byPath.get(p)?.messageKeys ?? []);
  const archived = allMail.filter((k) => !holders.has(k.key));
  const archivedOnly: Volume = {
    messages: archived.length,
    bytes: archived.reduce((s, k) => s + k.size, 0),
  };
  const important = view.folders.important ? (byPath.get(view.folders.important)?.messages ?? 0) : 0;
  const sum = (xs: Volume[]) => ({
    messages: xs.reduce((s, x) => s + x.messages, 0),
    bytes: xs.reduce((s, x) => s + x.bytes, 0),
  });
  const unique = [...holders.values()].map((h) => ({ messages: 1, bytes: h.size }));
  const destination = decisions.find((d) => d.action === 'copy' && view.folders.allMail.includes(d.source));
  const spam = volumeOf(byPath.get(view.folders.systemLabels.get('\\Spam') ?? ''));
  const trash = volumeOf(byPath.get(view.folders.systemLabels.get('\\Trash') ?? ''));
  const gm = folders.some((f) => f.messageKeys?.some((k) => k.key.startsWith('gm:')));
  return {
    labelMode: view.mode,
    matchedBy: gm ? 'X-GM-MSGID' : 'identity',
    labels,
    multiLabelled: [...holders.values()].filter((h) => h.count > 1).length,
    archivedOnly: {
      ...archivedOnly,
      ...(destination?.action === 'copy' ? { destination: destination.destination } : {}),
    },
    important,
    modes: { folders: sum([...labels, archivedOnly]), oneCopy: sum([...unique, archivedOnly]) },
    ...(spam ? { spam } : {}),
    ...(trash ? { trash } : {}),
  };
}
