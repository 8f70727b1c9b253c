/**
 * Figures for people (core/units.ts): the short figures written without Intl read exactly as
 * Intl.NumberFormat writes them, and do not start it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countInstances } from '../../harness/count-instances.js';

// The formatters made from here on; units.ts is loaded after, so it makes them through the count.
const NumberFormat = Intl.NumberFormat;
const made = countInstances('NumberFormat');
const { formatNumber, formatSeconds, formatSize } = await import('../../../src/core/units.js');

const intl = {
  en: new NumberFormat('en-GB', { maximumFractionDigits: 1 }),
  pl: new NumberFormat('pl-PL', { maximumFractionDigits: 1 }),
};
const asIntl = (lang: 'en' | 'pl', n: number) => intl[lang].format(n).replace(/\u00a0/g, ' ');

describe('formatNumber', () => {
  it('writes figures below 1,000 of one decimal at most without starting Intl', () => {
    const before = made();
    assert.equal(formatNumber('pl', 0.3), '0,3');
    assert.equal(formatNumber('en', 999.9), '999.9');
    assert.equal(formatSeconds('pl', 12.34), '12,3 s');
    assert.equal(formatSize('en', 1536), '1.5 KB');
    assert.equal(made(), before);
    assert.equal(formatNumber('pl', 12345), '12 345');
    assert.equal(made(), before + 1);
  });

  it('reads exactly as Intl.NumberFormat in both languages', () => {
    const figures: number[] = [];
    for (let tenths = 0; tenths <= 10_050; tenths++) figures.push(tenths / 10);
    figures.push(-0, -1, -0.5, 0.05, 0.15, 1.25, 999.95, 1000, 1234.5, 12_345, 1e21, 1e-7, 123.456);
    for (const lang of ['en', 'pl'] as const)
      for (const n of figures) assert.equal(formatNumber(lang, n), asIntl(lang, n), `${lang} ${n}`);
  });
});
