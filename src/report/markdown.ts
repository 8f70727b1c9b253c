/**
 * Markdown pieces shared by the dry-run and verification reports (GitHub-flavoured tables).
 *
 * Every text from a server or a plan (folder names, subjects, addresses, a server's words) goes
 * through {@link escapeMarkdown}: once a client opens the report, such a text must not become a
 * link, an image, raw HTML, a heading, a list or a new paragraph.
 */

/** Control characters (C0, DEL, C1) and Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

/** ASCII punctuation with a meaning somewhere in CommonMark or GFM (all may be backslash-escaped). */
const MARKUP = /[\\`*_[\]<>|#!~$&]/g;

/**
 * GFM's autolink extension turns `www.` and `scheme://` into links without any markup; a zero-width
 * space (U+200B) after `www` or before `://` keeps the text as shown but not a link.
 */
const AUTOLINK = /(www)(\.)|(:)(\/\/)/gi;

/**
 * Escapes text for a Markdown table cell or paragraph: no markup, no link, no line break.
 * @returns the text as it should read once rendered
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(CONTROLS, ' ')
      .replace(MARKUP, '\\$&')
      .replace(AUTOLINK, (_, w, dot, colon, slashes) => (w ? `${w}\u200b${dot}` : `${colon}\u200b${slashes}`))
      // A list item (a marker then a space, CommonMark 5.2) or a setext underline only starts a
      // line; the text may start one. "1.5 KB" starts none.
      .replace(/^(\s*)([-+])(?=\s|$)/, '$1\\$2')
      .replace(/^(\s*)(=)/, '$1\\$2')
      .replace(/^(\s*\d+)([.)])(?=\s|$)/, '$1\\$2')
  );
}

/**
 * Text as an inline code span (raw bytes shown as they are, e.g. a refused header line): the fence
 * is longer than any run of backticks inside, and line breaks become spaces (CommonMark 6.1).
 */
export function markdownCode(text: string): string {
  const flat = text.replace(CONTROLS, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A table of cells already escaped; `numeric` columns are right-aligned. An empty cell gets a
 * space, so that no renderer collapses it.
 */
export function markdownTable(headers: string[], rows: string[][], numeric: readonly number[] = []): string {
  const align = headers.map((_, i) => (numeric.includes(i) ? '---:' : '---'));
  return [headers, align, ...rows]
    .map((r, i) => `| ${r.map((c) => (i === 1 ? c : c || ' ')).join(' | ')} |`)
    .join('\n');
}
