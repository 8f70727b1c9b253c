/**
 * Markdown pieces shared by the dry-run and verification reports (GitHub-flavoured tables).
 */

/** Escapes text for a Markdown table cell or paragraph (no markup, no line breaks). */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/([\\`*_[\]<>|#])/g, '\\$1');
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
