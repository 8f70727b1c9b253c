/**
 * A Dovecot laid out like a Microsoft 365 / Exchange Online mailbox seen over IMAP
 * (outlook.office365.com), for source and destination tests:
 *  - its folder names, English or Polish (the mailbox's language decides them), with the
 *    special-use attributes Exchange puts in LIST (\Sent on Sent Items, \Trash on Deleted Items,
 *    \Junk on Junk Email, \Drafts, \Archive) although its CAPABILITY announces no SPECIAL-USE
 *    (fixtures/providers/microsoft365.json and microsoft365-facts.json say where each comes from);
 *  - its non-mail folders, listed by IMAP like any other: Calendar (with subfolders), Contacts,
 *    Tasks, Notes, Journal, Conversation History, RSS Feeds, Sync Issues with Conflicts, Local
 *    Failures and Server Failures, and the transient Outbox; they carry no attribute, so only their
 *    names tell them apart, which is why the layout marks each with its role and the reason to leave
 *    it out;
 *  - Exchange's post-login capabilities and greeting.
 * Its refusals (throttling, size, bad lines) come from the fault proxy: see m365-faults.ts.
 */
import { connectPlain, startDovecot, type DovecotServer, type MailboxSetting } from './dovecot.js';

/**
 * Exchange Online's post-login CAPABILITY as recorded (MailKit issue 849): no SPECIAL-USE, no
 * CONDSTORE, no MULTIAPPEND, no APPENDLIMIT. AUTH= mechanisms are pre-login only and left out.
 */
export const M365_CAPABILITIES =
  'IMAP4 IMAP4rev1 SASL-IR UIDPLUS MOVE ID UNSELECT CLIENTACCESSRULES CLIENTNETWORKPRESENCELOCATION ' +
  'BACKENDAUTHENTICATE CHILDREN IDLE NAMESPACE LITERAL+';

/** Exchange's greeting text (MailKit issue 849), without the session token it appends. */
export const M365_GREETING = 'The Microsoft Exchange IMAP4 service is ready.';

/** What a folder of an Exchange mailbox holds, and so whether a migration copies it by default. */
export type M365Role =
  | 'sent'
  | 'trash'
  | 'junk'
  | 'drafts'
  | 'archive'
  | 'outbox'
  | 'calendar'
  | 'contacts'
  | 'tasks'
  | 'notes'
  | 'journal'
  | 'conversation-history'
  | 'rss'
  | 'sync-issues';

export interface M365Folder {
  name: string;
  role: M365Role;
  /** The attribute Exchange lists the folder with, if any. */
  specialUse?: string;
  /** Set for folders a migration leaves out by default, with the reason it shows. */
  exclude?: string;
  /** False where no public source confirmed this localized name (see microsoft365-facts.json). */
  confirmed?: false;
}

const WHY = {
  outbox: 'Outlook outbox: mail waiting to be sent by a client, normally empty; copying it sends nothing',
  calendar:
    'Calendar items (appointments), not mail: IMAP does not carry them; migrate them with the calendar',
  contacts: 'Contacts, not mail: IMAP does not carry them',
  tasks: 'Tasks, not mail: IMAP does not carry them',
  notes: 'Outlook notes, not mail',
  journal: 'Outlook journal entries, not mail',
  conversation: 'Skype for Business / Teams conversation logs, not mail',
  rss: 'RSS feed items Outlook downloaded, not mail',
  syncIssues: 'Outlook synchronisation logs and conflict copies, not the user\u2019s mail',
} as const;

/** The folders of an English-language mailbox (fixtures/providers/microsoft365.json). */
export function m365FoldersEnglish(calendarSubfolders = true): M365Folder[] {
  const folders: M365Folder[] = [
    { name: 'Archive', role: 'archive', specialUse: '\\Archive' },
    { name: 'Deleted Items', role: 'trash', specialUse: '\\Trash' },
    { name: 'Drafts', role: 'drafts', specialUse: '\\Drafts' },
    { name: 'Junk Email', role: 'junk', specialUse: '\\Junk' },
    { name: 'Sent Items', role: 'sent', specialUse: '\\Sent' },
    { name: 'Outbox', role: 'outbox', exclude: WHY.outbox },
    { name: 'Calendar', role: 'calendar', exclude: WHY.calendar },
    { name: 'Contacts', role: 'contacts', exclude: WHY.contacts },
    { name: 'Tasks', role: 'tasks', exclude: WHY.tasks },
    { name: 'Notes', role: 'notes', exclude: WHY.notes },
    { name: 'Journal', role: 'journal', exclude: WHY.journal },
    { name: 'Conversation History', role: 'conversation-history', exclude: WHY.conversation },
    { name: 'RSS Feeds', role: 'rss', exclude: WHY.rss },
    { name: 'Sync Issues', role: 'sync-issues', exclude: WHY.syncIssues },
    { name: 'Sync Issues/Conflicts', role: 'sync-issues', exclude: WHY.syncIssues },
    { name: 'Sync Issues/Local Failures', role: 'sync-issues', exclude: WHY.syncIssues },
    { name: 'Sync Issues/Server Failures', role: 'sync-issues', exclude: WHY.syncIssues },
  ];
  if (calendarSubfolders) {
    folders.push(
      { name: 'Calendar/Birthdays', role: 'calendar', exclude: WHY.calendar },
      { name: 'Calendar/United States holidays', role: 'calendar', exclude: WHY.calendar },
    );
  }
  return folders;
}

/**
 * The folders of a Polish-language mailbox. Sent, Deleted, Junk, Drafts, Outbox, Calendar, Contacts,
 * Tasks, Notes and Sync Issues are Outlook's Polish names as a migration tool's table records them
 * (microsoft365-facts.json); the others are marked unconfirmed.
 */
export function m365FoldersPolish(calendarSubfolders = true): M365Folder[] {
  const folders: M365Folder[] = [
    { name: 'Archiwum', role: 'archive', specialUse: '\\Archive', confirmed: false },
    { name: 'Elementy usuni\u0119te', role: 'trash', specialUse: '\\Trash' },
    { name: 'Wersje robocze', role: 'drafts', specialUse: '\\Drafts' },
    { name: 'Wiadomo\u015bci-\u015bmieci', role: 'junk', specialUse: '\\Junk' },
    { name: 'Elementy wys\u0142ane', role: 'sent', specialUse: '\\Sent' },
    { name: 'Skrzynka nadawcza', role: 'outbox', exclude: WHY.outbox },
    { name: 'Kalendarz', role: 'calendar', exclude: WHY.calendar },
    { name: 'Kontakty', role: 'contacts', exclude: WHY.contacts },
    { name: 'Zadania', role: 'tasks', exclude: WHY.tasks },
    { name: 'Notatki', role: 'notes', exclude: WHY.notes },
    { name: 'Dziennik', role: 'journal', exclude: WHY.journal, confirmed: false },
    {
      name: 'Historia konwersacji',
      role: 'conversation-history',
      exclude: WHY.conversation,
      confirmed: false,
    },
    { name: 'Problemy z synchronizacj\u0105', role: 'sync-issues', exclude: WHY.syncIssues },
    {
      name: 'Problemy z synchronizacj\u0105/Konflikty',
      role: 'sync-issues',
      exclude: WHY.syncIssues,
      confirmed: false,
    },
    {
      name: 'Problemy z synchronizacj\u0105/B\u0142\u0119dy lokalne',
      role: 'sync-issues',
      exclude: WHY.syncIssues,
      confirmed: false,
    },
    {
      name: 'Problemy z synchronizacj\u0105/B\u0142\u0119dy serwera',
      role: 'sync-issues',
      exclude: WHY.syncIssues,
      confirmed: false,
    },
  ];
  if (calendarSubfolders) {
    folders.push({ name: 'Kalendarz/Urodziny', role: 'calendar', exclude: WHY.calendar, confirmed: false });
  }
  return folders;
}

/** A message to seed: the folder it is in, its bytes, flags and date. */
export interface M365Message {
  folder: string;
  raw: Buffer;
  flags?: string[];
  date: Date;
}

export interface M365Account {
  user: string;
  password: string;
  /** User folders with no message. */
  folders?: string[];
  messages: M365Message[];
}

export interface M365ShapeOptions {
  accounts: M365Account[];
  locale?: 'en' | 'pl';
  calendarSubfolders?: boolean;
}

export interface M365Shape {
  server: DovecotServer;
  folders: M365Folder[];
  /** The folder of a role (`sent`, `trash`...). */
  folderOf(role: M365Role): string;
  stop(): Promise<void>;
}

/** Exchange lists INBOX and every default folder subscribed; Dovecot's `auto = subscribe` does the same. */
function mailboxSettings(folders: M365Folder[]): MailboxSetting[] {
  return folders.map((f) => ({ name: f.name, specialUse: f.specialUse, auto: 'subscribe' }));
}

async function seedAccount(
  server: DovecotServer,
  account: M365Account,
  folders: M365Folder[],
): Promise<void> {
  const client = await connectPlain(server, account.user, account.password);
  try {
    // Dovecot creates auto mailboxes on first access; a parent (Sync Issues) is listed only then.
    for (const f of folders) await client.status(f.name, { messages: true });
    const known = new Set(['INBOX', ...folders.map((f) => f.name)]);
    // A folder's parents are folders too in Exchange, never bare hierarchy nodes.
    const own = [...(account.folders ?? []), ...account.messages.map((m) => m.folder)]
      .flatMap((f) => f.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/')))
      .filter((f) => !known.has(f));
    for (const name of [...new Set(own)].sort()) await client.mailboxCreate(name);
    for (const m of account.messages) await client.append(m.folder, m.raw, m.flags ?? ['\\Seen'], m.date);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * Starts a Microsoft-365-shaped Dovecot and seeds each account.
 * @returns the server (its plain port for the fault proxy), its folders by role; call `stop()`.
 */
export async function startM365Shape(opts: M365ShapeOptions): Promise<M365Shape> {
  const folders =
    opts.locale === 'pl'
      ? m365FoldersPolish(opts.calendarSubfolders)
      : m365FoldersEnglish(opts.calendarSubfolders);
  const server = await startDovecot({
    flavor: 'destination',
    users: opts.accounts.map((a) => ({ user: a.user, password: a.password })),
    namespace: { separator: '/', mailboxes: mailboxSettings(folders) },
    capabilities: M365_CAPABILITIES,
    greeting: M365_GREETING,
  });
  try {
    for (const account of opts.accounts) await seedAccount(server, account, folders);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const folderOf = (role: M365Role) => {
    const f = folders.find((x) => x.role === role);
    if (!f) throw new Error(`m365-shape: no folder with role ${role}`);
    return f.name;
  };
  return { server, folders, folderOf, stop: () => server.stop() };
}

/** A small mailbox: mail in INBOX, Sent, Archive, Deleted, a user folder, and nothing in the non-mail folders. */
export function sampleM365Account(user: string, password: string, locale: 'en' | 'pl' = 'en'): M365Account {
  const layout = locale === 'pl' ? m365FoldersPolish() : m365FoldersEnglish();
  const of = (role: M365Role) => layout.find((f) => f.role === role)!.name;
  const msg = (folder: string, n: number, subject: string): M365Message => ({
    folder,
    date: new Date(Date.UTC(2025, 3, n, 8, 0)),
    raw: Buffer.from(
      [
        'From: Jan Kowalski <jan@acme.example>',
        `To: <${user}>`,
        `Subject: ${subject}`,
        `Date: ${new Date(Date.UTC(2025, 3, n, 8, 0)).toUTCString().replace('GMT', '+0000')}`,
        `Message-ID: <m365-${n}@m365-shape.example>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `${subject}.`,
        '',
      ].join('\r\n'),
    ),
  });
  return {
    user,
    password,
    messages: [
      msg('INBOX', 1, 'Spotkanie'),
      msg('INBOX', 2, 'Raport kwartalny'),
      msg(of('sent'), 3, 'Odpowiedz'),
      msg(of('archive'), 4, 'Stara umowa'),
      msg(of('trash'), 5, 'Nieaktualne'),
      msg('Projekty/2025', 6, 'Harmonogram'),
    ],
  };
}
