/**
 * A Dovecot laid out like a Gmail / Google Workspace account, for source and destination tests:
 *  - the folder tree Gmail lists (fixtures/providers/gmail.json, googlemail.json and the recorded
 *    session in gmail-facts.json): INBOX, the `[Gmail]` container (\Noselect), `[Gmail]/All Mail`
 *    \All, `Sent Mail` \Sent, `Drafts` \Drafts, `Spam` \Junk, `Trash` \Trash, `Starred` \Flagged,
 *    `Important` \Important, and the user's labels as folders (nested labels such as `Klienci/ACME`,
 *    each parent a label too);
 *  - Gmail's one-message-many-folders model played out with copies: every message is in All Mail,
 *    and the same bytes (same Message-ID) are in each folder that stands for one of its labels
 *    (INBOX, a user label, Sent Mail, Starred, Important, Drafts); archived mail with no label is in
 *    All Mail alone; Spam and Trash hold their messages alone (Gmail keeps them out of All Mail);
 *    flags are the message's, so every copy carries the same (\Flagged on starred mail);
 *  - the capabilities Gmail sends after login, less what Dovecot cannot honour (XLIST,
 *    COMPRESS=DEFLATE, UTF8=ACCEPT), with APPENDLIMIT=35651584 enforced by Dovecot's quota plugin;
 *  - the X-GM-EXT-1 facts of every seeded message in a GmailLabelTable for gmail-ext-proxy.ts.
 */
import { connectPlain, startDovecot, type DovecotServer, type MailboxSetting } from './dovecot.js';
import {
  GmailLabelTable,
  SYSTEM_LABELS,
  gmailFolders,
  gmailId,
  messageKey,
  type GmailFolders,
} from './gmail-labels.js';

/**
 * Gmail's post-login capabilities as recorded (see fixtures/providers/gmail-facts.json), less
 * X-GM-EXT-1 (the proxy adds it) and less XLIST, COMPRESS=DEFLATE and UTF8=ACCEPT, which Dovecot 2.3
 * does not implement: a client that used them would fail here and not at Gmail. QUOTA and
 * APPENDLIMIT come from Dovecot's quota plugin.
 */
export const GMAIL_CAPABILITIES =
  'IMAP4rev1 UNSELECT IDLE NAMESPACE ID CHILDREN UIDPLUS ENABLE MOVE CONDSTORE ESEARCH LIST-EXTENDED ' +
  'LIST-STATUS LITERAL- SPECIAL-USE';

/** Gmail's APPENDLIMIT, as its CAPABILITY shows it: 34 MiB. */
export const GMAIL_APPEND_LIMIT = 35_651_584;

/** One message of a Gmail account: its bytes and the labels Gmail gives it. */
export interface GmailMessage {
  /** A short name for tests (`archived-1`). */
  key: string;
  raw: Buffer;
  date: Date;
  /** User labels (folder paths), e.g. `Klienci/ACME`. */
  labels?: string[];
  inbox?: boolean;
  sent?: boolean;
  draft?: boolean;
  starred?: boolean;
  important?: boolean;
  spam?: boolean;
  trash?: boolean;
  seen?: boolean;
  /** The key of the first message of its thread (X-GM-THRID is that message's id). */
  thread?: string;
}

export interface GmailAccount {
  user: string;
  password: string;
  /** User labels with no message, which Gmail still lists. */
  emptyLabels?: string[];
  messages: GmailMessage[];
}

export interface GmailShapeOptions {
  accounts: GmailAccount[];
  /** `[Gmail]` (default) or `[Google Mail]`. */
  container?: string;
}

export interface GmailShape {
  server: DovecotServer;
  folders: GmailFolders;
  /** X-GM facts of every seeded message, for gmail-ext-proxy.ts. */
  table: GmailLabelTable;
  accounts: GmailAccount[];
  stop(): Promise<void>;
}

/** The special folders with the attributes Gmail lists them with. */
function specialMailboxes(f: GmailFolders): MailboxSetting[] {
  return [
    { name: f.all, specialUse: '\\All' },
    { name: f.drafts, specialUse: '\\Drafts' },
    { name: f.important, specialUse: '\\Important' },
    { name: f.sent, specialUse: '\\Sent' },
    { name: f.spam, specialUse: '\\Junk' },
    { name: f.starred, specialUse: '\\Flagged' },
    { name: f.trash, specialUse: '\\Trash' },
  ];
}

/** Every user label of a message with its parents (`Klienci/ACME` is also under label `Klienci`). */
function withParents(labels: readonly string[]): string[] {
  const all = new Set<string>();
  for (const l of labels) {
    const parts = l.split('/');
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  return [...all];
}

/**
 * The folders Gmail shows a message in: the rule this shape is built on, for seeding and for the
 * tests that check what a migration must find.
 */
export function foldersOf(msg: GmailMessage, f: GmailFolders): string[] {
  if (msg.spam) return [f.spam];
  if (msg.trash) return [f.trash];
  const out: string[] = [];
  if (msg.inbox) out.push('INBOX');
  out.push(...(msg.labels ?? []));
  if (msg.sent) out.push(f.sent);
  if (msg.draft) out.push(f.drafts);
  if (msg.starred) out.push(f.starred);
  if (msg.important) out.push(f.important);
  out.push(f.all);
  return out;
}

/** The labels X-GM-LABELS lists for a message (All Mail is none). */
export function labelsOf(msg: GmailMessage): string[] {
  const out: string[] = [];
  if (msg.inbox) out.push(SYSTEM_LABELS.inbox);
  if (msg.sent) out.push(SYSTEM_LABELS.sent);
  if (msg.draft) out.push(SYSTEM_LABELS.drafts);
  if (msg.starred) out.push(SYSTEM_LABELS.starred);
  if (msg.important) out.push(SYSTEM_LABELS.important);
  if (msg.spam) out.push(SYSTEM_LABELS.spam);
  if (msg.trash) out.push(SYSTEM_LABELS.trash);
  return [...out, ...(msg.labels ?? [])];
}

/** Flags are the message's, not the folder's: every copy carries them. */
function flagsOf(msg: GmailMessage): string[] {
  const flags: string[] = [];
  if (msg.seen ?? true) flags.push('\\Seen');
  if (msg.starred) flags.push('\\Flagged');
  if (msg.draft) flags.push('\\Draft');
  return flags;
}

/** The header block of a message (up to and including the empty line), as BODY[HEADER] returns it. */
export function headerOf(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  return end === -1 ? raw : raw.subarray(0, end + 4);
}

/** Fills the label table with the facts of an account's messages. */
function recordFacts(table: GmailLabelTable, account: GmailAccount): void {
  const keyOf = new Map(account.messages.map((m) => [m.key, messageKey(headerOf(m.raw))]));
  for (const m of account.messages) {
    const key = keyOf.get(m.key)!;
    const root = m.thread ? keyOf.get(m.thread) : undefined;
    table.set(key, { msgid: gmailId(key), thrid: gmailId(root ?? key), labels: labelsOf(m) });
  }
}

/** Creates the account's labels and touches the special folders, then appends every copy. */
async function seedAccount(server: DovecotServer, account: GmailAccount, f: GmailFolders): Promise<void> {
  const client = await connectPlain(server, account.user, account.password);
  try {
    // Dovecot creates auto mailboxes on first access; until then the container would not be listed.
    for (const m of specialMailboxes(f)) await client.status(m.name, { messages: true });
    const labels = withParents([
      ...(account.emptyLabels ?? []),
      ...account.messages.flatMap((m) => m.labels ?? []),
    ]);
    for (const label of labels.sort()) await client.mailboxCreate(label);
    const touched = new Set<string>();
    for (const msg of account.messages) {
      for (const folder of foldersOf(msg, f)) {
        await client.append(folder, msg.raw, flagsOf(msg), msg.date);
        touched.add(folder);
      }
    }
    // Gmail shows neither \Recent nor \Marked (its SELECT says `* 0 RECENT`): one read-write SELECT
    // of each folder here takes Dovecot's \Recent, and with it \Marked, off the seeded mail.
    for (const folder of touched) {
      await client.mailboxOpen(folder);
      await client.mailboxClose();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * Starts a Gmail-shaped Dovecot and seeds each account.
 * @returns the server (plain port for the proxy), the folder names and the X-GM facts; call `stop()`.
 */
export async function startGmailShape(opts: GmailShapeOptions): Promise<GmailShape> {
  const folders = gmailFolders(opts.container);
  const server = await startDovecot({
    flavor: 'destination',
    users: opts.accounts.map((a) => ({ user: a.user, password: a.password })),
    namespace: { separator: '/', mailboxes: specialMailboxes(folders) },
    capabilities: GMAIL_CAPABILITIES,
    quota: true,
    maxMailSize: String(GMAIL_APPEND_LIMIT),
    greeting: 'Gimap ready for requests from 127.0.0.1',
  });
  const table = new GmailLabelTable(folders);
  try {
    for (const account of opts.accounts) {
      recordFacts(table, account);
      await seedAccount(server, account, folders);
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { server, folders, table, accounts: opts.accounts, stop: () => server.stop() };
}

// ---------------------------------------------------------------------------------------------
// A sample account with every case issue 18 names

interface Draft {
  key: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  day: number;
  messageId?: string | null;
  inReplyTo?: string;
}

function message(d: Draft): Buffer {
  const lines = [
    `From: ${d.from}`,
    `To: ${d.to}`,
    `Subject: ${d.subject}`,
    `Date: ${new Date(Date.UTC(2025, 2, d.day, 9, 30)).toUTCString().replace('GMT', '+0000')}`,
  ];
  if (d.messageId !== null) lines.push(`Message-ID: ${d.messageId ?? `<${d.key}@gmail-shape.example>`}`);
  if (d.inReplyTo) lines.push(`In-Reply-To: ${d.inReplyTo}`, `References: ${d.inReplyTo}`);
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', d.body, '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/**
 * A Gmail account holding each case once or twice: inbox-only, labelled, nested and non-ASCII
 * labels, multi-labelled, archived-only (no label, not in the inbox), starred, important, sent,
 * a draft, spam, trash, a reply in the same thread, and one message without a Message-ID.
 */
export function sampleGmailAccount(user: string, password: string): GmailAccount {
  const me = `Anna Nowak <${user}>`;
  const client = 'Jan Kowalski <jan@acme.example>';
  const m = (
    draft: Omit<Draft, 'from' | 'to'> & { from?: string; to?: string },
    labels: Omit<GmailMessage, 'key' | 'raw' | 'date'>,
  ) => ({
    key: draft.key,
    raw: message({ from: client, to: me, ...draft }),
    date: new Date(Date.UTC(2025, 2, draft.day, 9, 30)),
    ...labels,
  });
  const zabka = 'Klienci/\u017babka';
  return {
    user,
    password,
    emptyLabels: ['Archiwum 2019'],
    messages: [
      m(
        { key: 'inbox-only', subject: 'Witaj w Gmailu', body: 'Tylko w odebranych.', day: 1 },
        { inbox: true },
      ),
      m(
        { key: 'labelled', subject: 'Umowa ACME', body: 'Umowa w zalaczniku.', day: 2 },
        { inbox: true, labels: ['Klienci/ACME'] },
      ),
      m(
        {
          key: 'reply',
          subject: 'Re: Umowa ACME',
          body: 'Dziekuje.',
          day: 3,
          inReplyTo: '<labelled@gmail-shape.example>',
        },
        { labels: ['Klienci/ACME'], thread: 'labelled' },
      ),
      m(
        { key: 'multi', subject: 'Faktura za migracje', body: 'Trzy etykiety.', day: 4 },
        { labels: ['Klienci/ACME', 'Projekty/Migracja', 'Faktury'] },
      ),
      m({ key: 'archived-1', subject: 'Stary newsletter', body: 'Zarchiwizowany bez etykiety.', day: 5 }, {}),
      m(
        { key: 'archived-2', subject: 'Potwierdzenie rezerwacji', body: 'Tylko w Wszystkie.', day: 6 },
        { seen: false },
      ),
      m(
        { key: 'starred', subject: 'Wazne: hasla VPN', body: 'Oznaczona gwiazdka.', day: 7 },
        { inbox: true, starred: true },
      ),
      m(
        { key: 'important', subject: 'Zaleglosc', body: 'Wazna i w Fakturach.', day: 8 },
        { labels: ['Faktury'], important: true },
      ),
      m(
        { key: 'sent', from: me, to: client, subject: 'Oferta', body: 'Wyslana.', day: 9 },
        { sent: true, labels: ['Projekty/Migracja'] },
      ),
      m(
        {
          key: 'sent-plain',
          from: me,
          to: client,
          subject: 'Termin',
          body: 'Wyslana bez etykiety.',
          day: 10,
        },
        { sent: true },
      ),
      m(
        { key: 'draft', from: me, to: client, subject: 'Szkic odpowiedzi', body: 'Szkic.', day: 11 },
        { draft: true, seen: true },
      ),
      m({ key: 'zabka', subject: 'Zamowienie', body: 'Etykieta spoza ASCII.', day: 12 }, { labels: [zabka] }),
      m(
        { key: 'no-message-id', subject: 'Bez Message-ID', body: 'Bez naglowka.', day: 13, messageId: null },
        { inbox: true, labels: ['Faktury'] },
      ),
      m({ key: 'spam', subject: 'Wygrales', body: 'Spam.', day: 14 }, { spam: true }),
      m({ key: 'trash', subject: 'Do kosza', body: 'Usunieta.', day: 15 }, { trash: true }),
    ],
  };
}
