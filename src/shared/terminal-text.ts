/**
 * Text from strangers (folder names, message headers, a server's words) made safe for a terminal.
 * A folder named `ESC ] 0 ; ... BEL` would retitle the window, `ESC [ 2 J` clear the screen, a CR
 * overwrite the line before it, and C1 bytes (U+0080-U+009F, e.g. U+009B, the one-byte CSI) act as
 * escape sequences on terminals that honour them (ECMA-48 section 5). Each such character is shown
 * as a visible `\xHH` instead; so are the Unicode bidirectional controls, which can make a line
 * read in another order than it was written (CVE-2021-42574, "Trojan Source").
 */

/** C0 except TAB and LF, DEL, C1, and the bidi embedding, override and isolate controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same with TAB and LF: for one field, which must stay on its line. */
// eslint-disable-next-line no-control-regex -- as above
const FIELD_CONTROLS = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Neutralises control characters in a block of text for a terminal; line breaks and tabs stay.
 * @returns the text with every other control shown as `\xHH` (or `\uHHHH`)
 */
export function terminalText(text: string): string {
  return text.replace(CONTROLS, visible);
}

/**
 * Neutralises control characters in one field (a folder name, a subject), line breaks included,
 * so that it cannot start a line of its own.
 */
export function terminalField(text: string): string {
  return text.replace(FIELD_CONTROLS, visible);
}
