/**
 * Names that clients and servers give to the special folders when the server does not announce
 * RFC 6154 special-use attributes (older Dovecot/Courier hosting, cPanel, Exchange 2010, ...).
 *
 * Sources: Outlook's and Thunderbird's localized folder names; the Gmail labels listed at
 * https://stackoverflow.com/questions/2185391/localized-gmail-imap-folders; the Polish names reported
 * in https://github.com/imapsync/imapsync/issues/97; the Outlook duplicates ("Gesendete Elemente",
 * "Geloeschte Elemente") seen by https://github.com/mailcow/mailcow-dockerized/pull/2010; the Spanish
 * Outlook folders of https://github.com/imapsync/imapsync/issues/224.
 *
 * Folder names are data, so they stay in their own script here, as servers return them: matching
 * them needs the exact letters, and escapes would hide a typo.
 */
import type { SpecialUse } from '../core/folders.js';

/** The special uses a folder can be recognised as by its name alone. */
export type NamedSpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive';

/**
 * Localized names per special use. A name must appear under one use only (a test checks it), and
 * only names that mean nothing else: "Outbox" (unsent mail) and "All Mail" (a virtual view) are
 * deliberately absent.
 */
export const LOCALIZED_NAMES: Readonly<Record<NamedSpecialUse, readonly string[]>> = {
  '\\Sent': [
    // English, incl. Outlook ("Sent Items"), Apple Mail ("Sent Messages"), Gmail ("Sent Mail"), Pine
    'Sent',
    'Sent Items',
    'Sent Messages',
    'Sent Mail',
    'Sent Mails',
    'Sent-Mail',
    'Sent E-mails',
    // Polish
    'Wysłane',
    'Elementy wysłane',
    'Wiadomości wysłane',
    'Wysłane elementy',
    // German
    'Gesendet',
    'Gesendete Elemente',
    'Gesendete Objekte',
    'Gesendete Nachrichten',
    // French
    'Éléments envoyés',
    'Envoyés',
    'Messages envoyés',
    'Envoyé',
    // Spanish
    'Enviados',
    'Elementos enviados',
    'Mensajes enviados',
    'Enviado',
    // Italian
    'Posta inviata',
    'Inviati',
    'Elementi inviati',
    'Inviata',
    // Dutch
    'Verzonden',
    'Verzonden items',
    'Verzonden berichten',
    // Czech / Slovak
    'Odeslaná pošta',
    'Odeslané',
    'Odeslané položky',
    'Odoslané',
    'Odoslaná pošta',
    'Odoslané položky',
    // Russian / Ukrainian
    'Отправленные',
    'Отправленные элементы',
    'Надіслані',
    // Portuguese
    'Itens enviados',
    'Enviadas',
    'Mensagens enviadas',
    'E-mails enviados',
    // Nordic, Hungarian, Turkish
    'Skickat',
    'Skickade objekt',
    'Sendt',
    'Sendte elementer',
    'Lähetetyt',
    'Elküldött üzenetek',
    'Elküldött elemek',
    'Gönderilmiş Öğeler',
    'Gönderilenler',
  ],
  '\\Drafts': [
    'Drafts',
    'Draft',
    // Polish
    'Robocze',
    'Szkice',
    'Wersje robocze',
    'Kopie robocze',
    // German
    'Entwürfe',
    // French
    'Brouillons',
    // Spanish
    'Borradores',
    // Italian
    'Bozze',
    // Dutch
    'Concepten',
    // Czech / Slovak
    'Koncepty',
    'Rozepsané',
    // Russian / Ukrainian
    'Черновики',
    'Чернетки',
    // Portuguese
    'Rascunhos',
    // Nordic, Hungarian, Turkish
    'Utkast',
    'Kladder',
    'Luonnokset',
    'Piszkozatok',
    'Taslaklar',
  ],
  '\\Trash': [
    // English, incl. Outlook ("Deleted Items"), Apple Mail ("Deleted Messages"), Gmail UK ("Bin")
    'Trash',
    'Deleted Items',
    'Deleted Messages',
    'Deleted',
    'Bin',
    // Polish
    'Kosz',
    'Elementy usunięte',
    'Usunięte',
    'Usunięte elementy',
    'Wiadomości usunięte',
    // German (GMX uses "Gelöscht")
    'Papierkorb',
    'Gelöschte Elemente',
    'Gelöschte Objekte',
    'Gelöschte Nachrichten',
    'Gelöscht',
    // French
    'Corbeille',
    'Éléments supprimés',
    'Messages supprimés',
    // Spanish
    'Papelera',
    'Elementos eliminados',
    'Eliminados',
    // Italian
    'Cestino',
    'Posta eliminata',
    'Elementi eliminati',
    // Dutch
    'Prullenbak',
    'Verwijderde items',
    'Verwijderde berichten',
    // Czech / Slovak
    'Koš',
    'Odstraněná pošta',
    'Odstraněné položky',
    'Kôš',
    'Odstránené položky',
    // Russian / Ukrainian
    'Корзина',
    'Удаленные',
    'Удалённые',
    'Удаленные элементы',
    'Кошик',
    'Видалені',
    // Portuguese
    'Lixeira',
    'Lixo',
    'Itens excluídos',
    // Nordic, Hungarian, Turkish
    'Papperskorgen',
    'Borttagna objekt',
    'Papirkurv',
    'Slettede elementer',
    'Roskakori',
    'Törölt elemek',
    'Kuka',
    'Çöp Kutusu',
    'Silinmiş Öğeler',
  ],
  '\\Junk': [
    // English, incl. Outlook ("Junk E-mail", "Junk Email") and Yahoo ("Bulk Mail")
    'Junk',
    'Spam',
    'Junk E-mail',
    'Junk Email',
    'Junk Mail',
    'Bulk Mail',
    // Polish
    'Wiadomości-śmieci',
    'Wiadomości śmieci',
    'Niechciane',
    // German (GMX uses "Spamverdacht")
    'Junk-E-Mail',
    'Spamverdacht',
    'Unerwünscht',
    // French
    'Courrier indésirable',
    'Indésirables',
    'Pourriel',
    // Spanish
    'Correo no deseado',
    'Correo electrónico no deseado',
    'No deseado',
    // Italian
    'Posta indesiderata',
    'Indesiderata',
    // Dutch
    'Ongewenste e-mail',
    'Ongewenst',
    // Czech / Slovak
    'Nevyžádaná pošta',
    'Nevyžiadaná pošta',
    // Russian / Ukrainian
    'Спам',
    'Нежелательная почта',
    // Portuguese
    'Lixo eletrônico',
    'Lixo electrónico',
    // Nordic, Hungarian, Turkish
    'Skräppost',
    'Uønsket e-post',
    'Søppelpost',
    'Roskaposti',
    'Levélszemét',
    'Gereksiz E-posta',
  ],
  '\\Archive': [
    'Archive',
    'Archives',
    // Polish
    'Archiwum',
    // German, Czech
    'Archiv',
    // Spanish, Portuguese
    'Archivo',
    'Archivados',
    'Arquivo',
    // Italian
    'Archivio',
    // Dutch
    'Archief',
    // Slovak, Hungarian
    'Archív',
    'Archívum',
    // Russian / Ukrainian
    'Архив',
    'Архів',
    // Nordic, Turkish
    'Arkiv',
    'Arkisto',
    'Arşiv',
  ],
};

/**
 * The comparison form of a folder name: Unicode NFC (a name typed on macOS arrives decomposed, NFD)
 * and lower case, trimmed.
 * @param name a folder name or one level of it
 * @returns the key names are compared by
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

const USE_BY_NAME: ReadonlyMap<string, NamedSpecialUse> = new Map(
  (Object.entries(LOCALIZED_NAMES) as [NamedSpecialUse, readonly string[]][]).flatMap(([use, names]) =>
    names.map((name) => [nameKey(name), use] as const),
  ),
);

/**
 * The special use a folder name stands for in some language, compared case-insensitively after NFC.
 * @param name one level of a folder name, e.g. `Wysłane` or `Sent Items`
 * @returns the special use, or undefined when the name is an ordinary one
 */
export function specialUseOfName(name: string): NamedSpecialUse | undefined {
  return USE_BY_NAME.get(nameKey(name));
}

/**
 * Whether a special use is one the name table knows (so not `\All` or `\Flagged`).
 * @param use a special use
 * @returns true for Sent, Drafts, Trash, Junk and Archive
 */
export function isNamedSpecialUse(use: SpecialUse): use is NamedSpecialUse {
  return use in LOCALIZED_NAMES;
}

/**
 * Exchange's folders that hold no mail, by the mailbox's language, with why each is left out of a
 * Microsoft 365 source. IMAP lists them like mail folders and without any attribute, so only their
 * names tell them apart (fixtures/providers/microsoft365-facts.json, non-mail-folders).
 *
 * Sources: English, the folder list of an outlook.office365.com account (libremail issue 105,
 * fixtures/providers/microsoft365.json); Polish, Outlook's Polish default folders as Zimbra's
 * Exchange migration tool lists them (microsoft365-facts.json, polish-names; only the confirmed
 * names are here); German, Microsoft's de-DE Outlook MAPI documentation ("Synchronisierungsprobleme",
 * "Konflikte") and Outlook's German folder names for the others.
 */
export const NON_MAIL_FOLDERS: Readonly<Record<string, readonly string[]>> = {
  'calendar items (appointments), not mail: IMAP does not carry them; move them with the calendar': [
    'Calendar',
    'Kalendarz',
    'Kalender',
  ],
  'contacts, not mail: IMAP does not carry them': ['Contacts', 'Kontakty', 'Sugerowane kontakty', 'Kontakte'],
  'tasks, not mail: IMAP does not carry them': ['Tasks', 'Zadania', 'Aufgaben'],
  "Outlook's notes, not mail": ['Notes', 'Notatki', 'Notizen'],
  "Outlook's journal entries, not mail": ['Journal'],
  'Skype for Business / Teams conversation logs, not mail': ['Conversation History', 'Unterhaltungsverlauf'],
  'RSS feed items Outlook downloaded, not mail': ['RSS Feeds', 'RSS-Feeds'],
  "Outlook's synchronisation logs and conflict copies, not mail of the user": [
    'Sync Issues',
    'Problemy z synchronizacją',
    'Synchronisierungsprobleme',
  ],
  "Outlook's outbox: mail a client has not sent yet, normally empty; copying it would send nothing": [
    'Outbox',
    'Skrzynka nadawcza',
    'Postausgang',
  ],
  "Exchange's hidden Files folder: attachments without their messages, not mail (imapsync FAQ.Office365)": [
    'Files',
  ],
};

const NON_MAIL_BY_NAME: ReadonlyMap<string, string> = new Map(
  Object.entries(NON_MAIL_FOLDERS).flatMap(([why, names]) =>
    names.map((name) => [nameKey(name), why] as const),
  ),
);

/**
 * Why a top-level Exchange folder of this name holds no mail, compared case-insensitively after NFC.
 * @param name the first level of a folder name, e.g. `Calendar` or `Kalendarz`
 * @returns the reason, or undefined for a mail folder
 */
export function nonMailReason(name: string): string | undefined {
  return NON_MAIL_BY_NAME.get(nameKey(name));
}
