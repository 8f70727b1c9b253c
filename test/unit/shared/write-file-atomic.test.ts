/**
 * writeFileAtomic: the target holds the old bytes or the new ones, never a mix, and a failed write
 * leaves no temporary file behind.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../../../src/shared/write-file-atomic.js';

describe('writeFileAtomic', () => {
  it('replaces a file with the new bytes, mode 0600 by default, leaving nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-atomic-'));
    const path = join(dir, 'report.md');
    writeFileSync(path, 'old', { mode: 0o644 });
    const big = Buffer.alloc(3 * 1024 * 1024, 'y');
    writeFileAtomic(path, big);
    assert.ok(readFileSync(path).equals(big));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    writeFileAtomic(path, 'text \u017c', 0o640);
    assert.equal(readFileSync(path, 'utf8'), 'text \u017c');
    assert.equal(statSync(path).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['report.md']);
  });

  it('leaves the target as it was and no temporary file when the write fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-atomic-'));
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'kept');
    assert.throws(() => writeFileAtomic(target, 'new'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.deepEqual(readdirSync(dir), ['taken']);
    assert.equal(readFileSync(join(target, 'inside'), 'utf8'), 'kept');
    assert.throws(() => writeFileAtomic(join(dir, 'missing', 'file'), 'x'), /ENOENT/);
  });
});
