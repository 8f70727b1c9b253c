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
