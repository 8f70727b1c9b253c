/**
 * One language module for every report: a figure has one form per language, whichever report
 * and format shows it. A Polish dry-run report and a Polish verification report both write
 * 1536 bytes as "1,5 KB" and a measured second as "1,3 s"; in English, "1.5 KB" and "1.3 s".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDryRunReport } from '../../../src/report/dry-run-build.js';
import { renderDryRunHtml } from '../../../src/report/dry-run-html.js';
import { renderDryRunMarkdown } from '../../../src/report/dry-run-markdown.js';
import { formatVerifyConsole } from '../../../src/report/verify-console.js';
import { verifyHtml } from '../../../src/report/verify-html.js';
import { verifyMarkdown } from '../../../src/report/verify-markdown.js';
import type { Lang } from '../../../src/core/units.js';
import { folderResult } from '../../../src/verify/counts.js';
import type { VerifyReport } from '../../../src/verify/types.js';
import { verdictOf, verifyTotals } from '../../../src/verify/verdict.js';
import {
  accountInput,
  copy,
  destinationFolder,
  destinationSide,
  input,
  sourceFolder,
  sourceSide,
} from './dry-run-fixtures.js';

/** A dry-run report whose only message is 1536 bytes and whose discovery took 1.25 s. */
function dryRun(lang: Lang) {
  const u = 'jan@acme.example';
  const a = accountInput(
    u,
    sourceSide(u, [sourceFolder('INBOX', [{ size: 1536 }])]),
    destinationSide(u, [destinationFolder('INBOX')]),
    [copy('INBOX', 'INBOX', true)],
  );
  return buildDryRunReport({ ...input([a], {}, lang), discoverySeconds: 1.25 });
}

/** A verification report missing one 1536-byte message, made in 1.25 s. */
function verification(lang: Lang): VerifyReport {
  const f = folderResult('INBOX', 'INBOX', 'compared', { counts: { source: 1, destination: 0, missing: 1 } });
  f.missing.push({
    folder: 'INBOX',
    uid: 7,
    size: 1536,
    internalDate: '2024-03-01T09:00:00.000Z',
    cause: 'not-recorded',
  });
  const accounts = [
    {
      account: 'jan@acme.example',
      destinationUser: 'jan@acme.example',
      sourceLogin: { ok: true as const },
      destinationLogin: { ok: true as const },
      folders: [f],
    },
  ];
  const totals = verifyTotals(accounts, []);
  return {
    version: 1,
    plan: 'acme',
    generatedAt: '2026-11-25T20:01:02.345Z',
    seconds: 1.25,
    mode: { kind: 'headers' },
    lang,
    verdict: verdictOf(totals),
    totals,
    accounts,
    addresses: [],
  };
}

const FORMS = {
  pl: { size: '1,5 KB', seconds: '1,3 s', not: ['1.5 KB', '1.3 s'] },
  en: { size: '1.5 KB', seconds: '1.3 s', not: ['1,5 KB', '1,3 s'] },
} as const;

describe('one language module for every report', () => {
  for (const lang of ['pl', 'en'] as const) {
    it(`${lang}: the dry-run and verification reports write sizes and times alike`, () => {
      const f = FORMS[lang];
      const outputs = {
        'dry-run HTML': renderDryRunHtml(dryRun(lang)),
        'dry-run Markdown': renderDryRunMarkdown(dryRun(lang)),
        'verify HTML': verifyHtml(verification(lang)),
        'verify Markdown': verifyMarkdown(verification(lang)),
        'verify console': formatVerifyConsole(verification(lang)),
      };
      for (const [name, text] of Object.entries(outputs)) {
        assert.ok(text.includes(f.size), `${name}: ${f.size}`);
        assert.ok(text.includes(f.seconds), `${name}: ${f.seconds}`);
        for (const other of f.not) assert.ok(!text.includes(other), `${name}: no ${other}`);
      }
    });
  }
});
