/**
 * A small company on in-memory servers (memory-server.ts), for the unit suite's runs of the whole
 * CLI: a cPanel-style source (`INBOX.` prefix, `.` delimiter, no SPECIAL-USE) and a modern
 * destination (`/`, SPECIAL-USE, MULTIAPPEND, UIDPLUS, QUOTA) that refuses bare LF, three accounts
 * with nested folders (an empty, unsubscribed parent among them), two source folders merged into
 * one, a localized special folder, an exact duplicate pair, a message without Message-ID, flags
 * and keywords, an empty folder, mail already on the destination, and a message the destination
 * refuses until it is repaired: 23 messages, kept few because the crash test runs a process per
 * checkpoint step. Plus the plan file that migrates them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpecialUse } from '../../src/core/folders.js';
import { MemoryNetwork, type MemoryMailbox, type MemoryServerSettings } from './memory-server.js';

export const SOURCE_HOST = 'source.memory';
export const DESTINATION_HOST = 'destination.memory';

/** The source: a cPanel-style server as many small hosts run it. */
export const SOURCE_SERVER: Partial<MemoryServerSettings> = {
  prefix: 'INBOX.',
  delimiter: '.',
  capabilities: ['IMAP4REV1', 'LIST-STATUS', 'CONDSTORE', 'UIDPLUS', 'STATUS=SIZE', 'NAMESPACE'],
};

/** The destination: special-use folders, MULTIAPPEND; it refuses bare LF as some providers do. */
export const DESTINATION_SERVER: Partial<MemoryServerSettings> = {
  prefix: '',
  delimiter: '/',
  capabilities: [
    'IMAP4REV1',
    'SPECIAL-USE',
    'LIST-STATUS',
    'CONDSTORE',
    'UIDPLUS',
    'MULTIAPPEND',
    'LITERAL+',
    'QUOTA',
    'NAMESPACE',
  ],
  refuse: [{ bareLf: true, text: 'Message contains bare newlines (LF without CR)' }],
};

/** The special folders every destination account starts with. */
const DESTINATION_FOLDERS: { path: string; specialUse: SpecialUse }[] = [
  { path: 'Sent', specialUse: '\\Sent' },
  { path: 'Drafts', specialUse: '\\Drafts' },
  { path: 'Trash', specialUse: '\\Trash' },
  { path: 'Junk', specialUse: '\\Junk' },
  { path: 'Archive', specialUse: '\\Archive' },
];

/** A message's parts; `id: null` leaves the Message-ID out. */
interface MailSpec {
  from: string;
  to: string;
  subject: string;
  id: string | null;
  day: number;
  body?: string;
  /** Line ending of the whole message (a bare LF message is refused by the destination). */
  eol?: '\r\n' | '\n';
}

/** An RFC 5322 message; its Date and INTERNALDATE fall on the given day of November 2025. */
export function mail(spec: MailSpec): Buffer {
  const eol = spec.eol ?? '\r\n';
  const date = new Date(Date.UTC(2025, 10, spec.day, 9, 30));
  const headers = [
    `From: ${spec.from}`,
    `To: ${spec.to}`,
    `Subject: ${spec.subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    ...(spec.id === null ? [] : [`Message-ID: <${spec.id}@acme.example>`]),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ];
  const body = spec.body ?? `Dzien dobry,${eol}${spec.subject}.${eol}Pozdrawiam${eol}`;
  return Buffer.from(`${headers.join(eol)}${eol}${eol}${body}`, 'utf8');
}

/** One seeded message: its bytes, flags and INTERNALDATE. */
interface Seed {
  folder: string;
  raw: Buffer;
  flags?: string[];
  day: number;
}

function seed(box: MemoryMailbox, messages: Seed[]): void {
  for (const m of messages) {
    const reply = box.append(m.folder, [
      { raw: m.raw, flags: m.flags ?? [], internalDate: new Date(Date.UTC(2025, 10, m.day, 10)) },
    ]);
    if (reply.status !== 'OK') throw new Error(`seeding ${m.folder}: ${reply.status} ${reply.text}`);
  }
}

/** One account of the company: its logins and what the plan says of its folders. */
export interface CompanyAccount {
  user: string;
  password: string;
  destinationPassword: string;
  /** Extra YAML under the account (folder rules), indented for the plan. */
  folders?: string;
}

const KONTAKT: CompanyAccount = {
  user: 'kontakt@acme.example',
  password: 'src-kontakt',
  destinationPassword: 'dst-kontakt',
  // The old "Stare" folder goes into "Klienci": two source folders merged into one.
  folders: '    folders: { map: { Stare: Klienci } }',
};
const SPRZEDAZ: CompanyAccount = {
  user: 'sprzedaz@acme.example',
  password: 'src-sprzedaz',
  destinationPassword: 'dst-sprzedaz',
};
const REKRUTACJA: CompanyAccount = {
  user: 'rekrutacja@acme.example',
  password: 'src-rekrutacja',
  destinationPassword: 'dst-rekrutacja',
};

/** The company's accounts, in plan order. */
export const COMPANY: readonly CompanyAccount[] = [KONTAKT, SPRZEDAZ, REKRUTACJA];

function seedKontakt(src: MemoryMailbox): void {
  const to = KONTAKT.user;
  const duplicate = mail({
    from: 'biuro@dostawca.example',
    to,
    subject: 'Faktura 11/2025',
    id: 'fv-11',
    day: 3,
  });
  const shared = mail({ from: 'jan@klient.example', to, subject: 'Umowa ramowa', id: 'umowa-1', day: 4 });
  seed(src, [
    {
      folder: 'INBOX',
      raw: mail({ from: 'anna@klient.example', to, subject: 'Zapytanie', id: 'q-1', day: 1 }),
      flags: ['\\Seen'],
      day: 1,
    },
    { folder: 'INBOX', raw: duplicate, flags: ['\\Seen', '$Forwarded'], day: 3 },
    { folder: 'INBOX', raw: duplicate, flags: ['\\Seen', '$Forwarded'], day: 3 },
    // No Message-ID: recognised by a hash of Date, From, To and Subject.
    {
      folder: 'INBOX',
      raw: mail({ from: 'skaner@acme.example', to, subject: 'Skan dokumentu', id: null, day: 5 }),
      day: 5,
    },
    {
      folder: 'INBOX',
      raw: mail({ from: 'ola@klient.example', to, subject: 'Pilne', id: 'pilne-1', day: 6 }),
      flags: ['\\Flagged', '\\Answered', '\\Seen'],
      day: 6,
    },
    {
      folder: 'INBOX.Wys\u0142ane',
      raw: mail({ from: to, to: 'anna@klient.example', subject: 'Re: Zapytanie', id: 'sent-1', day: 2 }),
      flags: ['\\Seen'],
      day: 2,
    },
    {
      folder: 'INBOX.Wys\u0142ane',
      raw: mail({ from: to, to: 'jan@klient.example', subject: 'Oferta', id: 'sent-2', day: 7 }),
      flags: ['\\Seen', '$label1'],
      day: 7,
    },
    { folder: 'INBOX.Klienci', raw: shared, flags: ['\\Seen'], day: 4 },
    {
      folder: 'INBOX.Klienci',
      raw: mail({ from: 'jan@klient.example', to, subject: 'Aneks', id: 'aneks-1', day: 8 }),
      day: 8,
    },
    {
      folder: 'INBOX.Klienci.Wa\u017cne',
      raw: mail({ from: 'prezes@klient.example', to, subject: 'Spotkanie', id: 'spot-1', day: 9 }),
      flags: ['\\Flagged'],
      day: 9,
    },
    {
      folder: 'INBOX.Klienci.Wa\u017cne',
      raw: mail({ from: 'prezes@klient.example', to, subject: 'Budzet', id: 'budzet-1', day: 10 }),
      flags: ['\\Seen', 'Wazne'],
      day: 10,
    },
    // Merged into Klienci, and one message is the same as one of Klienci's: both copies arrive.
    { folder: 'INBOX.Stare', raw: shared, flags: ['\\Seen'], day: 4 },
    {
      folder: 'INBOX.Stare',
      raw: mail({ from: 'stary@klient.example', to, subject: 'Archiwalne', id: 'old-1', day: 11 }),
      flags: ['\\Seen', '\\Deleted'],
      day: 11,
    },
  ]);
}

function seedSprzedaz(src: MemoryMailbox): void {
  const to = SPRZEDAZ.user;
  seed(src, [
    {
      folder: 'INBOX',
      raw: mail({ from: 'hurt@klient.example', to, subject: 'Zamowienie 1', id: 'zam-1', day: 1 }),
      flags: ['\\Seen', '\\Answered'],
      day: 1,
    },
    {
      folder: 'INBOX',
      raw: mail({ from: 'hurt@klient.example', to, subject: 'Zamowienie 2', id: 'zam-2', day: 2 }),
      flags: ['$Forwarded', '$label2'],
      day: 2,
    },
    // Written by an old mailer with bare LF: the destination refuses it until it is repaired.
    {
      folder: 'INBOX',
      raw: mail({
        from: 'stary-system@klient.example',
        to,
        subject: 'Raport',
        id: 'raport-lf',
        day: 3,
        eol: '\n',
      }),
      flags: ['\\Seen'],
      day: 3,
    },
    {
      folder: 'INBOX',
      raw: mail({ from: 'hurt@klient.example', to, subject: 'Zamowienie 3', id: 'zam-3', day: 4 }),
      day: 4,
    },
    {
      folder: 'INBOX',
      raw: mail({ from: 'detal@klient.example', to, subject: 'Reklamacja', id: 'rek-1', day: 5 }),
      flags: ['\\Flagged'],
      day: 5,
    },
    {
      folder: 'INBOX.Oferty.2024',
      raw: mail({ from: to, to: 'hurt@klient.example', subject: 'Oferta 2024', id: 'of-2024', day: 7 }),
      flags: ['\\Seen', '$label1'],
      day: 7,
    },
    {
      folder: 'INBOX.Oferty.2024',
      raw: mail({ from: to, to: 'detal@klient.example', subject: 'Oferta 2024 b', id: 'of-2024b', day: 8 }),
      flags: ['\\Seen', '\\Draft'],
      day: 8,
    },
  ]);
}

function seedRekrutacja(src: MemoryMailbox, dst: MemoryMailbox): void {
  const to = REKRUTACJA.user;
  seed(src, [
    {
      folder: 'INBOX',
      raw: mail({ from: 'kandydat1@poczta.example', to, subject: 'CV', id: 'cv-1', day: 1 }),
      flags: ['\\Seen'],
      day: 1,
    },
    {
      folder: 'INBOX',
      raw: mail({ from: 'kandydat2@poczta.example', to, subject: 'CV', id: 'cv-2', day: 2 }),
      day: 2,
    },
    {
      folder: 'INBOX',
      raw: mail({ from: 'kandydat3@poczta.example', to, subject: 'List motywacyjny', id: null, day: 3 }),
      flags: ['\\Seen', '\\Flagged'],
      day: 3,
    },
  ]);
  // Mail delivered to the new server after the MX change: not the source's, left alone.
  seed(dst, [
    {
      folder: 'INBOX',
      raw: mail({ from: 'nowy@poczta.example', to, subject: 'Po migracji', id: 'new-1', day: 20 }),
      day: 20,
    },
  ]);
}

/** The source folders of each account besides INBOX (parents made as needed). */
const SOURCE_FOLDERS: Record<string, string[]> = {
  [KONTAKT.user]: ['INBOX.Wys\u0142ane', 'INBOX.Klienci.Wa\u017cne', 'INBOX.Stare'],
  // INBOX.Oferty is made by CREATE as the parent of INBOX.Oferty.2024: empty and unsubscribed.
  [SPRZEDAZ.user]: ['INBOX.Oferty.2024'],
  [REKRUTACJA.user]: ['INBOX.Puste'],
};

/**
 * Writes the company's servers to `file`: every account seeded on the source, the destination
 * accounts with their special folders (and the mail already there).
 */
export function createCompanyServers(file: string): MemoryNetwork {
  const net = MemoryNetwork.create(file, {
    [SOURCE_HOST]: SOURCE_SERVER,
    [DESTINATION_HOST]: DESTINATION_SERVER,
  });
  const src = net.server(SOURCE_HOST)!;
  const dst = net.server(DESTINATION_HOST)!;
  const boxes = COMPANY.map((a) => ({
    src: src.addAccount(a.user, a.password, { folders: SOURCE_FOLDERS[a.user]!.map((path) => ({ path })) }),
    dst: dst.addAccount(a.user, a.destinationPassword, { folders: DESTINATION_FOLDERS, quota: 10_000_000 }),
  }));
  seedKontakt(boxes[0]!.src);
  seedSprzedaz(boxes[1]!.src);
  seedRekrutacja(boxes[2]!.src, boxes[2]!.dst);
  return net;
}

/**
 * Writes the plan (and its secrets, in files) for the company's servers into `dir`.
 * @param extra top-level YAML after the accounts (limits, problems)
 * @returns the plan's path
 */
export function writeCompanyPlan(
  dir: string,
  extra = '',
  accounts: readonly CompanyAccount[] = COMPANY,
): string {
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  const lines = [
    'version: 1',
    'name: memory-company',
    `source: { host: ${SOURCE_HOST}, port: 993, security: tls }`,
    `destination: { host: ${DESTINATION_HOST}, port: 143, security: starttls }`,
    'accounts:',
  ];
  for (const a of accounts) {
    const local = a.user.split('@')[0]!;
    writeFileSync(join(dir, 'secrets', `src-${local}.txt`), `${a.password}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'secrets', `dst-${local}.txt`), `${a.destinationPassword}\n`, { mode: 0o600 });
    lines.push(`  - source: { user: ${a.user}, passwordFile: secrets/src-${local}.txt }`);
    lines.push(`    destination: { user: ${a.user}, passwordFile: secrets/dst-${local}.txt }`);
    if (a.folders) lines.push(a.folders);
  }
  const path = join(dir, 'plan.yaml');
  writeFileSync(path, `${lines.join('\n')}\n${extra}\n`);
  return path;
}
