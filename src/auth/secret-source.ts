/**
 * Reads a secret the plan points at (an environment variable or a file beside the plan) at the
 * moment it is needed, so that a secret changed during a long run is picked up on the next use.
 */
import { resolve } from 'node:path';
import { MailshiftError } from '../core/errors.js';
import type { SecretSource } from '../core/logins.js';
import { readSecretFile } from '../shared/secret-file.js';

/** Where a secret comes from, for messages: "environment variable X", "file /path". */
export function describeSource(s: SecretSource, planDir: string): string {
  return 'env' in s ? `environment variable ${s.env}` : `file ${resolve(planDir, s.file)}`;
}

/**
 * Reads a secret.
 * @param what what the secret is, in messages ("client secret of oauth2.m365-app")
 * @param field the plan field naming it, for the hint ("oauth2.m365-app.clientSecretFile")
 * @throws MailshiftError PLAN_SECRET naming the variable or file, never the secret
 */
export function readSecret(s: SecretSource, planDir: string, what: string, field: string): string {
  if ('env' in s) {
    const value = process.env[s.env];
    if (!value) {
      throw new MailshiftError(`environment variable ${s.env} (${what}) is not set`, {
        code: 'PLAN_SECRET',
        scope: 'account',
        hint: `export ${s.env}=... before running mailshift (named by ${field})`,
      });
    }
    return value;
  }
  return readSecretFile(resolve(planDir, s.file), what, field);
}

/**
 * Reads a password (an admin's): as {@link readSecret}, refused when it holds a CR, LF or NUL,
 * which IMAP cannot send in a LOGIN (RFC 3501 quoted strings exclude them) and which is always a
 * copy-paste accident. Without this, the server's confused answer would read as a connection
 * problem ("check host, port").
 * @throws MailshiftError PLAN_SECRET naming the variable or file, never the secret
 */
export function readPassword(s: SecretSource, planDir: string, what: string, field: string): string {
  const value = readSecret(s, planDir, what, field);
  if (/[\r\n\0]/.test(value)) {
    throw new MailshiftError(
      `the ${what} (${describeSource(s, planDir)}) contains a line break or a NUL byte, which IMAP cannot send`,
      {
        code: 'PLAN_SECRET',
        scope: 'account',
        hint: `remove the stray line break from it (named by ${field}); a file may end with one newline, no more`,
      },
    );
  }
  return value;
}
