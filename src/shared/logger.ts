/**
 * Structured logs (pino) of a run, written to the state directory. Secrets are redacted by key
 * name at any depth we produce, and the file is created readable by the owner only.
 */
import { constants, openSync } from 'node:fs';
import { MailshiftError } from '../core/errors.js';
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Field names whose values never reach a log line. */
const SECRET_KEYS = [
  'password',
  'pass',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'privateKey',
  'assertion',
  'access_token',
  'refresh_token',
  'client_secret',
  'private_key',
  'auth',
];
export const REDACT_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)];

/**
 * Opens (appends to) a log file owned by the user alone and returns a logger writing to it.
 * @param path the log file, e.g. `.mailshift/acme/run.log`
 */
export function createFileLogger(path: string, level = 'info'): Logger {
  let fd: number;
  try {
    // O_NOFOLLOW: a symbolic link put in the state directory must not make us append elsewhere.
    fd = openSync(
      path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
      0o600,
    );
  } catch (err) {
    const link = (err as NodeJS.ErrnoException).code === 'ELOOP';
    throw new MailshiftError(
      link
        ? `run log ${path} is a symbolic link; mailshift does not write through one`
        : `run log ${path} cannot be opened: ${(err as Error).message}`,
      {
        code: 'STATE_UNSAFE_LOG',
        scope: 'run',
        hint: link
          ? 'remove the link (or pass another --state-dir) and run again'
          : 'check the permissions of the state directory',
        cause: err,
      },
    );
  }
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    pino.destination({ fd, sync: true }),
  );
}

/** A logger that discards everything (tests, dry paths). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
