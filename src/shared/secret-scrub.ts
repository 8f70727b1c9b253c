/**
 * Keeps an account's secrets out of the IMAP traffic written to the run log at debug level. The
 * logger's redaction (logger.ts) works by field name; a server that echoes the password in its
 * words (`NO Login failed for user x with password y`) puts it in a text field, so each text the
 * IMAP client logs is searched for the secret itself, and its base64 forms (an AUTHENTICATE echo),
 * before it reaches the log.
 */
import type { Logger } from 'pino';

/** What a secret found in a log line is replaced with (the logger's own censor word). */
export const SCRUBBED = '[redacted]';

/** Levels the IMAP client logs at. */
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** How deep a logged object is searched: the client's log entries are flat but for an error. */
const MAX_DEPTH = 6;

/**
 * The forms a secret can take on the wire: itself, its base64, and the base64 of the SASL PLAIN
 * (RFC 4616) and XOAUTH2 initial responses that carry it.
 * @param user the login name sent with it
 */
export function secretForms(user: string, secret: string): string[] {
  if (secret === '') return [];
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [
    secret,
    b64(secret),
    b64(`\0${user}\0${secret}`),
    b64(`user=${user}\x01auth=Bearer ${secret}\x01\x01`),
  ];
}

/** The text with every occurrence of each secret replaced, longest first (one may hold another). */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s !== '' && out.includes(s)) out = out.split(s).join(SCRUBBED);
  }
  return out;
}

/** A logged value with its texts scrubbed: strings, arrays, plain objects and errors (as objects). */
function scrubValue(v: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof v === 'string') return scrubText(v, secrets);
  if (depth >= MAX_DEPTH || v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  // An error's message and stack are not enumerable: copied so that they are searched too.
  if (v instanceof Error) {
    out.type = v.name;
    out.message = scrubText(v.message, secrets);
    if (v.stack) out.stack = scrubText(v.stack, secrets);
  }
  for (const [k, x] of Object.entries(v)) out[k] = scrubValue(x, secrets, depth + 1);
  return out;
}

/**
 * A logger for an IMAP client that scrubs the given secrets from everything it logs, at every
 * level, then writes to `logger`.
 * @param secrets the texts never to write (see {@link secretForms})
 */
export function scrubbingLogger(logger: Logger, secrets: readonly string[]): Logger {
  const wrapped: Record<string, unknown> = {
    level: logger.level,
    isLevelEnabled: (level: string) => logger.isLevelEnabled(level),
    child: (bindings: Record<string, unknown>) =>
      scrubbingLogger(logger.child(scrubValue(bindings, secrets, 0) as Record<string, unknown>), secrets),
  };
  for (const level of LEVELS) {
    wrapped[level] = (...args: unknown[]) => {
      if (!logger.isLevelEnabled(level)) return;
      const scrubbed = args.map((a) => scrubValue(a, secrets, 0));
      (logger[level] as (...a: unknown[]) => void)(...scrubbed);
    };
  }
  return wrapped as unknown as Logger;
}
