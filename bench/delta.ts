/**
 * The change between a full run and a delta run: about 1% new messages (APPENDed to the source
 * over IMAP, so Dovecot assigns UIDs and MODSEQs as for delivered mail) and flag changes on about
 * 1% of the messages already there (half gain \Flagged, half lose \Seen).
 */
import { deltaMessages, sourceMailboxName, type CorpusOptions } from '../test/harness/corpus.js';
import { connectPlain } from '../test/harness/dovecot.js';
import type { Login } from './census.js';

/** What the delta changed. */
export interface DeltaSummary {
  added: number;
  addedBytes: number;
  flagsChanged: number;
}

/**
 * Applies the delta to one account of the source.
 * @param share fraction of the account's messages to add and to re-flag (0.01)
 */
export async function applyDelta(
  login: Login,
  corpus: CorpusOptions,
  account: number,
  messages: number,
  share: number,
): Promise<DeltaSummary> {
  const count = Math.max(1, Math.round(messages * share));
  const client = await connectPlain(login, login.user, login.password);
  const summary: DeltaSummary = { added: 0, addedBytes: 0, flagsChanged: 0 };
  try {
    // Re-flag first, so the new messages are not among the re-flagged ones. Every `step`-th
    // message of the account (folders in LIST order, UIDs ascending) is chosen.
    const step = Math.max(1, Math.floor(messages / count));
    const folders = (await client.list()).filter((b) => !b.flags.has('\\Noselect'));
    let index = 0;
    let turn = 0;
    for (const box of folders) {
      await client.mailboxOpen(box.path);
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      const seen = new Set((await client.search({ seen: true }, { uid: true })) || []);
      const flagged = new Set((await client.search({ flagged: true }, { uid: true })) || []);
      for (const uid of uids) {
        if (++index % step !== 0 || summary.flagsChanged >= count) continue;
        // Alternate between adding \Flagged and removing \Seen, choosing the one that changes something.
        const flag = turn++ % 2 === 0 ? !flagged.has(uid) : !seen.has(uid);
        if (flag) await client.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
        else await client.messageFlagsRemove(String(uid), ['\\Seen'], { uid: true });
        summary.flagsChanged++;
      }
    }
    await client.mailboxClose().catch(() => undefined);
    for (const m of deltaMessages(corpus, account, count, corpus.seed + 1)) {
      await client.append(sourceMailboxName(m.folder), m.raw, m.flags, m.internalDate);
      summary.added++;
      summary.addedBytes += m.raw.length;
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return summary;
}
