/**
 * The resolved plan is read as strictly as user input: a file cut short at any byte, changed by
 * hand, or not of the schema is refused with "run plan again", never read as a shorter plan.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import type { FolderDecision } from '../../../src/core/folders.js';
import { loadPlan } from '../../../src/plan/load-plan.js';
import {
  readResolvedPlan,
  resolvedPathFor,
  writeResolvedPlan,
  type ResolvedAccount,
} from '../../../src/plan/resolved-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'mailshift-resolved-'));
const planPath = join(dir, 'acme.yaml');
writeFileSync(
  planPath,
  `version: 1
name: acme
source:      { host: imap.old.example, port: 993, security: tls }
destination: { host: imap.new.example, port: 993, security: tls }
accounts:
  - source:      { user: a@acme.example, passwordEnv: A }
    destination: { user: a@acme.example, passwordEnv: B }
`,
);
const plan = loadPlan(planPath);
const resolvedPath = resolvedPathFor(plan);

/** 202 folders, as in the issue: Folder-1 .. Folder-202, copied under the same name. */
const FOLDERS: FolderDecision[] = Array.from({ length: 202 }, (_, i) => ({
  action: 'copy',
  source: `Folder-${i + 1}`,
  destination: `Folder-${i + 1}`,
  reason: 'same-name',
  exists: false,
  warnings: [],
}));
const ACCOUNTS: Record<string, ResolvedAccount> = {
  'a@acme.example': {
    source: { namespace: { prefix: '', delimiter: '.' } },
    destination: { namespace: { prefix: '', delimiter: '/' } },
    folders: FOLDERS,
  },
};

function refusal(): MailshiftError {
  try {
    readResolvedPlan(plan);
  } catch (err) {
    assert.ok(err instanceof MailshiftError, String(err));
    return err;
  }
  assert.fail('the resolved plan was accepted');
}

/** Rewrites the body and a matching checksum, as a buggy or older writer would. */
function withChecksum(body: string): string {
  return `${body}checksum: ${createHash('sha256').update(body).digest('hex')}\n`;
}

describe('resolved plan', () => {
  it('is written whole (mode, no temporary file left) and read back as written', () => {
    writeResolvedPlan(plan, ACCOUNTS);
    assert.deepEqual(readResolvedPlan(plan)?.accounts, ACCOUNTS);
    assert.deepEqual(readdirSync(dir).sort(), ['acme.resolved.yaml', 'acme.yaml']);
    assert.equal(statSync(resolvedPath).mode & 0o777, 0o644);
    assert.match(readFileSync(resolvedPath, 'utf8'), /\nchecksum: [0-9a-f]{64}\n$/);
  });

  it('refuses the file cut every 10 bytes (every byte near its end), never reading a shorter plan', () => {
    writeResolvedPlan(plan, ACCOUNTS);
    const whole = readFileSync(resolvedPath);
    let cuts = 0;
    // The last byte is the final newline: without it the file is the same plan.
    for (let at = 0; at < whole.length - 1; at += at > whole.length - 200 ? 1 : 10) {
      writeFileSync(resolvedPath, whole.subarray(0, at));
      const err = refusal();
      assert.equal(err.code, 'PLAN_INVALID', `cut at ${at}: ${err.message}`);
      assert.ok(err.message.includes(resolvedPath), err.message);
      assert.match(err.hint ?? '', /run "mailshift plan .*acme\.yaml" again/);
      cuts++;
    }
    assert.ok(cuts > whole.length / 10, `${cuts} cuts`);
    writeFileSync(resolvedPath, whole.subarray(0, whole.length - 1));
    assert.equal(readResolvedPlan(plan)?.accounts['a@acme.example']?.folders.length, 202);
  });

  it('refuses a cut inside "Folder-123" that keeps a valid YAML document', () => {
    writeResolvedPlan(plan, ACCOUNTS);
    const text = readFileSync(resolvedPath, 'utf8');
    const at = text.indexOf('destination: Folder-123') + 'destination: Folder-1'.length;
    writeFileSync(resolvedPath, text.slice(0, at) + '\n');
    assert.match(refusal().message, /incomplete|checksum/);
    // Even with a checksum recomputed over the cut text, the schema refuses what is missing.
    const body = text.slice(0, text.lastIndexOf('checksum: '));
    writeFileSync(
      resolvedPath,
      withChecksum(body.slice(0, body.indexOf('destination: Folder-123') + 22) + '\n'),
    );
    const err = refusal();
    assert.equal(err.code, 'PLAN_INVALID');
    assert.match(err.message, /not a valid resolved plan:\n {2}accounts\.a@acme\.example\.folders\[122\]/);
  });

  it('refuses a file changed by hand (same length)', () => {
    writeResolvedPlan(plan, ACCOUNTS);
    const text = readFileSync(resolvedPath, 'utf8');
    writeFileSync(resolvedPath, text.replace('destination: Folder-17\n', 'destination: Folder-71\n'));
    const err = refusal();
    assert.equal(err.code, 'PLAN_INVALID');
    assert.match(err.message, /does not match its checksum/);
  });

  it('names the field of a schema failure, and the version found as written', () => {
    writeResolvedPlan(plan, ACCOUNTS);
    const body = readFileSync(resolvedPath, 'utf8').replace(/checksum: .*\n$/, '');
    writeFileSync(resolvedPath, withChecksum(body.replace('action: copy', 'action: move')));
    assert.match(refusal().message, /folders\[0\]\.action/);
    writeFileSync(resolvedPath, withChecksum(body.replace('version: 1', 'version: "1"')));
    const stale = refusal();
    assert.equal(stale.code, 'PLAN_STALE');
    assert.match(stale.message, /expected 1, got "1"/);
  });
});
