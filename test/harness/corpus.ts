/**
 * A large, deterministic mail corpus for the benchmark, written straight into a source server's
 * maildirs: N accounts x M messages in about 20 folders each, sized like real mail (median near
 * 20 KB, about 1% with 1-5 MB attachments, one 25 MB message). Appending 20,000 messages one by one
 * over IMAP takes minutes; writing the files takes seconds, and Dovecot indexes them on first sight.
 * Other mailbox shapes (one huge INBOX, an accountant's tree of hundreds of small folders, many
 * small accounts) are layouts written the same way (`writeLayout`).
 *
 * On-disk layout is Dovecot's Maildir++ under the `INBOX.` namespace of the `source` flavour:
 * `Maildir/{cur,new,tmp}` is INBOX and `Maildir/.Projects.Apollo/` is `INBOX.Projects.Apollo`.
 * Each file is named `<time>.M<n>P<pid>.bench,S=<size>,W=<size>:2,<flags>`: S= and W= (equal,
 * since every line ends in CRLF) spare Dovecot from reading the file for RFC822.SIZE, the flags
 * are in the name, and the file's mtime is the INTERNALDATE (Dovecot's maildir rules).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, futimesSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeBigMessage } from './big-message.js';
import type { DovecotServer, TestUser } from './dovecot.js';
import { Prng } from './prng.js';

/** What to generate. The same options give byte-identical files. */
export interface CorpusOptions {
  seed: number;
  accounts: number;
  messagesPerAccount: number;
  /** Folders per account, at most 24 (the first N of the standard list). Default 20. */
  folders?: number;
  /** Size of the one very large message (in the first account's INBOX); 0 for none. Default 25 MiB. */
  bigMessageBytes?: number;
  /** Share of messages carrying a 1-5 MB attachment. Default 0.01. */
  attachmentShare?: number;
  /** Password of every account. Default `bench-pass`. */
  password?: string;
}

/** One folder as generated. `name` is logical: levels separated by "/", "INBOX" for the inbox. */
export interface CorpusFolder {
  name: string;
  messages: number;
  bytes: number;
}

/** One generated account. */
export interface CorpusAccount {
  user: string;
  password: string;
  folders: CorpusFolder[];
  messages: number;
  bytes: number;
}

/** One account of a layout: its folders (logical names, "/" between levels) and their message counts. */
export interface AccountLayout {
  folders: { name: string; messages: number }[];
}

/** Any mailbox shape to generate: account `i` of `accounts` is user `corpusUser(i)`. */
export interface LayoutOptions {
  seed: number;
  accounts: AccountLayout[];
  /** Size of the one very large message (last of the first account's INBOX); 0 for none. Default 0. */
  bigMessageBytes?: number;
  /** Share of messages carrying a 1-5 MB attachment. Default 0.01. */
  attachmentShare?: number;
  /** Password of every account. Default `bench-pass`. */
  password?: string;
}

/** What was written. */
export interface CorpusSummary {
  accounts: CorpusAccount[];
  messages: number;
  bytes: number;
  largest: number;
  /** Median message size in bytes. */
  medianBytes: number;
  /** Messages of 1 MB or more. */
  overOneMb: number;
  /** Milliseconds spent writing files and letting Dovecot index them. */
  writeMs: number;
  indexMs: number;
}

/** Folder names and their share of an account's messages (weights, not percentages). */
const FOLDERS: readonly { name: string; weight: number }[] = [
  { name: 'INBOX', weight: 28 },
  { name: 'Sent', weight: 14 },
  { name: 'Archive', weight: 8 },
  { name: 'Trash', weight: 4 },
  { name: 'Junk', weight: 3 },
  { name: 'Drafts', weight: 1 },
  { name: 'Archive/2022', weight: 6 },
  { name: 'Archive/2023', weight: 6 },
  { name: 'Clients', weight: 2 },
  { name: 'Clients/Acme', weight: 4 },
  { name: 'Clients/Globex', weight: 4 },
  { name: 'Clients/Initech', weight: 3 },
  { name: 'Projects', weight: 2 },
  { name: 'Projects/Apollo', weight: 4 },
  { name: 'Projects/Zephyr', weight: 3 },
  { name: 'Invoices', weight: 3 },
  { name: 'Newsletters', weight: 3 },
  { name: 'Receipts', weight: 1.5 },
  { name: 'Travel', weight: 1 },
  { name: 'Old Mail', weight: 2.5 },
  // Beyond the default 20: the issue's "24 folders" account.
  { name: 'Archive/2021', weight: 5 },
  { name: 'Clients/Umbrella', weight: 3 },
  { name: 'Projects/Hermes', weight: 2 },
  { name: 'HR', weight: 1.5 },
];

/** Folders of the standard corpus unless `folders` says otherwise. */
const DEFAULT_FOLDERS = 20;

const CRLF = '\r\n';
const MAIL_UID = 8;
/** Messages span 2019-2024, fixed so the corpus does not depend on the day it is made. */
const EPOCH_FROM = Date.UTC(2019, 0, 1) / 1000;
const EPOCH_TO = Date.UTC(2025, 0, 1) / 1000;
const MEDIAN_BYTES = 20_000;
const SIGMA = 1.0;
/** Messages above this many bytes are built as text plus a base64 attachment. */
const MULTIPART_FROM = 100_000;

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her all she there would their we him been has when who will more no if out so said what up ' +
  'its about into than them can only other new some could time these two may then do first any my now such ' +
  'like our over man me even most made after also did many before must through back years where much your ' +
  'way well down should because each just those people how too little state good very make world still own ' +
  'see men work long get here between both life being under never day same another know while last might us ' +
  'great old year off come since against go came right used take three invoice meeting delivery contract ' +
  'schedule budget report quarter review proposal shipment order payment attached please regards thanks'
).split(' ');

const NAMES = [
  'Anna Nowak',
  'John Smith',
  'Marta Kowalska',
  'Peter Jones',
  'Olga Petrova',
  'Chen Wei',
  'Laura Rossi',
];

/** Text and base64 line pools shared by all messages: slicing them is far faster than generating. */
interface Pools {
  text: Buffer;
  /** Start offset of every line of `text`, ascending. */
  textLines: Int32Array;
  base64: Buffer;
}

/** Bytes per line of the base64 pool: 76 characters and CRLF. */
const B64_LINE = 78;

function makePools(seed: number): Pools {
  const rng = new Prng(seed ^ 0x5eed);
  const lines: string[] = [];
  let size = 0;
  while (size < 2 * 1024 * 1024) {
    let line = '';
    const target = rng.int(40, 76);
    while (line.length < target) line += (line ? ' ' : '') + rng.pick(WORDS);
    if (rng.chance(0.08)) line = '';
    lines.push(line);
    size += line.length + 2;
  }
  const text = Buffer.from(lines.join(CRLF) + CRLF, 'ascii');
  const starts = new Int32Array(lines.length);
  let off = 0;
  for (let i = 0; i < lines.length; i++) {
    starts[i] = off;
    off += (lines[i] as string).length + 2;
  }
  // 6 MiB of base64 lines from xorshift32 bytes: room for any 1-5 MB attachment at any line offset.
  const raw = Buffer.alloc(57 * Math.ceil((6 * 1024 * 1024) / B64_LINE));
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i + 4 <= raw.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    raw.writeUInt32LE(x >>> 0, i);
  }
  const parts: Buffer[] = [];
  for (let i = 0; i < raw.length; i += 57)
    parts.push(Buffer.from(raw.subarray(i, i + 57).toString('base64') + CRLF));
  return { text, textLines: starts, base64: Buffer.concat(parts) };
}

/** The first index of `sorted` whose value is >= `x` (`sorted.length` when none). */
function lowerBound(sorted: Int32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whole lines of the text pool, starting at a random line, at least `bytes` long (up to one line more). */
function textSlice(pools: Pools, rng: Prng, bytes: number): Buffer {
  const lines = pools.textLines;
  const want = Math.max(1, Math.min(bytes, pools.text.length - 1));
  const lastStart = Math.max(0, lowerBound(lines, pools.text.length - want + 1) - 1);
  const start = lines[rng.int(0, lastStart)] as number;
  const endIndex = lowerBound(lines, start + want);
  const end = endIndex < lines.length ? (lines[endIndex] as number) : pools.text.length;
  return pools.text.subarray(start, end);
}

function base64Slice(pools: Pools, rng: Prng, bytes: number): Buffer {
  const count = Math.max(1, Math.floor(bytes / B64_LINE));
  const totalLines = pools.base64.length / B64_LINE;
  const first = rng.int(0, Math.max(0, totalLines - count - 1));
  return pools.base64.subarray(first * B64_LINE, (first + count) * B64_LINE);
}

function rfc2822(seconds: number): string {
  return new Date(seconds * 1000).toUTCString().replace('GMT', '+0000');
}

function subject(rng: Prng): string {
  const n = rng.int(3, 9);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  const s = words.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Sizes like real mail: log-normal around 20 KB, and a few large attachments. */
function messageSize(rng: Prng, attachmentShare: number): number {
  if (rng.chance(attachmentShare)) return rng.int(1_000_000, 5_000_000);
  const s = Math.exp(Math.log(MEDIAN_BYTES) + SIGMA * rng.normal());
  return Math.round(Math.min(900_000, Math.max(1_500, s)));
}

interface MessageSpec {
  account: number;
  user: string;
  folder: string;
  index: number;
  date: number;
  size: number;
}

function headers(rng: Prng, spec: MessageSpec, seed: number, contentType: string): string {
  const from = rng.pick(NAMES);
  const fromAddr = `${from.toLowerCase().replace(' ', '.')}@partner${rng.int(1, 40)}.example`;
  const to = `${spec.user}@bench.example`;
  const sent = spec.folder === 'Sent' || spec.folder === 'Drafts';
  const lines = [
    `Return-Path: <${sent ? to : fromAddr}>`,
    `Received: from mail-${rng.hex(6)}.outbound.example (mail-${rng.hex(6)}.outbound.example [198.51.100.${rng.int(1, 254)}])`,
    `\tby mx.bench.example (Postfix) with ESMTPS id ${rng.hex(10).toUpperCase()}`,
    `\tfor <${to}>; ${rfc2822(spec.date)}`,
  ];
  if (rng.chance(0.6)) {
    lines.push(
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=partner.example; s=s1; t=${spec.date};`,
      `\th=from:to:subject:date:message-id:mime-version; bh=${Buffer.from(rng.hex(32), 'hex').toString('base64')};`,
      `\tb=${Buffer.from(rng.hex(120), 'hex').toString('base64')}`,
      `\t ${Buffer.from(rng.hex(120), 'hex').toString('base64')}`,
    );
  }
  lines.push(
    `From: "${sent ? 'Bench User' : from}" <${sent ? to : fromAddr}>`,
    `To: ${sent ? `"${from}" <${fromAddr}>` : `<${to}>`}`,
    `Subject: ${subject(rng)}`,
    `Date: ${rfc2822(spec.date)}`,
    `Message-ID: <${seed}.${spec.account}.${spec.folder.replace(/[^A-Za-z0-9]/g, '')}.${spec.index}.${rng.hex(8)}@bench.example>`,
    'MIME-Version: 1.0',
    contentType,
    '',
    '',
  );
  return lines.join(CRLF);
}

/** Builds one message's bytes (CRLF everywhere) of about `spec.size` bytes. */
function buildMessage(pools: Pools, rng: Prng, spec: MessageSpec, seed: number): Buffer {
  if (spec.size < MULTIPART_FROM) {
    const head = Buffer.from(
      headers(
        rng,
        spec,
        seed,
        `Content-Type: text/plain; charset=us-ascii${CRLF}Content-Transfer-Encoding: 7bit`,
      ),
      'ascii',
    );
    return Buffer.concat([head, textSlice(pools, rng, Math.max(200, spec.size - head.length))]);
  }
  const boundary = `=_bench_${rng.hex(16)}`;
  const head = Buffer.from(
    headers(rng, spec, seed, `Content-Type: multipart/mixed; boundary="${boundary}"`) +
      `This is a multi-part message in MIME format.${CRLF}${CRLF}--${boundary}${CRLF}` +
      `Content-Type: text/plain; charset=us-ascii${CRLF}Content-Transfer-Encoding: 7bit${CRLF}${CRLF}`,
    'ascii',
  );
  const text = textSlice(pools, rng, rng.int(400, 4000));
  const name = `document-${rng.hex(6)}.pdf`;
  const mid = Buffer.from(
    `${CRLF}--${boundary}${CRLF}Content-Type: application/pdf; name="${name}"${CRLF}` +
      `Content-Disposition: attachment; filename="${name}"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
    'ascii',
  );
  const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'ascii');
  const rest = spec.size - head.length - text.length - mid.length - tail.length;
  return Buffer.concat([head, text, mid, base64Slice(pools, rng, rest), tail]);
}

/** Maildir flag letters (sorted, as Maildir requires) for a message in a folder; `a` is $Forwarded. */
function flagLetters(rng: Prng, folder: string): string {
  const f = new Set<string>();
  if (folder === 'Drafts') f.add('D');
  if (folder === 'Sent' || folder === 'Drafts') f.add('S');
  else if (rng.chance(folder === 'INBOX' ? 0.75 : 0.95)) f.add('S');
  if (folder === 'INBOX' && rng.chance(0.12)) f.add('R');
  if (rng.chance(folder === 'INBOX' ? 0.04 : 0.02)) f.add('F');
  if (folder === 'INBOX' && rng.chance(0.02)) f.add('a');
  return [...f].sort().join('');
}

/** Splits `total` by weights with the largest-remainder method: exact and deterministic. */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, n) => s + n, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    out[i] = (out[i] as number) + 1;
  }
  return out;
}

/** The user name of account `i`. */
export function corpusUser(i: number): string {
  return `bench${String(i).padStart(2, '0')}`;
}

/** Logins for `startDovecot` (the same on both servers). */
export function corpusUsers(opts: Pick<CorpusOptions, 'accounts' | 'password'>): TestUser[] {
  return Array.from({ length: opts.accounts }, (_, i) => ({
    user: corpusUser(i),
    password: opts.password ?? 'bench-pass',
  }));
}

/**
 * A mailbox name in IMAP's modified UTF-7 (RFC 3501 section 5.1.3), which is how Dovecot names
 * Maildir++ folders on disk unless `mail_location` says `UTF-8`: printable ASCII stays, `&`
 * becomes `&-`, and every run of other characters becomes `&` + base64 (with `,` for `/`, no
 * padding) of its UTF-16BE code units + `-`.
 */
export function modifiedUtf7(name: string): string {
  let out = '';
  let i = 0;
  const printable = (c: number) => c >= 0x20 && c <= 0x7e;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (printable(c)) {
      out += c === 0x26 ? '&-' : name.charAt(i);
      i++;
      continue;
    }
    let end = i;
    while (end < name.length && !printable(name.charCodeAt(end))) end++;
    const units = Buffer.alloc((end - i) * 2);
    for (let k = i; k < end; k++) units.writeUInt16BE(name.charCodeAt(k), (k - i) * 2);
    out += `&${units.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    i = end;
  }
  return out;
}

/** The Maildir++ folder directory of a logical folder name under the `INBOX.` namespace. */
function folderDir(maildir: string, name: string): string {
  return name === 'INBOX' ? maildir : join(maildir, `.${name.split('/').map(modifiedUtf7).join('.')}`);
}

/** The source server's mailbox name of a logical folder (`INBOX.Projects.Apollo`), as doveadm takes it (UTF-8). */
export function sourceMailboxName(name: string): string {
  return name === 'INBOX' ? 'INBOX' : `INBOX.${name.split('/').join('.')}`;
}

function doveadm(server: DovecotServer, args: string[]): void {
  const res = spawnSync('doveadm', ['-c', join(server.dir, 'dovecot.conf'), ...args], { encoding: 'utf8' });
  if (res.status !== 0)
    throw new Error(`doveadm ${args.slice(0, 6).join(' ')}... failed (${res.status}): ${res.stderr}`);
}

/** The standard corpus's folders and counts: `messagesPerAccount` split over the folders by weight. */
export function corpusLayout(opts: CorpusOptions): AccountLayout[] {
  const count = Math.max(1, Math.min(FOLDERS.length, opts.folders ?? DEFAULT_FOLDERS));
  const folderList = FOLDERS.slice(0, count);
  const counts = apportion(
    opts.messagesPerAccount,
    folderList.map((f) => f.weight),
  );
  const folders = folderList.map((f, i) => ({ name: f.name, messages: counts[i] as number }));
  return Array.from({ length: opts.accounts }, () => ({ folders }));
}

/** One account whose only folder is an INBOX of `messages` messages. */
export function inboxLayout(messages: number): AccountLayout[] {
  return [{ folders: [{ name: 'INBOX', messages }] }];
}

const YEARS = [2019, 2020, 2021, 2022, 2023, 2024];
const MONTHS = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];

/** Clients of a Polish accounting office as folder names, some with Polish letters (as \u escapes). */
const CLIENTS = [
  'Piekarnia \u0141\u0105cka',
  'Zak\u0142ad Stolarski Nowak',
  'Hurtownia \u017bwirek',
  'Apteka pod Or\u0142em',
  'Biuro Podr\u00f3\u017cy Mazury',
  'Kowalski i Syn',
  'Auto-Serwis G\u0105siorowski',
  'Gabinet Weterynaryjny',
  'Przychodnia \u015awi\u0119tej Anny',
  'Sklep Spo\u017cywczy Ewa',
  'Kwiaciarnia R\u00f3\u017ca',
  'Drukarnia Ko\u0142odziej',
  'Ogrodnictwo Zieli\u0144ski',
  'Transport W\u00f3jcik',
  'Kancelaria Ma\u0142ecka',
  'Fryzjer Gra\u017cyna',
  'Elektryk Pi\u0105tek',
  'Pensjonat S\u0142oneczny',
  'Restauracja Pod D\u0119bem',
  'Szko\u0142a J\u0119zykowa Lingua',
  'Sp\u00f3\u0142dzielnia Mleczarska',
  'Tartak Borowy',
  'Wulkanizacja Szybka',
  'Cukiernia S\u0142odka',
  'Pralnia Czysto\u015b\u0107',
  'Studio Foto Kadr',
  'Agencja Reklamowa Iskra',
  'Hydraulik Kami\u0144ski',
  'Ksi\u0119garnia Pod Lip\u0105',
  'Meble Ja\u015bkiewicz',
  'Optyk Wzrok',
  'Serwis Rower\u00f3w',
  'Dom Weselny Z\u0142ota Jesie\u0144',
  'Warsztat Blacharski',
  'Gospodarstwo Rolne Mazur',
  'Zoo Sklep Azor',
  'Bud-Mar Budownictwo',
  'Hotel Pod \u017burawiem',
  'Oran\u017ceria',
  'Pracownia Krawiecka',
];

/**
 * An accountant's folder tree, parents before children: the usual special folders, invoices by
 * year and month (`Faktury/2019/01`), bank statements, clients, tax office, social insurance,
 * payroll... (Polish names, some with diacritics), then numbered cases as far as `count` needs.
 * None is a localized special-use name (`Wys\u0142ane`, `Kosz`...): those a migrator may rename.
 * The special folders are the five the `destination` server creates by itself: mbsync 1.4 fails
 * (exit 1) on a destination folder the source lacks.
 */
export function accountantFolders(count: number): string[] {
  const years = (parent: string) => [parent, ...YEARS.map((y) => `${parent}/${y}`)];
  const names = [
    'INBOX',
    'Sent',
    'Drafts',
    'Trash',
    'Junk',
    'Archive',
    'Faktury',
    ...YEARS.flatMap((y) => [`Faktury/${y}`, ...MONTHS.map((m) => `Faktury/${y}/${m}`)]),
    ...years('Wyci\u0105gi bankowe'),
    'Klienci',
    ...CLIENTS.map((c) => `Klienci/${c}`),
    'Urz\u0105d Skarbowy',
    ...['VAT', 'PIT', 'CIT', 'JPK'].map((t) => `Urz\u0105d Skarbowy/${t}`),
    ...years('ZUS'),
    ...years('P\u0142ace'),
    ...MONTHS.map((m) => `P\u0142ace/2024/${m}`),
    'Umowy',
    ...['Najem', 'Leasing', 'Dostawcy', 'Zlecenia'].map((t) => `Umowy/${t}`),
    'Korespondencja',
    ...years('Faktury kosztowe'),
    ...years('Deklaracje'),
    'Kadry',
    ...['Urlopy', 'Rekrutacja', 'Szkolenia'].map((t) => `Kadry/${t}`),
    'Reklamacje',
    ...years('Zam\u00f3wienia'),
    'Oferty',
    'Oferty/2023',
    'Oferty/2024',
    'Ksi\u0119gowo\u015b\u0107',
    'Ksi\u0119gowo\u015b\u0107/Bilans',
  ];
  if (count > names.length) names.push('Sprawy');
  for (let n = 1; names.length < count; n++) names.push(`Sprawy/Sprawa ${String(n).padStart(3, '0')}`);
  return names.slice(0, Math.max(1, count));
}

/** One account with the accountant's tree of `folders` folders, each with 5-15 messages (10 on average). */
export function accountantLayout(folders: number, seed: number): AccountLayout[] {
  const rng = new Prng(seed ^ 0xacc0);
  return [{ folders: accountantFolders(folders).map((name) => ({ name, messages: rng.int(5, 15) })) }];
}

/** Writes one message file into a Maildir `cur` folder, its mtime the INTERNALDATE. */
function writeMessageFile(dir: string, name: string, raw: Buffer, date: number): void {
  const fd = openSync(join(dir, 'cur', name), 'w', 0o600);
  try {
    writeSync(fd, raw);
    futimesSync(fd, date, date);
  } finally {
    closeSync(fd);
  }
}

/** Creates one Maildir++ folder (cur, new, tmp, keywords file) and writes its messages. */
function writeFolder(
  ctx: { pools: Pools; rng: Prng; seed: number; attachmentShare: number; big: number; account: number },
  maildir: string,
  folder: { name: string; messages: number },
  seq: { n: number },
  sizes: number[],
): CorpusFolder {
  const { account: a, rng } = ctx;
  const dir = folderDir(maildir, folder.name);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  if (folder.name !== 'INBOX') writeFileSync(join(dir, 'maildirfolder'), '');
  // Keyword letter `a` of the file names means $Forwarded (Dovecot's dovecot-keywords file).
  writeFileSync(join(dir, 'dovecot-keywords'), '0 $Forwarded\n');
  const withBig = a === 0 && folder.name === 'INBOX' && ctx.big > 0;
  const count = withBig ? Math.max(1, folder.messages) : folder.messages;
  const entry: CorpusFolder = { name: folder.name, messages: 0, bytes: 0 };
  // Dates ascend with the index, so UIDs (given in file-name order) follow arrival like real mail.
  const span = (EPOCH_TO - EPOCH_FROM) / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    const date = Math.floor(EPOCH_FROM + span * i + rng.next() * span * 0.9);
    const user = corpusUser(a);
    const spec: MessageSpec = {
      account: a,
      user,
      folder: folder.name,
      index: i,
      date,
      size: messageSize(rng, ctx.attachmentShare),
    };
    const raw =
      withBig && i === count - 1
        ? makeBigMessage(ctx.big, ctx.seed)
        : buildMessage(ctx.pools, rng, spec, ctx.seed);
    const flags = flagLetters(rng, folder.name);
    writeMessageFile(
      dir,
      `${date}.M${++seq.n}P${a}.bench,S=${raw.length},W=${raw.length}:2,${flags}`,
      raw,
      date,
    );
    entry.messages++;
    entry.bytes += raw.length;
    sizes.push(raw.length);
  }
  return entry;
}

/**
 * Subscribes every folder and lets Dovecot index it: a STATUS of every folder makes Dovecot read
 * the directories and assign UIDs now, not during a run. Accounts with the same folders share one
 * doveadm process per step (`-F` user list): one process per account took 30 s for 150 accounts.
 */
function indexAccounts(server: DovecotServer, accounts: CorpusAccount[], listDir: string): void {
  const groups = new Map<string, string[]>();
  for (const account of accounts) {
    const key = account.folders.map((f) => f.name).join('\n');
    groups.set(key, [...(groups.get(key) ?? []), account.user]);
  }
  let n = 0;
  for (const [key, users] of groups) {
    const list = join(listDir, `corpus-users-${n++}.txt`);
    writeFileSync(list, `${users.join('\n')}\n`);
    const names = key.split('\n').map(sourceMailboxName);
    doveadm(server, ['mailbox', 'subscribe', '-F', list, ...names]);
    // (A bare `*` mask matches nothing under the `INBOX.` prefix: name both levels.)
    doveadm(server, ['mailbox', 'status', '-F', list, 'messages uidnext', 'INBOX', 'INBOX.*']);
  }
}

/**
 * Writes any layout into a running `source`-flavour server whose users include
 * `corpusUsers({ accounts: opts.accounts.length })`, subscribes every folder and lets Dovecot index them.
 * @returns what was written, with sizes and timings.
 * @throws Error when a file cannot be written or doveadm fails.
 */
export function writeLayout(server: DovecotServer, opts: LayoutOptions): CorpusSummary {
  if (server.flavor !== 'source')
    throw new Error('writeLayout needs a source-flavour server (INBOX. namespace)');
  const started = Date.now();
  const pools = makePools(opts.seed);
  const sizes: number[] = [];
  const accounts: CorpusAccount[] = [];
  for (const [a, layout] of opts.accounts.entries()) {
    const user = corpusUser(a);
    const ctx = {
      pools,
      rng: new Prng(opts.seed * 7919 + a * 104_729 + 1),
      seed: opts.seed,
      attachmentShare: opts.attachmentShare ?? 0.01,
      big: opts.bigMessageBytes ?? 0,
      account: a,
    };
    const maildir = server.mailDir(user);
    const account: CorpusAccount = {
      user,
      password: opts.password ?? 'bench-pass',
      folders: [],
      messages: 0,
      bytes: 0,
    };
    const seq = { n: 0 };
    for (const folder of layout.folders) {
      const entry = writeFolder(ctx, maildir, folder, seq, sizes);
      account.folders.push(entry);
      account.messages += entry.messages;
      account.bytes += entry.bytes;
    }
    accounts.push(account);
  }
  // Dovecot reads the mail as the `mail` user: one chown of the whole tree, not one per account.
  if (process.getuid?.() === 0) {
    const res = spawnSync('chown', ['-R', `${MAIL_UID}:${MAIL_UID}`, join(server.dir, 'mail')]);
    if (res.status !== 0) throw new Error(`chown of ${join(server.dir, 'mail')} failed`);
  }
  const written = Date.now();
  indexAccounts(server, accounts, server.dir);
  sizes.sort((x, y) => x - y);
  return {
    accounts,
    messages: sizes.length,
    bytes: sizes.reduce((s, n) => s + n, 0),
    largest: sizes[sizes.length - 1] ?? 0,
    medianBytes: sizes[Math.floor(sizes.length / 2)] ?? 0,
    overOneMb: sizes.filter((n) => n >= 1_000_000).length,
    writeMs: written - started,
    indexMs: Date.now() - written,
  };
}

/**
 * Writes the standard corpus (`corpusLayout`) into a running `source`-flavour server whose users
 * are `corpusUsers(opts)`.
 * @returns what was written, with sizes and timings.
 * @throws Error when a file cannot be written or doveadm fails.
 */
export function writeCorpus(server: DovecotServer, opts: CorpusOptions): CorpusSummary {
  return writeLayout(server, {
    seed: opts.seed,
    accounts: corpusLayout(opts),
    bigMessageBytes: opts.bigMessageBytes ?? 25 * 1024 * 1024,
    attachmentShare: opts.attachmentShare,
    password: opts.password,
  });
}

/**
 * New messages for a delta run: `count` messages like the corpus's, made from `seed` (use a seed
 * other than the corpus's), each with the folder it goes to.
 */
export function deltaMessages(
  opts: CorpusOptions,
  account: number,
  count: number,
  seed: number,
): { folder: string; raw: Buffer; flags: string[]; internalDate: Date }[] {
  const pools = makePools(opts.seed);
  const rng = new Prng(seed * 31 + account);
  const folderList = FOLDERS.slice(0, Math.max(1, Math.min(FOLDERS.length, opts.folders ?? DEFAULT_FOLDERS)));
  const out: { folder: string; raw: Buffer; flags: string[]; internalDate: Date }[] = [];
  for (let i = 0; i < count; i++) {
    const folder = (folderList[i % Math.min(folderList.length, 6)] as { name: string }).name;
    const date = EPOCH_TO + i * 60;
    const spec: MessageSpec = {
      account,
      user: corpusUser(account),
      folder,
      index: 1_000_000 + seed * 1000 + i,
      date,
      size: messageSize(rng, 0.01),
    };
    out.push({
      folder,
      raw: buildMessage(pools, rng, spec, seed),
      flags: folder === 'Sent' ? ['\\Seen'] : [],
      internalDate: new Date(date * 1000),
    });
  }
  return out;
}
