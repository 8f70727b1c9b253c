/**
 * The user's rename patterns cannot hang `plan` or `run`: a catastrophic pattern on a long folder
 * name is stopped by the time guard and refused as a plan error naming the pattern and the folder;
 * an invalid one is refused when the plan is loaded, naming the field. The catastrophic case runs
 * in a child process with a deadline, so that a missing guard fails this test instead of hanging it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import { GuardedRegExp } from '../../../src/plan/guarded-regexp.js';
import { loadPlan } from '../../../src/plan/load-plan.js';

const MAPPING = new URL('../../../src/plan/mapping.ts', import.meta.url).pathname;

/** proposeMapping with one rename rule over one folder name, in a child process given `deadlineMs`. */
function mapInChild(pattern: string, folder: string, deadlineMs: number) {
  const script = `
    import { proposeMapping } from ${JSON.stringify(MAPPING)};
    const side = (names) => ({ namespace: { prefix: '', delimiter: '/' }, folders: names.map((path) => ({ path, delimiter: '/', flags: [], subscribed: true })) });
    const started = Date.now();
    try {
      const d = proposeMapping(side(['INBOX', ${JSON.stringify(folder)}]), side(['INBOX']), { rename: [{ from: ${JSON.stringify(pattern)}, to: 'Renamed' }] });
      console.log(JSON.stringify({ ms: Date.now() - started, destinations: d.map((x) => x.destination) }));
    } catch (err) {
      console.log(JSON.stringify({ ms: Date.now() - started, code: err.code, message: err.message }));
    }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: deadlineMs,
  });
  assert.equal(r.signal, null, `the mapping did not finish within ${deadlineMs} ms (killed: ${r.signal})`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    ms: number;
    code?: string;
    message?: string;
    destinations?: string[];
  };
}

describe('rename patterns under a time guard', () => {
  it('a rename of ^(a+)+$ on a long folder name is refused, not hung', () => {
    const r = mapInChild('^(a+)+$', `${'a'.repeat(40)}!`, 30_000);
    assert.equal(r.code, 'PLAN_SLOW_REGEX');
    assert.match(r.message!, /folders\.rename: "\^\(a\+\)\+\$" took more than 200 ms on the folder "a{40}!"/);
    assert.ok(r.ms < 5000, `${r.ms} ms`);
  });

  it('an ordinary pattern renames as before, $1 included', () => {
    const r = mapInChild('^Old (\\d+)$', 'Old 2019', 30_000);
    assert.deepEqual(r.destinations, ['INBOX', 'Renamed']);
    const re = new GuardedRegExp('^Old (\\d+)$', 'folders.rename');
    assert.equal(re.replace('Old 2019', 'Archive/$1'), 'Archive/2019');
    assert.equal(re.test('Older'), false);
  });

  it('an invalid pattern is a plan error naming the field, at load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-regex-'));
    const path = join(dir, 'p.yaml');
    writeFileSync(
      path,
      `version: 1
name: p
source: { host: a.example, port: 993, security: tls }
destination: { host: b.example, port: 993, security: tls }
accounts:
  - source: { user: u, passwordEnv: A }
    destination: { user: u, passwordEnv: B }
    folders: { rename: [{ from: "^ok$", to: x }, { from: "(unclosed", to: y }] }
`,
    );
    assert.throws(
      () => loadPlan(path),
      (err: unknown) =>
        err instanceof MailshiftError &&
        err.code === 'PLAN_INVALID' &&
        /accounts\[0\]\.folders\.rename\[1\]\.from: not a valid regular expression: .*Unterminated group/.test(
          err.message,
        ),
    );
  });
});
