/**
 * Structured logs (pino) of a run, written to the state directory. Secrets are redacted by key
 * name at any depth we produce, and the file is created readable by the owner only.
 */
import { openSync } from 'node:fs';
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Field names whose values never reach a log line. */
export const REDACT_PATHS = [
  'password',
  'pass',
  'token',
  'accessToken',
  '*.password',
  '*.pass',
  '*.token',
  '*.accessToken',
  '*.auth',
  'auth',
];

/**
 * Opens (appends to) a log file owned by the user alone and returns a logger writing to it.
 * @param path the log file, e.g. `.mailshift/acme/run.log`
 */
export function createFileLogger(path: string, level = 'info'): Logger {
  const fd = openSync(path, 'a', 0o600);
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    pino.destination({ fd, sync: true }),
  );
}

/** A logger that discards everything (tests, dry paths). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
