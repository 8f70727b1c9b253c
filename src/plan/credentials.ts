/**
 * Turns a credential reference from the plan into a secret, at connect time, so that a token file
 * or command is read again on every reconnect (XOAUTH2 tokens expire during long runs).
 *
 * Nothing here may block the event loop (Ctrl-C must keep working, other accounts keep copying):
 * a token command runs asynchronously in a process group of its own, killed whole at its timeout,
 * and a secret file is read by shared/secret-file.ts (non-blocking open, small regular files only).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { MailshiftError } from '../core/errors.js';
import type { CredentialRef } from './schema.js';
import type { Secret } from '../core/endpoint.js';
import { MAX_SECRET_BYTES, readSecretFile } from '../shared/secret-file.js';

/** How long a token command may run before its process group is killed. */
export const TOKEN_COMMAND_TIMEOUT_MS = 30_000;

export { MAX_SECRET_BYTES };

/** Options for tests. */
export interface ResolveOptions {
  tokenTimeoutMs?: number;
}

function secretError(what: string, hint: string, cause?: unknown): MailshiftError {
  return new MailshiftError(what, { code: 'PLAN_SECRET', scope: 'account', hint, cause });
}

/**
 * Reads the secret a credential reference points at.
 * @param planDir folder relative file paths (and a token command's working directory) start from
 * @throws MailshiftError PLAN_SECRET naming the variable, file or command (never the secret).
 */
export async function resolveSecret(
  ref: CredentialRef,
  planDir: string,
  opts: ResolveOptions = {},
): Promise<Secret> {
  if (ref.password !== undefined) return checked({ kind: 'password', value: ref.password }, 'password', ref);
  if (ref.passwordEnv !== undefined) {
    const value = process.env[ref.passwordEnv];
    if (!value) {
      throw secretError(
        `environment variable ${ref.passwordEnv} (password of ${ref.user}) is not set`,
        `export ${ref.passwordEnv}=... before running mailshift`,
      );
    }
    return checked({ kind: 'password', value }, `environment variable ${ref.passwordEnv}`, ref);
  }
  if (ref.passwordFile !== undefined) {
    const path = resolve(planDir, ref.passwordFile);
    return checked({ kind: 'password', value: readRefFile(path, ref) }, `file ${path}`, ref);
  }
  if (ref.tokenFile !== undefined) {
    const path = resolve(planDir, ref.tokenFile);
    return checked({ kind: 'token', value: readRefFile(path, ref) }, `file ${path}`, ref);
  }
  if (ref.tokenCommand !== undefined) {
    const value = await runTokenCommand(ref, planDir, opts.tokenTimeoutMs ?? TOKEN_COMMAND_TIMEOUT_MS);
    return checked({ kind: 'token', value }, 'token command', ref);
  }
  throw secretError(`no secret given for ${ref.user}`, 'add passwordEnv or passwordFile to the account');
}

/**
 * IMAP sends a password in a quoted string or a literal, a token in base64: CR, LF and NUL cannot
 * be part of a LOGIN (RFC 3501 quoted strings exclude them) and are always a copy-paste accident.
 */
function checked(secret: Secret, from: string, ref: CredentialRef): Secret {
  if (/[\r\n\0]/.test(secret.value)) {
    throw secretError(
      `the ${secret.kind} of ${ref.user} (${from}) contains a line break or a NUL byte, which IMAP cannot send`,
      'remove the stray line break (a secret file may end with one newline, no more)',
    );
  }
  return secret;
}

function readRefFile(path: string, ref: CredentialRef): string {
  return readSecretFile(path, `for ${ref.user}`);
}

/** Kills every process of a group; the group may already be gone. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* ESRCH: nothing left */
  }
}

/**
 * Runs a token command with /bin/sh in a process group of its own (`detached`), so that at its
 * timeout the shell and everything it started are killed together: killing the shell alone would
 * leave e.g. a hung `curl` holding the pipe open.
 * @returns the command's standard output, trimmed.
 */
function runTokenCommand(ref: CredentialRef, planDir: string, timeoutMs: number): Promise<string> {
  const what = `token command for ${ref.user}`;
  const byHand =
    'run the tokenCommand by hand from the plan folder and check that it prints the access token';
  return new Promise((resolvePromise, reject) => {
    const child = spawn('/bin/sh', ['-c', ref.tokenCommand ?? ''], {
      cwd: planDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: MailshiftError | undefined, value = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup(child.pid);
      if (err) reject(err);
      else resolvePromise(value);
    };
    const timer = setTimeout(
      () =>
        finish(
          secretError(
            `${what} did not finish within ${Math.round(timeoutMs / 1000)} s; it was stopped with every process it started`,
            byHand,
          ),
        ),
      timeoutMs,
    );
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_SECRET_BYTES) {
        finish(secretError(`${what} printed more than ${MAX_SECRET_BYTES / 1024} KB`, byHand));
      } else chunks.push(d);
    });
    child.on('error', (err) =>
      finish(secretError(`${what} could not be started: ${err.message}`, byHand, err)),
    );
    child.on('close', (code, signal) => {
      if (code !== 0) {
        return finish(
          secretError(`${what} failed (${signal ? `signal ${signal}` : `exit ${code}`})`, byHand),
        );
      }
      const out = Buffer.concat(chunks).toString('utf8').trim();
      if (!out)
        return finish(secretError(`${what} printed nothing (exit 0)`, `${byHand} on standard output`));
      finish(undefined, out);
    });
  });
}

/** Where an account's own secret comes from, for `login --status` (never the secret). */
export function describeCredential(ref: CredentialRef): string {
  if (ref.passwordEnv !== undefined) return `password (passwordEnv ${ref.passwordEnv})`;
  if (ref.passwordFile !== undefined) return `password (passwordFile ${ref.passwordFile})`;
  if (ref.password !== undefined) return 'password (written in the plan)';
  if (ref.tokenFile !== undefined) return `XOAUTH2 token (tokenFile ${ref.tokenFile})`;
  if (ref.tokenCommand !== undefined) return 'XOAUTH2 token (tokenCommand)';
  return 'none';
}
