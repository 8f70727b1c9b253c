/**
 * A Gmail / Google Workspace source (plan `provider: google`, or X-GM-EXT-1 in its capabilities):
 * its label folders are copied first and `[Gmail]/All Mail` last, and All Mail gives only what no
 * label folder holds (mail archived without a label) to the destination's archive folder. Messages
 * are matched across folders by X-GM-MSGID where Gmail offers it, else by identity
 * (plan/gmail-labels.ts). Important becomes the `$Important` keyword; in `labels: one-copy` mode
 * each message is copied once, into its first label by the documented order, and its other labels
 * become keywords.
 *
 * imapsync's Gmail recipe does the same with --folderlast "[Gmail]/All Mail" and
 * --skipcrossduplicates (FAQ.Gmail; fixtures/providers/gmail-facts.json, all-mail).
 */
import { copyFlags, homeOf, readLabelIndex, type GmailView, type LabelIndex } from '../plan/gmail-labels.js';
import type { CopyPool, FolderTask, MessagePolicy } from './folder-context.js';

/** The label folders' jobs, to run first, and All Mail's, to run once they are done. */
export function splitJobs(
  gmail: GmailView,
  jobs: readonly FolderTask[],
): { first: FolderTask[]; last: FolderTask[] } {
  const allMail = new Set(gmail.folders.allMail);
  return {
    first: jobs.filter((j) => !allMail.has(j.source)),
    last: jobs.filter((j) => allMail.has(j.source)),
  };
}

/**
 * Reads the label index on the source (a setup unit of the account's pool): All Mail's X-GM-LABELS
 * where offered, else the label folders (or only Important, before the label folders are copied in
 * the default mode).
 */
function readIndex(pool: CopyPool, gmail: GmailView, scope: 'important' | 'all'): Promise<LabelIndex> {
  return pool.setup('reading Gmail labels', ['source'], (c) =>
    readLabelIndex(c.source, gmail.folders, scope),
  );
}

/**
 * The rule for a label folder's messages: every message (default mode), or only those whose home
 * is this folder (one-copy mode: a message the index does not know stays here); keywords added.
 */
export function labelPolicy(gmail: GmailView, index: LabelIndex, folder: string): MessagePolicy {
  return {
    select: (metas) =>
      metas
        .filter((m) => homeOf(gmail, index, m, folder) === folder)
        .map((m) => ({ ...m, flags: copyFlags(gmail, index, m, folder) })),
    flags: (identity, flags) => copyFlags(gmail, index, { identity, flags }, folder),
  };
}

/**
 * The rule for All Mail: only the messages no copied label folder holds (archived without a label),
 * `$Important` added where it applies. `index` must be read after the label folders were copied.
 */
export function allMailPolicy(gmail: GmailView, index: LabelIndex, folder: string): MessagePolicy {
  return {
    select: (metas) =>
      metas
        .filter((m) => index.foldersOf(m).length === 0)
        .map((m) => ({ ...m, flags: copyFlags(gmail, index, m, folder) })),
    flags: (identity, flags) => copyFlags(gmail, index, { identity, flags }, folder),
  };
}

/**
 * Copies a Gmail source's changed folders: the label folders first (with Important, or every label
 * in one-copy mode, read beforehand), then All Mail against the labels as they are once copied.
 * @param run works through jobs over the account's lanes (account-sync.ts)
 */
export async function copyGmail(
  pool: CopyPool,
  gmail: GmailView,
  jobs: readonly FolderTask[],
  run: (jobs: FolderTask[]) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const { first, last } = splitJobs(gmail, jobs);
  if (first.length > 0) {
    const index = await readIndex(pool, gmail, gmail.mode === 'one-copy' ? 'all' : 'important');
    await run(first.map((j) => ({ ...j, policy: labelPolicy(gmail, index, j.source) })));
  }
  if (last.length === 0 || signal.aborted) return;
  // Read again now: mail labelled while the label folders were copied is in them, not archived.
  const index = await readIndex(pool, gmail, 'all');
  await run(last.map((j) => ({ ...j, policy: allMailPolicy(gmail, index, j.source) })));
}
