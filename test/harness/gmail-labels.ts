/**
 * Gmail's model behind its IMAP view, as Google documents it for X-GM-EXT-1
 * (https://developers.google.com/workspace/gmail/imap/imap-extensions): a message has one
 * account-wide id (X-GM-MSGID, "a 64-bit unsigned integer ... so that a unique message may be
 * identified across multiple folders"), a thread id (X-GM-THRID, same form) and a set of labels
 * (X-GM-LABELS, "a list of ASTRINGs, encoded in UTF-7 as appropriate"); "Gmail treats labels as
 * folders for the purposes of IMAP". The table here holds those facts keyed by Message-ID, for the
 * test proxy (gmail-ext-proxy.ts) and for the tests that check what it answers.
 */
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';

/** The special folders of a Gmail account under its container (`[Gmail]`, or `[Google Mail]` in UK/DE). */
export interface GmailFolders {
  container: string;
  all: string;
  sent: string;
  drafts: string;
  spam: string;
  trash: string;
  starred: string;
  important: string;
}

/** Folder names as Gmail lists them (fixtures/providers/gmail.json; the Bin variant in gmail-facts.json). */
export function gmailFolders(container = '[Gmail]'): GmailFolders {
  return {
    container,
    all: `${container}/All Mail`,
    sent: `${container}/Sent Mail`,
    drafts: `${container}/Drafts`,
    spam: `${container}/Spam`,
    trash: `${container}/Trash`,
    starred: `${container}/Starred`,
    important: `${container}/Important`,
  };
}

/**
 * System labels as X-GM-LABELS names them. Google's examples show `\Inbox`, `\Sent`, `\Important`
 * and `\Drafts`; `\Starred`, `\Spam` and `\Trash` are the names clients store and search for
 * (MailKit issue 306, go-imap pull request 759). All Mail is no label at all.
 */
export const SYSTEM_LABELS = {
  inbox: '\\Inbox',
  sent: '\\Sent',
  drafts: '\\Drafts',
  starred: '\\Starred',
  important: '\\Important',
  spam: '\\Spam',
  trash: '\\Trash',
} as const;

/** What Gmail knows of one message, whichever folder shows it. */
export interface GmailMessageFacts {
  msgid: bigint;
  thrid: bigint;
  /** System labels (`\Inbox`...) and user labels (`Klienci/ACME`), as decoded text. */
  labels: string[];
}

/**
 * A stable 64-bit id from a key (the Message-ID, or a hash of a header without one). The top bit
 * pair is set so that every id is above 2^53: a client that turns it into a JavaScript number loses
 * digits and the tests see it, as they would with Gmail's real ids (1278455344230334865 in Google's
 * example).
 */
export function gmailId(key: string): bigint {
  const h = createHash('sha256').update(key).digest();
  return (h.readBigUInt64BE(0) >> 2n) | (1n << 61n);
}

/** Gmail's labels, keyed by Message-ID, and which folder stands for which label. */
export class GmailLabelTable {
  private readonly byKey = new Map<string, GmailMessageFacts>();

  constructor(readonly folders: GmailFolders) {}

  /** Records (or replaces) what Gmail knows of the message with this key. */
  set(key: string, facts: GmailMessageFacts): void {
    this.byKey.set(key, facts);
  }

  get(key: string): GmailMessageFacts | undefined {
    return this.byKey.get(key);
  }

  /** Every key whose facts satisfy `test` (a SEARCH by X-GM-MSGID or X-GM-THRID). */
  keysWhere(test: (facts: GmailMessageFacts) => boolean): string[] {
    return [...this.byKey].filter(([, f]) => test(f)).map(([k]) => k);
  }

  /**
   * The label a folder stands for: a user label folder is its own label, a system folder its system
   * label, All Mail and the container none.
   */
  labelOfFolder(path: string): string | undefined {
    const f = this.folders;
    const system: Record<string, string> = {
      INBOX: SYSTEM_LABELS.inbox,
      [f.sent]: SYSTEM_LABELS.sent,
      [f.drafts]: SYSTEM_LABELS.drafts,
      [f.starred]: SYSTEM_LABELS.starred,
      [f.important]: SYSTEM_LABELS.important,
      [f.spam]: SYSTEM_LABELS.spam,
      [f.trash]: SYSTEM_LABELS.trash,
    };
    if (path.toUpperCase() === 'INBOX') return SYSTEM_LABELS.inbox;
    if (path in system) return system[path];
    if (path === f.all || path === f.container) return undefined;
    return path;
  }
}

/** RFC 3501 ASTRING-CHAR: any CHAR except atom-specials other than `]`. */
const ASTRING_ATOM = /^[\x21\x23\x24\x26\x27\x2b-\x5b\x5d-\x7a\x7c\x7e]+$/;

/** A quoted string with `\` and `"` escaped (RFC 3501 section 4.3). */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * How a label goes on the wire. User labels are mailbox names: modified UTF-7 (RFC 3501 section
 * 5.1.3), then an atom where the characters allow, a quoted string otherwise (`"Muy Importante"`).
 * System labels: `quoted` sends `"\\Inbox"` as Gmail does in recorded sessions (node-imap issue 187:
 * `X-GM-LABELS ("\\Inbox" "\\Important")`); `flag` sends the bare `\Inbox` of Google's examples.
 */
export function formatLabel(label: string, systemStyle: 'quoted' | 'flag' = 'quoted'): string {
  if (label.startsWith('\\')) return systemStyle === 'flag' ? label : quoted(label);
  const wire = iconv.encode(label, 'utf-7-imap').toString('latin1');
  return ASTRING_ATOM.test(wire) ? wire : quoted(wire);
}

/** The Message-ID of a header block (unfolded, angle brackets kept), if it has one. */
export function messageIdOf(header: Buffer): string | undefined {
  const text = header.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const m = /^Message-ID:\s*(<[^>\r\n]*>)/im.exec(text);
  return m?.[1];
}

/** The table key of a message: its Message-ID, or a hash of its whole header when it has none. */
export function messageKey(header: Buffer): string {
  return messageIdOf(header) ?? `sha256:${createHash('sha256').update(header).digest('hex')}`;
}
