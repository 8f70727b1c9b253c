/**
 * Secrets without blocking: a token command runs asynchronously and, at its timeout, is killed
 * with every process it started; empty output and odd secret files (a FIFO, a 1 GB file, a stray
 * line break) get messages that name them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import { resolveSecret } from '../../../src/plan/credentials.js';
import type { CredentialRef } from '../../../src/plan/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'mailshift-secrets-'));
const user = 'kontakt@acme.example';

async function refusal(ref: CredentialRef, tokenTimeoutMs?: number): Promise<MailshiftError> {
  try {
    await resolveSecret(ref, dir, { tokenTimeoutMs });
  } catch (err) {
    assert.ok(err instanceof MailshiftError, String(err));
    assert.equal(err.code, 'PLAN_SECRET');
    return err;
  }
  assert.fail('the secret was accepted');
}

/** Whether a process runs: a zombie (killed, not yet reaped by its new parent) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('token commands', () => {
  it('prints a token, read from the plan folder', async () => {
    writeFileSync(join(dir, 'token.txt'), 'tok-123\n');
    const s = await resolveSecret({ user, tokenCommand: 'cat token.txt' }, dir);
    assert.deepEqual(s, { kind: 'token', value: 'tok-123' });
  });

  it('says so when the command prints nothing or fails', async () => {
    assert.match(
      (await refusal({ user, tokenCommand: 'true' })).message,
      /token command for .* printed nothing/,
    );
    assert.match((await refusal({ user, tokenCommand: 'echo x; exit 3' })).message, /failed \(exit 3\)/);
  });

  it('kills the whole process group at the timeout, without blocking the event loop', async () => {
    const pidFile = join(dir, 'background.pid');
    // The shell starts a background sleep and waits: killing the shell alone would leave the sleep.
    const tokenCommand = `sleep 60 & echo $! > ${pidFile}; sleep 60; echo late`;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const started = Date.now();
    const err = await refusal({ user, tokenCommand }, 600);
    clearInterval(ticker);
    const ms = Date.now() - started;
    assert.match(err.message, /did not finish within 1 s; it was stopped with every process it started/);
    assert.ok(ms >= 550 && ms < 5000, `${ms} ms`);
    assert.ok(ticks >= 10, `the event loop turned ${ticks} times while the command ran`);
    assert.ok(existsSync(pidFile));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(pid), false, `background process ${pid} survived`);
  });
});

describe('secret files', () => {
  it('reads a small regular file, dropping one trailing newline', async () => {
    writeFileSync(join(dir, 'pw.txt'), ' spaced pw \n');
    assert.deepEqual(await resolveSecret({ user, passwordFile: 'pw.txt' }, dir), {
      kind: 'password',
      value: ' spaced pw ',
    });
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(dir, 'pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const err = await refusal({ user, passwordFile: 'pipe' });
    assert.match(
      err.message,
      /secret file .*pipe \(for kontakt@acme\.example\) is a named pipe \(FIFO\), not a regular file/,
    );
  });

  it('refuses a 1 GB file and a directory', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, '');
    truncateSync(big, 1024 ** 3); // sparse: no disk used
    assert.match(
      (await refusal({ user, tokenFile: 'big' })).message,
      /is 1073741824 bytes; a password, token or key file holds at most 64 KB/,
    );
    assert.match((await refusal({ user, passwordFile: '.' })).message, /is a directory/);
    assert.match(
      (await refusal({ user, passwordFile: 'missing' })).message,
      /missing \(for .*\) cannot be read: ENOENT/,
    );
  });

  it('refuses a secret with a line break IMAP cannot send, naming where it came from', async () => {
    writeFileSync(join(dir, 'two-lines.txt'), 'pass\r\nword\n');
    const err = await refusal({ user, passwordFile: 'two-lines.txt' });
    assert.match(
      err.message,
      /the password of kontakt@acme\.example \(file .*two-lines\.txt\) contains a line break/,
    );
    assert.doesNotMatch(err.message, /pass\r?\nword/);
  });
});
