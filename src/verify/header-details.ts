/**
 * Sender, subject and date of a message for the people reading the report, parsed with mailparser
 * from the header block alone (RFC 2047 encoded words and odd charsets decoded the way mail
 * clients do), so a large attachment is never parsed.
 */
import { simpleParser } from 'mailparser';

/** What the report shows of a message besides folder, UID, size and INTERNALDATE. */
export interface HeaderDetails {
  date?: string;
  from?: string;
  subject?: string;
  messageId?: string;
}

/** `Name <address>` for each mailbox, unquoted: the report is read by people, not parsed. */
export function formatAddresses(list: readonly { name?: string; address?: string }[]): string {
  return list
    .map((a) => (a.name && a.address ? `${a.name} <${a.address}>` : (a.address ?? a.name ?? '')))
    .filter(Boolean)
    .join(', ');
}

/** The header block of raw message bytes, up to and including the blank line. */
export function headerBlock(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf === -1 ? -1 : crlf + 4, lf === -1 ? -1 : lf + 2].filter((n) => n > 0);
  // A message with no body has no blank line: all of it is header.
  return ends.length > 0 ? raw.subarray(0, Math.min(...ends)) : raw;
}

/**
 * Parses the header block of a message.
 * @param raw the message's bytes (or only its header block)
 * @returns the fields present; a header that cannot be parsed is left out, never thrown
 */
export async function headerDetails(raw: Buffer): Promise<HeaderDetails> {
  try {
    const mail = await simpleParser(Buffer.concat([headerBlock(raw), Buffer.from('\r\n')]), {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
    });
    const out: HeaderDetails = {};
    if (mail.date && !Number.isNaN(mail.date.getTime())) out.date = mail.date.toISOString();
    const from = formatAddresses(mail.from?.value ?? []);
    if (from) out.from = from;
    if (mail.subject !== undefined) out.subject = mail.subject;
    if (mail.messageId) out.messageId = mail.messageId;
    return out;
  } catch {
    return {};
  }
}
