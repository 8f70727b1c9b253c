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
