/**
 * The sample company used by integration tests, the demo and the benchmark: four mailboxes of a
 * small Polish firm (ACME Sp. z o.o.) with the folder names, encodings, flags and duplicates a real
 * cPanel host holds. Everything is generated from fixed seeds (no clock, no Math.random), so two
 * calls to `sampleCompany()` give byte-identical messages, and `seedSource()` loads them into a
 * server over IMAP.
 */
import iconv from 'iconv-lite';
import { connectPlain } from './dovecot.js';
import { Prng } from './prng.js';

/** One message as it is stored on the source: raw RFC 5322 bytes (CRLF), flags and INTERNALDATE. */
export interface SampleMessage {
  raw: Buffer;
  flags: string[];
  internalDate: Date;
  /** Set on the deliberate corner cases, so tests can find them without parsing. */
  corner?: SampleCorner;
}

/**
 * The deliberate corner cases: a message without Message-ID, two different messages sharing one
 * Message-ID, the same bytes stored twice in one folder, the same bytes stored in two folders.
 */
export type SampleCorner = 'no-message-id' | 'shared-message-id' | 'exact-duplicate' | 'in-two-folders';

/** One folder. `name` is logical: levels separated by "/", "INBOX" for the inbox. */
export interface SampleFolder {
  name: string;
  subscribed: boolean;
  messages: SampleMessage[];
}

/** One mailbox of the sample company, with the password it has on the source server. */
export interface SampleAccount {
  user: string;
  password: string;
  folders: SampleFolder[];
}

/** A login for `startDovecot`. */
export interface SampleUser {
  user: string;
  password: string;
}

/** The namespace of the cPanel-style source server (RFC 2342 personal namespace). */
export const SOURCE_NAMESPACE = { prefix: 'INBOX.', delimiter: '.' } as const;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** FNV-1a, to give every folder its own seed: editing one folder leaves the others' bytes alone. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// People and words

interface Person {
  display: string;
  email: string;
  company?: string;
}

const CONTACTS: Person[] = [
  { display: '\u0141ukasz W\u00f3jcik', email: 'lukasz.wojcik@budpol.example', company: 'Budpol S.A.' },
  {
    display: 'Ma\u0142gorzata Zi\u0119ba',
    email: 'm.zieba@hurtownia-zieba.example',
    company: 'Hurtownia Zi\u0119ba',
  },
  {
    display: 'Grzegorz Brz\u0119czyszczykiewicz',
    email: 'g.brzeczyszczykiewicz@chrzaszczyzewoszyce.example',
    company: 'Chrz\u0105szczy\u017cewoszyce Sp. z o.o.',
  },
  {
    display: 'Agnieszka \u015awi\u0105tek',
    email: 'agnieszka@swiatek-transport.example',
    company: '\u015awi\u0105tek Transport',
  },
  {
    display: 'Pawe\u0142 \u017b\u00f3\u0142kiewski',
    email: 'pawel.zolkiewski@zolkiew.example',
    company: '\u017b\u00f3\u0142kiew Meble',
  },
  {
    display: 'Ewa Ko\u0142odziej',
    email: 'ewa.kolodziej@kancelaria-kolodziej.example',
    company: 'Kancelaria Ko\u0142odziej',
  },
  { display: 'J\u0119drzej \u015aliwa', email: 'jedrzej.sliwa@sliwa-it.example', company: '\u015aliwa IT' },
  {
    display: 'Zofia D\u0105browska',
    email: 'zofia.dabrowska@dabrowska.example',
    company: 'D\u0105browska i Wsp\u00f3lnicy',
  },
  { display: 'Tomasz Nowak', email: 'tomasz.nowak@nowak-meble.example', company: 'Nowak Meble' },
  { display: 'Anna Kowalczyk', email: 'anna.kowalczyk@poczta.example' },
];

const SUPPLIERS: Person[] = [
  {
    display: 'Hurtownia Papieru \u0106ma',
    email: 'faktury@cma-papier.example',
    company: '\u0106ma Papier Sp. z o.o.',
  },
  {
    display: 'Energia Obr\u00f3t - e-faktura',
    email: 'e-faktura@energia.example',
    company: 'Energia Obr\u00f3t S.A.',
  },
  {
    display: 'Biuro Rachunkowe \u015al\u0119\u017ca',
    email: 'biuro@sleza.example',
    company: 'Biuro Rachunkowe \u015al\u0119\u017ca',
  },
  {
    display: '\u0141\u00f3dzkie Zak\u0142ady Opakowa\u0144',
    email: 'ksiegowosc@lzo.example',
    company: '\u0141ZO S.A.',
  },
];

const OFFICES: Person[] = [
  { display: 'Urz\u0105d Skarbowy Wroc\u0142aw-Fabryczna', email: 'us.wroclaw@urzad.example' },
  { display: 'ZUS - Platforma Us\u0142ug Elektronicznych', email: 'powiadomienia@zus.example' },
];

const SPAMMERS: Person[] = [
  { display: 'Nagrody \u015awi\u0105teczne', email: 'wygrana@loteria-spam.example' },
  { display: 'Bank Weryfikacja Konta', email: 'alert@bank-verify.example' },
  { display: 'Dop\u0142ata do przesy\u0142ki', email: 'doplata@paczka-spam.example' },
];

const NEWSLETTERS: Person[] = [
  { display: 'Portal Ksi\u0119gowego', email: 'newsletter@portal-ksiegowego.example' },
  { display: 'Gazeta Biznesowa', email: 'news@gazeta-biznes.example' },
];

const JOB_PORTAL: Person = {
  display: 'Portal Pracy - og\u0142oszenia',
  email: 'ogloszenia@praca-portal.example',
};

const FIRST_NAMES = [
  '\u0141ucja',
  'Stanis\u0142aw',
  'Bo\u017cena',
  'Micha\u0142',
  'Wies\u0142awa',
  'Kacper',
  'Jadwiga',
  'Ryszard',
  '\u017baneta',
];
const LAST_NAMES = [
  '\u017bak',
  'Nowak',
  'Ko\u0142odziej',
  'Mr\u00f3z',
  'Wr\u00f3bel',
  'Go\u0142\u0105b',
  'Krawczyk',
  'S\u0119k',
  '\u015alusarczyk',
];
const JOBS = [
  'Specjalista ds. sprzeda\u017cy',
  'Ksi\u0119gowa / Ksi\u0119gowy',
  'Magazynier',
  'Kierownik projektu',
  'Grafik',
];
const MONTHS_PL = [
  'stycze\u0144',
  'luty',
  'marzec',
  'kwiecie\u0144',
  'maj',
  'czerwiec',
  'lipiec',
  'sierpie\u0144',
  'wrzesie\u0144',
];

const SENTENCES = [
  'Zwracam si\u0119 z uprzejm\u0105 pro\u015bb\u0105 o przes\u0142anie aktualnej oferty.',
  'W za\u0142\u0105czeniu przesy\u0142am dokumenty, o kt\u00f3re Pan prosi\u0142.',
  'Prosz\u0119 o potwierdzenie otrzymania tej wiadomo\u015bci.',
  'Termin realizacji zam\u00f3wienia to czterna\u015bcie dni roboczych.',
  'Chcieliby\u015bmy um\u00f3wi\u0107 spotkanie w przysz\u0142ym tygodniu, najlepiej we wtorek lub w \u015brod\u0119.',
  'Uprzejmie informujemy, \u017ce p\u0142atno\u015b\u0107 zosta\u0142a zaksi\u0119gowana.',
  'Niestety dostawa uleg\u0142a op\u00f3\u017anieniu z przyczyn niezale\u017cnych od nas.',
  'Prosimy o uregulowanie nale\u017cno\u015bci w terminie siedmiu dni.',
  'Zgodnie z ustaleniami przesy\u0142am poprawion\u0105 wersj\u0119 umowy.',
  'Czy istnieje mo\u017cliwo\u015b\u0107 zwi\u0119kszenia rabatu przy wi\u0119kszym zam\u00f3wieniu?',
  'Ceny podane w ofercie s\u0105 cenami netto i nale\u017cy doliczy\u0107 podatek VAT.',
  '\u0179r\u00f3d\u0142o problemu zosta\u0142o zidentyfikowane i usuni\u0119te.',
  '\u017b\u00f3\u0142ta ci\u0119\u017car\u00f3wka przyjecha\u0142a pod magazyn o \u015bwicie.',
  'Gdyby mieli Pa\u0144stwo pytania, pozostaj\u0119 do dyspozycji.',
  'Wszystkie dokumenty zosta\u0142y podpisane przez zarz\u0105d sp\u00f3\u0142ki.',
  'Przypominamy o zbli\u017caj\u0105cym si\u0119 terminie z\u0142o\u017cenia deklaracji.',
  'Nasz zesp\u00f3\u0142 przeanalizowa\u0142 zg\u0142oszenie i przygotowa\u0142 rozwi\u0105zanie.',
  'Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144, pchn\u0105\u0107 w t\u0119 \u0142\u00f3d\u017a je\u017ca lub o\u015bm skrzy\u0144 fig.',
  'Faktura zostanie wystawiona po zako\u0144czeniu prac odbiorowych.',
  'B\u0119dziemy wdzi\u0119czni za szybk\u0105 odpowied\u017a.',
  'Odbi\u00f3r towaru jest mo\u017cliwy od poniedzia\u0142ku do pi\u0105tku w godzinach 8-16.',
  'Uwagi do projektu umowy zaznaczy\u0142em w tre\u015bci dokumentu.',
  'Magazyn w \u0141odzi b\u0119dzie nieczynny w najbli\u017csz\u0105 sobot\u0119.',
  'Prosimy o wskazanie osoby do kontaktu po stronie Pa\u0144stwa firmy.',
];

const SPAM_SENTENCES = [
  'Gratulacje! Zosta\u0142e\u015b wybrany do odbioru nagrody o warto\u015bci 5000 z\u0142.',
  'Kliknij w poni\u017cszy link, aby potwierdzi\u0107 swoje dane osobowe.',
  'Oferta wa\u017cna tylko dzi\u015b, nie przegap tej okazji!',
  'Twoje konto zostanie zablokowane, je\u015bli nie zweryfikujesz go w ci\u0105gu 24 godzin.',
  'Przesy\u0142ka oczekuje na dop\u0142at\u0119 1,99 z\u0142 za c\u0142o.',
];

const GREETINGS = ['Dzie\u0144 dobry,', 'Szanowni Pa\u0144stwo,', 'Witam serdecznie,', 'Cze\u015b\u0107,'];
const CLOSINGS = [
  'Pozdrawiam serdecznie,',
  'Z powa\u017caniem,',
  '\u0141\u0105cz\u0119 pozdrowienia,',
  'Z wyrazami szacunku,',
];

const FOLD_FROM =
  '\u0105\u0107\u0119\u0142\u0144\u00f3\u015b\u017a\u017c\u0104\u0106\u0118\u0141\u0143\u00d3\u015a\u0179\u017b';
const FOLD_TO = 'acelnoszzACELNOSZZ';

/** Polish letters without diacritics, for e-mail addresses. */
function asciiFold(text: string): string {
  return [...text].map((c) => FOLD_TO[FOLD_FROM.indexOf(c)] ?? c).join('');
}

// ---------------------------------------------------------------------------------------------
// MIME rendering

type Charset = 'UTF-8' | 'ISO-8859-2';
type TextEncoding = 'quoted-printable' | '8bit';

interface Attachment {
  filename: string;
  contentType: string;
  data: Buffer;
}

interface MessageSpec {
  from: Person;
  to: Person[];
  cc?: Person[];
  subject: string;
  date: Date;
  /** Without angle brackets; absent means no Message-ID header at all. */
  messageId?: string;
  inReplyTo?: string;
  extraHeaders?: [string, string][];
  text: string;
  html: boolean;
  charset: Charset;
  encoding: TextEncoding;
  wordEncoding: 'B' | 'Q';
  attachments: Attachment[];
  boundarySeed: string;
}

interface Part {
  headers: string[];
  body: Buffer;
}

const CRLF = '\r\n';

function encodeText(text: string, charset: Charset): Buffer {
  if (charset === 'UTF-8') return Buffer.from(text, 'utf8');
  const bytes = iconv.encode(text, 'iso-8859-2');
  // ISO-8859-2 lacks typographic quotes and dashes: fail loudly instead of storing "?".
  if (iconv.decode(bytes, 'iso-8859-2') !== text) throw new Error(`not representable in ISO-8859-2: ${text}`);
  return bytes;
}

// RFC 2047 section 5(3): inside a phrase only these may stay unencoded in a "Q" encoded-word.
const Q_SAFE = /^[A-Za-z0-9!*+\-/]$/;

/**
 * Encodes header text as RFC 2047 encoded-words, split so no word exceeds 66 characters and no
 * character is cut in two; words are folded onto continuation lines. ASCII text is returned as is.
 */
function encodeWords(text: string, charset: Charset, mode: 'B' | 'Q'): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const prefix = `=?${charset}?${mode}?`;
  const room = 66 - prefix.length - 2;
  const words: string[] = [];
  let current = '';
  let currentBytes: Buffer[] = [];
  const flush = () => {
    if (mode === 'B') current = Buffer.concat(currentBytes).toString('base64');
    if (current) words.push(`${prefix}${current}?=`);
    current = '';
    currentBytes = [];
  };
  for (const ch of text) {
    const bytes = encodeText(ch, charset);
    if (mode === 'B') {
      const size = Buffer.concat([...currentBytes, bytes]).length;
      if (Math.ceil(size / 3) * 4 > room) flush();
      currentBytes.push(bytes);
    } else {
      const token =
        ch === ' '
          ? '_'
          : Q_SAFE.test(ch)
            ? ch
            : [...bytes].map((b) => '=' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
      if (current.length + token.length > room) flush();
      current += token;
    }
  }
  flush();
  return words.join(CRLF + ' ');
}

function formatAddress(p: Person, charset: Charset, mode: 'B' | 'Q'): string {
  const display = /^[\x20-\x7e]*$/.test(p.display)
    ? `"${p.display.replace(/["\\]/g, '\\$&')}"`
    : encodeWords(p.display, charset, mode);
  return `${display} <${p.email}>`;
}

function quotedPrintable(text: string, charset: Charset): Buffer {
  const lines = text.split('\n').map((line) => {
    const bytes = encodeText(line, charset);
    let out = '';
    let width = 0;
    bytes.forEach((b, i) => {
      const last = i === bytes.length - 1;
      const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
      const token = literal ? String.fromCharCode(b) : '=' + b.toString(16).toUpperCase().padStart(2, '0');
      // RFC 2045 6.7: encoded lines are at most 76 characters, the soft break "=" included.
      if (width + token.length > 75) {
        out += '=' + CRLF;
        width = 0;
      }
      out += token;
      width += token.length;
    });
    return out;
  });
  return Buffer.from(lines.join(CRLF) + CRLF, 'ascii');
}

function base64Lines(data: Buffer): Buffer {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return Buffer.from(lines.join(CRLF) + CRLF, 'ascii');
}

function textPart(text: string, subtype: 'plain' | 'html', charset: Charset, encoding: TextEncoding): Part {
  const body =
    encoding === 'quoted-printable'
      ? quotedPrintable(text, charset)
      : encodeText(text.split('\n').join(CRLF) + CRLF, charset);
  return {
    headers: [
      `Content-Type: text/${subtype}; charset=${charset.toLowerCase()}`,
      `Content-Transfer-Encoding: ${encoding}`,
    ],
    body,
  };
}

function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : '%' + b.toString(16).toUpperCase(),
    )
    .join('');
}

function attachmentPart(att: Attachment): Part {
  const ascii = /^[\x20-\x7e]*$/.test(att.filename);
  // Both forms, as Outlook and Thunderbird send them: RFC 2231 for readers that know it, an
  // RFC 2047 word in `name` for the many that only look there.
  const name = ascii ? `"${att.filename}"` : `"${encodeWords(att.filename, 'UTF-8', 'B')}"`;
  const filename = ascii ? `filename="${att.filename}"` : `filename*=UTF-8''${percentEncode(att.filename)}`;
  return {
    headers: [
      `Content-Type: ${att.contentType};${CRLF} name=${name}`,
      `Content-Disposition: attachment;${CRLF} ${filename}`,
      'Content-Transfer-Encoding: base64',
    ],
    body: base64Lines(att.data),
  };
}

function multipart(subtype: 'mixed' | 'alternative', parts: Part[], boundary: string): Part {
  const chunks: Buffer[] = [Buffer.from(`This is a multi-part message in MIME format.${CRLF}`, 'ascii')];
  for (const part of parts) {
    chunks.push(Buffer.from(`${CRLF}--${boundary}${CRLF}${part.headers.join(CRLF)}${CRLF}${CRLF}`, 'ascii'));
    chunks.push(part.body);
  }
  chunks.push(Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'ascii'));
  return {
    headers: [`Content-Type: multipart/${subtype};${CRLF} boundary="${boundary}"`],
    body: Buffer.concat(chunks),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function htmlOf(text: string): string {
  const paragraphs = text
    .split('\n\n')
    .map((p) => `<p>${escapeHtml(p).split('\n').join('<br>\n')}</p>`)
    .join('\n');
  return `<!DOCTYPE html>\n<html lang="pl">\n<head><meta charset="utf-8"></head>\n<body>\n${paragraphs}\n</body>\n</html>`;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Poland's UTC offset in minutes: CEST from the last Sunday of March to the last Sunday of October. */
function warsawOffset(d: Date): number {
  const y = d.getUTCFullYear();
  const lastSunday = (month: number) => {
    const last = new Date(Date.UTC(y, month + 1, 0));
    return Date.UTC(y, month, last.getUTCDate() - last.getUTCDay(), 1);
  };
  return d.getTime() >= lastSunday(2) && d.getTime() < lastSunday(9) ? 120 : 60;
}

/** RFC 5322 date-time in Polish local time, e.g. `Tue, 04 Mar 2021 06:06:07 +0100`. */
function rfc5322Date(d: Date): string {
  const offset = warsawOffset(d);
  const local = new Date(d.getTime() + offset * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const day = DAY_NAMES[local.getUTCDay()] ?? '';
  const month = MONTH_NAMES[local.getUTCMonth()] ?? '';
  const time = `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`;
  return `${day}, ${two(local.getUTCDate())} ${month} ${local.getUTCFullYear()} ${time} +0${offset / 60}00`;
}

function renderMessage(spec: MessageSpec): Buffer {
  const rng = new Prng(seedOf(spec.boundarySeed));
  const addresses = (people: Person[]) =>
    people.map((p) => formatAddress(p, spec.charset, spec.wordEncoding)).join(`,${CRLF} `);
  const headers = [
    `From: ${formatAddress(spec.from, spec.charset, spec.wordEncoding)}`,
    `To: ${addresses(spec.to)}`,
  ];
  if (spec.cc?.length) headers.push(`Cc: ${addresses(spec.cc)}`);
  headers.push(`Subject: ${encodeWords(spec.subject, spec.charset, spec.wordEncoding)}`);
  headers.push(`Date: ${rfc5322Date(spec.date)}`);
  if (spec.messageId) headers.push(`Message-ID: <${spec.messageId}>`);
  if (spec.inReplyTo) headers.push(`In-Reply-To: <${spec.inReplyTo}>`, `References: <${spec.inReplyTo}>`);
  for (const [name, value] of spec.extraHeaders ?? []) headers.push(`${name}: ${value}`);
  headers.push('MIME-Version: 1.0', 'Content-Language: pl');

  const plain = textPart(spec.text, 'plain', spec.charset, spec.encoding);
  let body: Part = spec.html
    ? multipart(
        'alternative',
        [plain, textPart(htmlOf(spec.text), 'html', spec.charset, 'quoted-printable')],
        `----=_Alt_${rng.hex(24)}`,
      )
    : plain;
  if (spec.attachments.length > 0) {
    body = multipart('mixed', [body, ...spec.attachments.map(attachmentPart)], `----=_Part_${rng.hex(24)}`);
  }
  return Buffer.concat([
    Buffer.from([...headers, ...body.headers].join(CRLF) + CRLF + CRLF, 'ascii'),
    body.body,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Attachment bytes: real magic numbers in front, random bytes behind

function pdfBytes(rng: Prng, size: number): Buffer {
  const head = Buffer.from(
    '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n',
    'latin1',
  );
  const tail = Buffer.from('\nendstream\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
  return Buffer.concat([head, rng.bytes(Math.max(0, size - head.length - tail.length)), tail]);
}

function binaryWithMagic(rng: Prng, magic: number[], size: number): Buffer {
  return Buffer.concat([Buffer.from(magic), rng.bytes(Math.max(0, size - magic.length))]);
}

function csvBytes(rng: Prng, rows: number): Buffer {
  const lines = ['data;pomiar;warto\u015b\u0107;uwagi'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `2024-0${rng.int(1, 9)}-1${rng.int(0, 9)};pr\u00f3ba ${i + 1};${rng.int(100, 999)},${rng.int(0, 9)};ok`,
    );
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Folder topics: what the messages of a folder are about, who sends them, how they are flagged

type Topic =
  | 'inbox'
  | 'sent'
  | 'drafts'
  | 'trash'
  | 'spam'
  | 'client'
  | 'rnd'
  | 'archive'
  | 'newsletter'
  | 'offer'
  | 'invoice'
  | 'correction'
  | 'office'
  | 'candidate'
  | 'job-ad';

interface FolderPlan {
  name: string;
  topic: Topic;
  count: number;
  subscribed?: boolean;
  /** Inclusive range of years for INTERNALDATE; 2019-2025 when absent. */
  years?: [number, number];
}

interface AccountPlan {
  local: string;
  owner: Person;
  folders: FolderPlan[];
}

const ACCOUNTS: AccountPlan[] = [
  {
    local: 'kontakt',
    owner: { display: 'Biuro ACME', email: 'kontakt@acme.example', company: 'ACME Sp. z o.o.' },
    folders: [
      { name: 'INBOX', topic: 'inbox', count: 24 },
      { name: 'Wysłane', topic: 'sent', count: 10 },
      { name: 'Robocze', topic: 'drafts', count: 3 },
      { name: 'Kosz', topic: 'trash', count: 5 },
      { name: 'Spam', topic: 'spam', count: 5 },
      { name: 'Klienci', topic: 'client', count: 6 },
      { name: 'Klienci/Ważne', topic: 'client', count: 4 },
      { name: 'Klienci - stali', topic: 'client', count: 5 },
      { name: 'R&D', topic: 'rnd', count: 4 },
      { name: '[Archiwum]', topic: 'archive', count: 5, years: [2019, 2020] },
      { name: 'Newslettery', topic: 'newsletter', count: 5, subscribed: false },
      { name: 'Pusty', topic: 'inbox', count: 0 },
    ],
  },
  {
    local: 'sprzedaz',
    owner: {
      display: 'Katarzyna Mazur - Dzia\u0142 Sprzeda\u017cy',
      email: 'sprzedaz@acme.example',
      company: 'ACME Sp. z o.o.',
    },
    folders: [
      { name: 'INBOX', topic: 'inbox', count: 18 },
      { name: 'Wysłane', topic: 'sent', count: 10 },
      { name: 'Robocze', topic: 'drafts', count: 2 },
      { name: 'Kosz', topic: 'trash', count: 3 },
      { name: 'Spam', topic: 'spam', count: 3 },
      { name: 'Oferty', topic: 'offer', count: 6 },
      { name: 'Klienci', topic: 'client', count: 5 },
      { name: 'Klienci/Ważne', topic: 'client', count: 4 },
      { name: 'Klienci/Ważne/Umowy', topic: 'client', count: 3 },
    ],
  },
  {
    local: 'ksiegowosc',
    owner: {
      display: 'El\u017cbieta G\u00f3recka - Ksi\u0119gowo\u015b\u0107',
      email: 'ksiegowosc@acme.example',
      company: 'ACME Sp. z o.o.',
    },
    folders: [
      { name: 'INBOX', topic: 'inbox', count: 10 },
      { name: 'Wysłane', topic: 'sent', count: 5 },
      { name: 'Kosz', topic: 'trash', count: 2 },
      { name: 'Spam', topic: 'spam', count: 2 },
      { name: 'Faktury', topic: 'invoice', count: 3, years: [2022, 2022] },
      { name: 'Faktury/2024', topic: 'invoice', count: 10, years: [2024, 2024] },
      { name: 'Faktury/2023', topic: 'invoice', count: 8, years: [2023, 2023] },
      { name: 'Faktury/2023/Korekty', topic: 'correction', count: 2, years: [2023, 2023] },
      { name: 'Urząd Skarbowy & ZUS', topic: 'office', count: 4 },
    ],
  },
  {
    local: 'rekrutacja',
    owner: {
      display: 'Zesp\u00f3\u0142 Rekrutacji ACME',
      email: 'rekrutacja@acme.example',
      company: 'ACME Sp. z o.o.',
    },
    folders: [
      { name: 'INBOX', topic: 'candidate', count: 10 },
      { name: 'Wysłane', topic: 'sent', count: 4 },
      { name: 'Robocze', topic: 'drafts', count: 1 },
      { name: 'Kosz', topic: 'trash', count: 2 },
      { name: 'Kandydaci', topic: 'candidate', count: 8 },
      { name: 'Kandydaci/Odrzuceni', topic: 'candidate', count: 5 },
      { name: 'Ogłoszenia 2022', topic: 'job-ad', count: 3, subscribed: false, years: [2022, 2022] },
      { name: 'Do przejrzenia', topic: 'candidate', count: 0 },
    ],
  },
];

interface Draft {
  from: Person;
  to: Person[];
  subject: string;
  paragraphs: string[];
  attachments: Attachment[];
  html: boolean;
  flags: string[];
  inReplyTo?: string;
  extraHeaders?: [string, string][];
}

function paragraphs(rng: Prng, count: number, pool: readonly string[] = SENTENCES): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = rng.int(2, 4);
    const words: string[] = [];
    for (let j = 0; j < n; j++) words.push(rng.pick(pool));
    out.push(words.join(' '));
  }
  return out;
}

/** Flags of a message someone has read and worked with: mostly seen, some answered or marked. */
function workedFlags(rng: Prng): string[] {
  const flags: string[] = [];
  const seen = rng.chance(0.75);
  if (seen) flags.push('\\Seen');
  if (seen && rng.chance(0.3)) flags.push('\\Answered');
  if (rng.chance(0.12)) flags.push('\\Flagged');
  if (seen && rng.chance(0.08)) flags.push('$Forwarded');
  if (rng.chance(0.1)) flags.push('$label1');
  if (rng.chance(0.1)) flags.push('NonJunk');
  return flags;
}

function candidate(rng: Prng): Person {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const email = `${asciiFold(first)}.${asciiFold(last)}${rng.int(1, 99)}@poczta.example`.toLowerCase();
  return { display: `${first} ${last}`, email };
}

function invoiceNumber(rng: Prng, year: number, prefix: string): string {
  return `${prefix}/${rng.int(1, 399)}/${String(rng.int(1, 12)).padStart(2, '0')}/${year}`;
}

/** What a message of the folder's topic says and carries. */
function draftFor(rng: Prng, topic: Topic, owner: Person, year: number): Draft {
  const contact = rng.pick(CONTACTS);
  const incoming = (from: Person, subject: string, extra: Partial<Draft> = {}): Draft => ({
    from,
    to: [owner],
    subject,
    paragraphs: paragraphs(rng, rng.int(2, 7)),
    attachments: [],
    html: rng.chance(0.25),
    flags: workedFlags(rng),
    ...extra,
  });
  switch (topic) {
    case 'inbox': {
      const subject = rng.pick([
        'Zapytanie o ofert\u0119 na dostaw\u0119 materia\u0142\u00f3w',
        'Pro\u015bba o kontakt telefoniczny',
        `Reklamacja zam\u00f3wienia nr ${rng.int(1000, 9999)}`,
        'Pytanie o termin realizacji',
        'Propozycja wsp\u00f3\u0142pracy',
        'Zmiana danych do faktury',
        'Potwierdzenie spotkania w \u015brod\u0119',
        'Dzi\u0119kujemy za szybk\u0105 odpowied\u017a',
        'Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144 - test polskich znak\u00f3w',
        'Urlop - zast\u0119pstwo w dniach 12-23 sierpnia',
      ]);
      const photo = rng.chance(0.25)
        ? [
            {
              filename: 'zdj\u0119cie_uszkodzenia.jpg',
              contentType: 'image/jpeg',
              data: binaryWithMagic(
                rng,
                [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46],
                rng.int(4000, 16000),
              ),
            },
          ]
        : [];
      return incoming(contact, subject, { attachments: photo });
    }
    case 'client': {
      const subject = rng.pick([
        'Umowa ramowa - uwagi do projektu',
        `Zam\u00f3wienie nr ${rng.int(100, 999)}/${year} - potwierdzenie`,
        `Harmonogram dostaw na ${rng.pick(MONTHS_PL)}`,
        'Spotkanie podsumowuj\u0105ce kwarta\u0142',
        'Zmiana osoby kontaktowej',
      ]);
      const contract = rng.chance(0.4)
        ? [
            {
              filename: 'Umowa_ramowa_projekt.docx',
              contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
              data: binaryWithMagic(rng, [0x50, 0x4b, 3, 4], rng.int(5000, 18000)),
            },
          ]
        : [];
      return incoming(contact, subject, {
        attachments: contract,
        to: rng.chance(0.3) ? [owner, rng.pick(CONTACTS)] : [owner],
      });
    }
    case 'rnd': {
      const attachments = rng.chance(0.5)
        ? [
            {
              filename: 'wyniki_pomiar\u00f3w.csv',
              contentType: 'text/csv; charset=utf-8',
              data: csvBytes(rng, rng.int(40, 200)),
            },
          ]
        : [
            {
              filename: 'schemat uk\u0142adu.png',
              contentType: 'image/png',
              data: binaryWithMagic(
                rng,
                [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
                rng.int(3000, 12000),
              ),
            },
          ];
      const subject = rng.pick([
        `Wyniki test\u00f3w prototypu v${rng.int(1, 9)}`,
        `Raport z bada\u0144 - etap ${rng.int(1, 4)}`,
        'Notatki z warsztatu R&D',
      ]);
      return incoming(rng.pick(CONTACTS.slice(6, 8)), subject, { attachments });
    }
    case 'offer': {
      const subject = rng.pick([
        `Oferta nr OF/${rng.int(10, 99)}/${year}`,
        `Cennik na sezon ${year}`,
        'Rabat dla sta\u0142ych klient\u00f3w',
      ]);
      return {
        from: owner,
        to: [contact],
        subject,
        paragraphs: paragraphs(rng, rng.int(2, 5)),
        attachments: [
          {
            filename: `Oferta_ACME_${year}.pdf`,
            contentType: 'application/pdf',
            data: pdfBytes(rng, rng.int(6000, 20000)),
          },
        ],
        html: true,
        flags: ['\\Seen'],
      };
    }
    case 'invoice':
    case 'correction': {
      const number = invoiceNumber(rng, year, topic === 'invoice' ? 'FV' : 'FK');
      const subject =
        topic === 'invoice'
          ? rng.pick([
              `Faktura VAT nr ${number}`,
              `Przypomnienie o p\u0142atno\u015bci za faktur\u0119 ${number}`,
              `Faktura proforma ${number}`,
            ])
          : `Korekta faktury nr ${number}`;
      const file = `${topic === 'invoice' ? 'Faktura' : 'Korekta'}_${number.replace(/\//g, '_')}.pdf`;
      return incoming(rng.pick(SUPPLIERS), subject, {
        attachments: [
          { filename: file, contentType: 'application/pdf', data: pdfBytes(rng, rng.int(4000, 16000)) },
        ],
        html: false,
        flags: rng.chance(0.9) ? ['\\Seen', ...(rng.chance(0.2) ? ['$label1'] : [])] : [],
      });
    }
    case 'office': {
      const subject = rng.pick([
        'Za\u015bwiadczenie o niezaleganiu w podatkach',
        'Urz\u0119dowe Po\u015bwiadczenie Odbioru - JPK_V7M',
        `Sk\u0142adki ZUS za ${rng.pick(MONTHS_PL)} ${year}`,
      ]);
      return incoming(rng.pick(OFFICES), subject, {
        attachments: [
          {
            filename: 'UPO_potwierdzenie.pdf',
            contentType: 'application/pdf',
            data: pdfBytes(rng, rng.int(3000, 9000)),
          },
        ],
        html: false,
        flags: ['\\Seen', ...(rng.chance(0.5) ? ['\\Flagged'] : [])],
      });
    }
    case 'candidate': {
      const person = candidate(rng);
      const job = rng.pick(JOBS);
      const subject = rng.pick([
        `Aplikacja na stanowisko: ${job}`,
        `CV - ${job}`,
        `Zg\u0142oszenie na stanowisko ${job}`,
      ]);
      const cv = rng.chance(0.85)
        ? [
            {
              filename: `CV ${person.display}.pdf`,
              contentType: 'application/pdf',
              data: pdfBytes(rng, rng.int(5000, 20000)),
            },
          ]
        : [];
      return incoming(person, subject, { attachments: cv });
    }
    case 'job-ad': {
      const job = rng.pick(JOBS);
      return incoming(JOB_PORTAL, `Publikacja og\u0142oszenia: ${job}`, { html: true, flags: ['\\Seen'] });
    }
    case 'newsletter': {
      const subject = rng.pick([
        `Newsletter bran\u017cowy - wydanie ${rng.int(10, 80)}`,
        'Nowo\u015bci w przepisach podatkowych',
      ]);
      return incoming(rng.pick(NEWSLETTERS), subject, {
        html: true,
        flags: rng.chance(0.5) ? ['\\Seen'] : [],
        extraHeaders: [['List-Unsubscribe', '<mailto:wypisz@newsletter.example>']],
      });
    }
    case 'spam': {
      return incoming(
        rng.pick(SPAMMERS),
        rng.pick([
          'Wygra\u0142e\u015b nagrod\u0119! Odbierz j\u0105 teraz',
          'Pilne: zweryfikuj swoje konto',
          'Twoja paczka czeka na dop\u0142at\u0119',
        ]),
        {
          paragraphs: paragraphs(rng, rng.int(1, 3), SPAM_SENTENCES),
          html: true,
          flags: ['Junk', ...(rng.chance(0.4) ? ['\\Seen'] : [])],
        },
      );
    }
    case 'archive': {
      const subject = rng.pick([
        `Rozliczenie roku ${year}`,
        'Stara korespondencja z kontrahentem',
        'Protok\u00f3\u0142 odbioru prac',
      ]);
      return incoming(contact, subject, { flags: ['\\Seen', ...(rng.chance(0.3) ? ['\\Answered'] : [])] });
    }
    case 'trash':
      return incoming(
        rng.pick([...CONTACTS, ...NEWSLETTERS]),
        rng.pick([
          'Przypomnienie: szkolenie BHP',
          'Nieaktualne: zmiana godzin pracy biura',
          'Ankieta satysfakcji klienta',
        ]),
        {
          flags: ['\\Seen'],
        },
      );
    case 'sent':
    case 'drafts': {
      const about = rng.pick([
        'zapytanie ofertowe',
        'termin dostawy',
        'umow\u0119',
        'spotkanie',
        'reklamacj\u0119',
      ]);
      const reply = topic === 'sent' && rng.chance(0.6);
      return {
        from: owner,
        to: [contact],
        subject: reply
          ? `Re: Pytanie o ${about}`
          : topic === 'drafts'
            ? `Szkic: odpowied\u017a w sprawie ${about}`
            : `Odpowied\u017a w sprawie: ${about}`,
        paragraphs: paragraphs(rng, rng.int(1, 4)),
        attachments: [],
        html: rng.chance(0.3),
        flags: topic === 'sent' ? ['\\Seen'] : ['\\Draft', ...(rng.chance(0.5) ? ['\\Seen'] : [])],
        inReplyTo: reply ? `${rng.hex(16)}@${contact.email.split('@')[1]}` : undefined,
      };
    }
  }
}

function wrap(paragraph: string, width = 72): string {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function bodyText(rng: Prng, draft: Draft): string {
  const sender = draft.from;
  const signature = [
    sender.display,
    sender.company ?? '',
    `tel. +48 71 ${rng.int(100, 999)} ${rng.int(10, 99)} ${rng.int(10, 99)}`,
  ]
    .filter(Boolean)
    .join('\n');
  const parts = [
    rng.pick(GREETINGS),
    ...draft.paragraphs.map((p) => wrap(p)),
    `${rng.pick(CLOSINGS)}\n${signature}`,
  ];
  if (draft.inReplyTo) {
    const quoted = paragraphs(rng, rng.int(1, 3))
      .map((p) =>
        wrap(p, 70)
          .split('\n')
          .map((l) => `> ${l}`)
          .join('\n'),
      )
      .join('\n>\n');
    parts.push(
      `W dniu ${rng.int(1, 28)}.${String(rng.int(1, 12)).padStart(2, '0')} ${draft.to[0]?.display ?? ''} pisze:\n${quoted}`,
    );
  }
  return parts.join('\n\n');
}

/** A random instant between 06:00 and 19:00 UTC of a day within the years, to the second. */
function randomDate(rng: Prng, [from, to]: [number, number]): Date {
  const start = Date.UTC(from, 0, 1);
  // The sample must not reach past October 2025 (the dates are "history", whatever today is).
  const end = Math.min(Date.UTC(to + 1, 0, 1), Date.UTC(2025, 10, 1));
  const days = Math.floor((end - start) / 86_400_000);
  const day = rng.int(0, days - 1);
  return new Date(start + day * 86_400_000 + rng.int(6 * 3600, 19 * 3600) * 1000);
}

interface Rendered {
  raw: Buffer;
  internalDate: Date;
  flags: string[];
}

function makeMessage(rng: Prng, draft: Draft, internalDate: Date, messageId: string | undefined): Rendered {
  const charset: Charset = rng.chance(0.35) ? 'ISO-8859-2' : 'UTF-8';
  const raw = renderMessage({
    from: draft.from,
    to: draft.to,
    subject: draft.subject,
    // Date: is written by the sender a little before the server stamps INTERNALDATE.
    date: new Date(internalDate.getTime() - rng.int(3, 900) * 1000),
    messageId,
    inReplyTo: draft.inReplyTo,
    extraHeaders: [
      ...(draft.extraHeaders ?? []),
      ['X-Mailer', rng.pick(['Microsoft Outlook 16.0', 'Thunderbird 115.6.0', 'Roundcube Webmail/1.6.5'])],
    ],
    text: bodyText(rng, draft),
    html: draft.html,
    charset,
    encoding: rng.chance(0.6) ? 'quoted-printable' : '8bit',
    wordEncoding: rng.chance(0.5) ? 'B' : 'Q',
    attachments: draft.attachments,
    boundarySeed: rng.hex(16),
  });
  return { raw, internalDate, flags: draft.flags };
}

function messageIdFor(rng: Prng, from: Person): string {
  return `${rng.hex(12)}.${rng.hex(8)}@${from.email.split('@')[1] ?? 'acme.example'}`;
}

function buildFolder(account: AccountPlan, plan: FolderPlan): SampleFolder {
  const rng = new Prng(seedOf(`${account.owner.email}/${plan.name}`));
  const messages: SampleMessage[] = [];
  for (let i = 0; i < plan.count; i++) {
    const internalDate = randomDate(rng, plan.years ?? [2019, 2025]);
    const draft = draftFor(rng, plan.topic, account.owner, internalDate.getUTCFullYear());
    messages.push(makeMessage(rng, draft, internalDate, messageIdFor(rng, draft.from)));
  }
  return { name: plan.name, subscribed: plan.subscribed ?? true, messages };
}

// ---------------------------------------------------------------------------------------------
// The corner cases, placed by hand

function folder(accounts: SampleAccount[], user: string, name: string): SampleFolder {
  const found = accounts.find((a) => a.user === user)?.folders.find((f) => f.name === name);
  if (!found) throw new Error(`sample company has no folder ${user}/${name}`);
  return found;
}

function addCorners(accounts: SampleAccount[]): void {
  const rng = new Prng(seedOf('corners'));
  const kontakt = ACCOUNTS[0]?.owner;
  const sprzedaz = ACCOUNTS[1]?.owner;
  if (!kontakt || !sprzedaz) throw new Error('sample company lost its first accounts');
  const contact = CONTACTS[0] ?? kontakt;

  // A scanner that sends mail without a Message-ID, as many multifunction printers do.
  const scanner: Person = { display: 'Skaner ACME (drukarka 2. pi\u0119tro)', email: 'skaner@acme.example' };
  const scan = makeMessage(
    rng,
    {
      from: scanner,
      to: [kontakt],
      subject: 'Skan z urz\u0105dzenia wielofunkcyjnego',
      paragraphs: ['Dokument zeskanowany na urz\u0105dzeniu wielofunkcyjnym.'],
      attachments: [{ filename: 'skan_0001.pdf', contentType: 'application/pdf', data: pdfBytes(rng, 9000) }],
      html: false,
      flags: ['\\Seen'],
    },
    new Date(Date.UTC(2023, 4, 17, 8, 12, 44)),
    undefined,
  );
  folder(accounts, kontakt.email, 'INBOX').messages.push({ ...scan, corner: 'no-message-id' });

  // Two different messages under one Message-ID: the direct copy and the copy a mailing list
  // rewrote (subject tag, footer), which a Message-ID-only dedup would wrongly treat as one.
  const sharedId = 'oferta-2024-03-11.4f2a@dostawca.example';
  const direct = makeMessage(
    rng,
    {
      from: contact,
      to: [kontakt],
      subject: 'Nowa oferta na materia\u0142y biurowe',
      paragraphs: paragraphs(rng, 3),
      attachments: [],
      html: false,
      flags: ['\\Seen', '\\Answered'],
    },
    new Date(Date.UTC(2024, 2, 11, 9, 30, 5)),
    sharedId,
  );
  const viaList = makeMessage(
    rng,
    {
      from: contact,
      to: [{ display: 'Lista dostawc\u00f3w', email: 'dostawcy@lista.example' }],
      subject: '[Dostawcy] Nowa oferta na materia\u0142y biurowe',
      paragraphs: [
        ...paragraphs(rng, 2),
        'Wiadomo\u015b\u0107 rozes\u0142ana przez list\u0119 dyskusyjn\u0105 dostawc\u00f3w. Wypisz si\u0119: dostawcy-off@lista.example',
      ],
      attachments: [],
      html: false,
      flags: [],
      extraHeaders: [['List-Id', '<dostawcy.lista.example>']],
    },
    new Date(Date.UTC(2024, 2, 11, 9, 31, 40)),
    sharedId,
  );
  const inbox = folder(accounts, kontakt.email, 'INBOX');
  inbox.messages.push(
    { ...direct, corner: 'shared-message-id' },
    { ...viaList, corner: 'shared-message-id' },
  );

  // The same bytes twice in one folder (a client that retried an APPEND).
  const twice = makeMessage(
    rng,
    {
      from: contact,
      to: [sprzedaz],
      subject: 'Zam\u00f3wienie nr 4711 - ponowna wysy\u0142ka',
      paragraphs: paragraphs(rng, 2),
      attachments: [],
      html: false,
      flags: ['\\Seen'],
    },
    new Date(Date.UTC(2022, 8, 6, 13, 1, 2)),
    messageIdFor(rng, contact),
  );
  const sales = folder(accounts, sprzedaz.email, 'INBOX');
  sales.messages.push(
    { ...twice, corner: 'exact-duplicate' },
    { ...twice, raw: Buffer.from(twice.raw), corner: 'exact-duplicate' },
  );

  // One message filed in two folders: kept in INBOX and copied to Klienci/Wa\u017cne, flagged there.
  const filed = makeMessage(
    rng,
    {
      from: CONTACTS[3] ?? contact,
      to: [sprzedaz],
      subject: 'Umowa na rok 2025 - wersja do podpisu',
      paragraphs: paragraphs(rng, 3),
      attachments: [
        { filename: 'Umowa_2025.pdf', contentType: 'application/pdf', data: pdfBytes(rng, 12000) },
      ],
      html: true,
      flags: ['\\Seen'],
    },
    new Date(Date.UTC(2024, 11, 2, 10, 45, 0)),
    messageIdFor(rng, CONTACTS[3] ?? contact),
  );
  sales.messages.push({ ...filed, corner: 'in-two-folders' });
  folder(accounts, sprzedaz.email, 'Klienci/Wa\u017cne').messages.push({
    ...filed,
    raw: Buffer.from(filed.raw),
    flags: ['\\Seen', '\\Flagged'],
    corner: 'in-two-folders',
  });
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Builds the sample company: 4 accounts of acme.example, 38 folders, 216 messages, about 1.6 MB.
 * Deterministic: every call returns byte-identical data in fresh Buffers.
 * @returns accounts in a fixed order; each account's folders list parents before children.
 */
export function sampleCompany(): SampleAccount[] {
  const accounts = ACCOUNTS.map((plan) => ({
    user: plan.owner.email,
    password: `src-${plan.local}-pass`,
    folders: plan.folders.map((f) => buildFolder(plan, f)),
  }));
  addCorners(accounts);
  // Oldest first, as mail arrives; Array.prototype.sort is stable, so equal dates keep their order.
  for (const account of accounts) {
    for (const f of account.folders)
      f.messages.sort((a, b) => a.internalDate.getTime() - b.internalDate.getTime());
  }
  return accounts;
}

/**
 * The server path of a logical folder name in a namespace, e.g. `Faktury/2024` ->
 * `INBOX.Faktury.2024` on the source. INBOX is INBOX in every namespace.
 */
export function serverPath(
  name: string,
  namespace: { prefix: string; delimiter: string } = SOURCE_NAMESPACE,
): string {
  if (name === 'INBOX') return 'INBOX';
  return namespace.prefix + name.split('/').join(namespace.delimiter);
}

/** Logins of the sample accounts on the source (`src-...-pass`), for `startDovecot`. */
export function sourceUsers(accounts: SampleAccount[]): SampleUser[] {
  return accounts.map((a) => ({ user: a.user, password: a.password }));
}

/** The password an account has on the destination: same address, `dst-` instead of `src-`. */
export function destinationPassword(account: SampleAccount): string {
  return account.password.replace(/^src-/, 'dst-');
}

/** Logins of the sample accounts on the destination (same addresses, `dst-...-pass`). */
export function destinationUsers(accounts: SampleAccount[]): SampleUser[] {
  return accounts.map((a) => ({ user: a.user, password: destinationPassword(a) }));
}

/** Counts of a sample: accounts, folders, messages and raw bytes. */
export function sampleTotals(accounts: SampleAccount[]): {
  accounts: number;
  folders: number;
  messages: number;
  bytes: number;
} {
  const folders = accounts.flatMap((a) => a.folders);
  const messages = folders.flatMap((f) => f.messages);
  return {
    accounts: accounts.length,
    folders: folders.length,
    messages: messages.length,
    bytes: messages.reduce((sum, m) => sum + m.raw.length, 0),
  };
}

async function seedAccount(server: { host: string; port: number }, account: SampleAccount): Promise<void> {
  const client = await connectPlain(server, account.user, account.password);
  try {
    const namespace = client.namespace;
    if (!namespace || typeof namespace.delimiter !== 'string') {
      throw new Error(
        `${server.host}:${server.port} (${account.user}) reported no personal namespace delimiter`,
      );
    }
    const ns = { prefix: namespace.prefix, delimiter: namespace.delimiter };
    const depth = (name: string) => name.split('/').length;
    const ordered = [...account.folders].sort((a, b) => depth(a.name) - depth(b.name));
    for (const f of ordered) {
      const path = serverPath(f.name, ns);
      // CREATE also subscribes in imapflow, so the wanted state is set explicitly either way.
      if (f.name !== 'INBOX') await client.mailboxCreate(path);
      if (f.subscribed) await client.mailboxSubscribe(path);
      else await client.mailboxUnsubscribe(path);
    }
    for (const f of account.folders) {
      const path = serverPath(f.name, ns);
      for (const m of f.messages) {
        const res = await client.append(path, m.raw, m.flags, m.internalDate);
        if (!res)
          throw new Error(`APPEND to ${path} (${account.user}) was not sent: connection not authenticated`);
      }
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * Creates every folder of the accounts on a server (parents first, with their subscription state)
 * and APPENDs every message with its flags and INTERNALDATE, one connection per account, the
 * accounts in parallel. Folder names follow the server's personal namespace (`INBOX.` and `.` on
 * the source flavour).
 * @throws the first IMAP error (login refused, CREATE or APPEND rejected).
 */
export async function seedSource(
  server: { host: string; port: number },
  accounts: SampleAccount[],
): Promise<void> {
  await Promise.all(accounts.map((a) => seedAccount(server, a)));
}
