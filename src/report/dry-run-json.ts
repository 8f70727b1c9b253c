/**
 * The dry-run report as JSON (version 1): the report object, with each problem's title and action
 * also written out in the report's language so that a reader needs no dictionary.
 */
import type { DryRunReport } from './dry-run-model.js';
import { stringsFor } from './dry-run-texts.js';

/**
 * Renders the report as pretty-printed JSON.
 * @returns the file content; `parseDryRunReport` reads it back
 */
export function renderDryRunJson(r: DryRunReport): string {
  const t = stringsFor(r.lang);
  const doc = {
    ...r,
    problems: r.problems.map((p) => ({
      ...p,
      title: t.problem[p.kind].title(p.params),
      action: t.problem[p.kind].action(p.params),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
