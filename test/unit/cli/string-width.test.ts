/**
 * The bin's stand-in for string-width (scripts/build.mjs): printable ASCII measured without the
 * real module, anything else by it, loaded then. The bundle is built here as the bin is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const REPO = resolve(import.meta.dirname, '../../..');

interface Measured {
  text: string;
  width: number;
  segmentersBuilt: number;
  real: number;
}

describe('string-width in the bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailshift-string-width-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function measure(texts: string[]): Measured[] {
    const out = join(dir, 'entry.js');
    const build = spawnSync(
      process.execPath,
      ['scripts/build.mjs', 'test/harness/string-width-entry.ts', out],
      {
        cwd: REPO,
        encoding: 'utf8',
      },
    );
    assert.equal(build.status, 0, build.stderr);
    const run = spawnSync(process.execPath, [out, ...texts], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as Measured[];
  }

  it('measures as the real module does, loading it only for more than printable ASCII', () => {
    const texts = [
      '',
      '  --deep-sample  compare the bytes',
      'Wysłane',
      '日本語',
      '\u001b[31mred\u001b[0m',
      'tab\there',
    ];
    const widths = measure(texts);
    for (const w of widths) assert.equal(w.width, w.real, `width of ${JSON.stringify(w.text)}`);
    // The two ASCII texts come first and build nothing; the first other one loads the real module.
    assert.deepEqual(
      widths.map((w) => w.segmentersBuilt > 0),
      [false, false, true, true, true, true],
    );
  });
});
