/**
 * An admin password with a stray line break is named as such, before any server is contacted, not
 * left for the server's confused answer to read as a connection problem.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import { readPassword } from '../../../src/auth/secret-source.js';

const dir = mkdtempSync(join(tmpdir(), 'mailshift-secret-source-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('admin passwords', () => {
  it('a CR or LF inside the password is refused naming the variable and the field, never the password', () => {
    process.env.MAILSHIFT_TEST_ADMIN_PW = 'adm1n-pw\r';
    try {
      assert.throws(
        () =>
          readPassword(
            { env: 'MAILSHIFT_TEST_ADMIN_PW' },
            dir,
            'password of admin root',
            'source.adminPassword*',
          ),
        (e: unknown) =>
          e instanceof MailshiftError &&
          e.code === 'PLAN_SECRET' &&
          /password of admin root \(environment variable MAILSHIFT_TEST_ADMIN_PW\) contains a line break/.test(
            e.message,
          ) &&
          /source\.adminPassword\*/.test(e.hint ?? '') &&
          !e.message.includes('adm1n-pw') &&
          !/host|port/.test(e.message),
      );
    } finally {
      delete process.env.MAILSHIFT_TEST_ADMIN_PW;
    }
    writeFileSync(join(dir, 'two.txt'), 'first\nsecond\n', { mode: 0o600 });
    assert.throws(
      () => readPassword({ file: 'two.txt' }, dir, 'password of admin root', 'source.adminPasswordFile'),
      /contains a line break/,
    );
  });

  it('a file ending with one newline gives the password without it', () => {
    writeFileSync(join(dir, 'ok.txt'), 'adm1n-pw\n', { mode: 0o600 });
    assert.equal(readPassword({ file: 'ok.txt' }, dir, 'password of admin root', 'f'), 'adm1n-pw');
  });
});
