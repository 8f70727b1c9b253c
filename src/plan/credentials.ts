/**
 * Turns a credential reference from the plan into a secret, at connect time, so that a token file
 * or command is read again on every reconnect (XOAUTH2 tokens expire during long runs).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MailshiftError } from '../core/errors.js';
import type { CredentialRef } from './schema.js';
import type { Secret } from '../core/endpoint.js';

function secretError(what: string, hint: string): MailshiftError {
  return new MailshiftError(what, { code: 'PLAN_SECRET', scope: 'account', hint });
}

/**
 * Reads the secret a credential reference points at.
 * @param planDir folder relative file paths are resolved from
 * @throws MailshiftError PLAN_SECRET naming the variable, file or command (never the secret).
 */
export function resolveSecret(ref: CredentialRef, planDir: string): Secret {
  if (ref.password !== undefined) return { kind: 'password', value: ref.password };
  if (ref.passwordEnv !== undefined) {
    const value = process.env[ref.passwordEnv];
    if (!value) {
      throw secretError(
        `environment variable ${ref.passwordEnv} (password of ${ref.user}) is not set`,
        `export ${ref.passwordEnv}=... before running mailshift`,
      );
    }
    return { kind: 'password', value };
  }
  if (ref.passwordFile !== undefined)
    return { kind: 'password', value: readSecretFile(ref.passwordFile, ref, planDir) };
  if (ref.tokenFile !== undefined)
    return { kind: 'token', value: readSecretFile(ref.tokenFile, ref, planDir) };
  if (ref.tokenCommand !== undefined) {
    try {
      const out = execFileSync('/bin/sh', ['-c', ref.tokenCommand], {
        cwd: planDir,
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { kind: 'token', value: out.trim() };
    } catch {
      throw secretError(
        `token command for ${ref.user} failed`,
        'run the tokenCommand by hand and check it prints a token',
      );
    }
  }
  throw secretError(`no secret given for ${ref.user}`, 'add passwordEnv or passwordFile to the account');
}

function readSecretFile(file: string, ref: CredentialRef, planDir: string): string {
  const path = resolve(planDir, file);
  try {
    // One trailing newline is what editors add; the secret itself keeps its spaces.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw secretError(
      `secret file ${path} (for ${ref.user}) cannot be read`,
      'check the path (relative paths start at the plan file) and its permissions',
    );
  }
}
