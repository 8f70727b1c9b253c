/**
 * The mailbox shapes the benchmark measures (issue 20): besides the standard corpus of mid-sized
 * accounts, one huge INBOX, an accountant's tree of 200 small folders, a 24-folder account, and
 * 150 small accounts. Each names its corpus, where mailshift runs (loopback or through the latency
 * proxies) and the peer it is compared with.
 */
import {
  accountantLayout,
  corpusLayout,
  inboxLayout,
  type CorpusOptions,
  type LayoutOptions,
} from '../test/harness/corpus.js';

/** Every shape, in the order `--shape all` runs them. */
export const SHAPE_IDS = ['corpus', 'inbox30k', 'folders200', 'folders24', 'accounts150'] as const;

/** A shape's id, as `--shape` takes it. */
export type ShapeId = (typeof SHAPE_IDS)[number];

/** A shape other than the standard corpus (which has its own runs, bench/corpus-runs.ts). */
export interface Shape {
  id: Exclude<ShapeId, 'corpus'>;
  /** What the mailbox is, for the tables. */
  title(o: LayoutArgs): string;
  /** mailshift and the peer run through the latency proxies (both servers) rather than on loopback. */
  latency: boolean;
  peer: 'dsync' | 'mbsync';
  /** Also time `mailshift plan` and `mailshift report`, before the run (as a user would). */
  planAndReport: boolean;
  /** After the loopback run, also a no-op through the proxies (the no-op target is at 30 ms). */
  noopAtLatency: boolean;
  /** The corpus; `quick` scales it down to check the machinery. */
  layout(o: LayoutArgs): LayoutOptions;
}

/** What a shape's corpus depends on: the seed, `--quick`, and `--inbox-messages` (inbox30k). */
export interface LayoutArgs {
  seed: number;
  quick: boolean;
  /** Messages of inbox30k's INBOX (30,000 unless `--inbox-messages`; 3,000 with `--quick`). */
  inboxMessages: number;
}

/** The shapes of issue 20, by id. */
export const SHAPES: Record<Shape['id'], Shape> = {
  inbox30k: {
    id: 'inbox30k',
    title: ({ inboxMessages }) =>
      `one account, one INBOX of ${inboxMessages.toLocaleString('en-US')} messages (no attachments over 900 KB)`,
    latency: false,
    peer: 'dsync',
    planAndReport: false,
    noopAtLatency: true,
    // Sizes like the standard corpus without its 1-5 MB attachments and 25 MB message: about 1 GB.
    layout: ({ seed, inboxMessages }) => ({
      seed,
      accounts: inboxLayout(inboxMessages),
      attachmentShare: 0,
      bigMessageBytes: 0,
    }),
  },
  folders200: {
    id: 'folders200',
    title: () => "one account, an accountant's 200 folders of 5-15 messages (Faktury/2019/01...)",
    latency: true,
    peer: 'mbsync',
    planAndReport: false,
    noopAtLatency: false,
    layout: ({ seed, quick }) => ({
      seed,
      accounts: accountantLayout(quick ? 40 : 200, seed),
      bigMessageBytes: 0,
    }),
  },
  folders24: {
    id: 'folders24',
    title: () => 'one account, 24 folders, 1,500 messages',
    latency: true,
    peer: 'mbsync',
    planAndReport: false,
    noopAtLatency: false,
    layout: ({ seed, quick }) =>
      standard({ seed, accounts: 1, messagesPerAccount: quick ? 300 : 1500, folders: 24 }),
  },
  accounts150: {
    id: 'accounts150',
    title: () => '150 accounts of 20 messages in 6 folders',
    latency: false,
    peer: 'dsync',
    planAndReport: true,
    noopAtLatency: false,
    layout: ({ seed, quick }) =>
      standard({ seed, accounts: quick ? 15 : 150, messagesPerAccount: 20, folders: 6 }),
  },
};

/** The standard corpus's folders and sizes (1% attachments), without the 25 MB message. */
function standard(opts: CorpusOptions): LayoutOptions {
  return { seed: opts.seed, accounts: corpusLayout(opts), bigMessageBytes: 0 };
}
