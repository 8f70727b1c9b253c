/**
 * The stored sign-ins of a plan: one file, `tokens.json` in the state directory, owner-only
 * (0600), written whole (temporary file, fsync, rename) and checked on read. It holds the refresh
 * token of each device-code sign-in and, for every token mailshift obtained, when it was obtained
 * and when it expires, so that `mailshift login --status` can tell without contacting anyone.
 * Access tokens are never written: they live in memory for the run.
 *
 * Another mailshift process (a `login` while a run goes on) may write the same file: every write
 * reads the file again and replaces only its own entry, in one synchronous step.
 */
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import * as z from 'zod';
import { MailshiftError } from '../core/errors.js';
import { writeFileAtomic } from '../shared/write-file-atomic.js';

/** The file format's version: an unknown one is refused, never guessed at. */
export const TOKEN_FILE_VERSION = 1;

const Entry = z
  .object({
    method: z.enum(['deviceCode', 'clientCredentials', 'serviceAccount']),
    /** Device code only: the long-lived refresh token. */
    refreshToken: z.string().min(1).optional(),
    /** When a person signed in (device code). */
    signedInAt: z.string().optional(),
    /** When the last access token was obtained, and when it expires (ISO 8601). */
    obtainedAt: z.string().optional(),
    accessExpiresAt: z.string().optional(),
    /** The scopes the provider said it granted. */
    scope: z.string().optional(),
  })
  .strict();

const TokenFile = z
  .object({ version: z.literal(TOKEN_FILE_VERSION), tokens: z.record(z.string(), Entry) })
  .strict();

/** One stored sign-in or token record. */
export type TokenEntry = z.infer<typeof Entry>;

/** The key of a record: an OAuth2 profile and, for per-mailbox tokens, the mailbox. */
export function tokenKey(profile: string, user?: string): string {
  return user === undefined ? profile : `${profile}/${user.toLowerCase()}`;
}

/** Reads and writes the token file of one state directory. */
export class TokenStore {
  constructor(readonly path: string) {}

  /**
   * The entry of a key, read from the file now (another process may have written it).
   * @throws MailshiftError AUTH_TOKENS_UNREADABLE for a damaged file or one of another version
   */
  get(key: string): TokenEntry | undefined {
    return this.read()[key];
  }

  /** Every entry. */
  all(): Record<string, TokenEntry> {
    return this.read();
  }

  /**
   * Replaces one entry (merged with what it held), leaving the others as the file has them now.
   * @throws MailshiftError STATE_TOKENS_UNWRITABLE when the file cannot be written
   */
  update(key: string, change: Partial<TokenEntry> & Pick<TokenEntry, 'method'>): void {
    const tokens = this.read();
    tokens[key] = { ...tokens[key], ...change };
    try {
      writeFileAtomic(
        this.path,
        `${JSON.stringify({ version: TOKEN_FILE_VERSION, tokens }, null, 2)}\n`,
        0o600,
      );
    } catch (err) {
      throw new MailshiftError(`token file ${this.path} cannot be written: ${(err as Error).message}`, {
        code: 'STATE_TOKENS_UNWRITABLE',
        scope: 'run',
        hint: 'check that the state directory exists and is writable (or pass --state-dir)',
        cause: err,
      });
    }
  }

  private read(): Record<string, TokenEntry> {
    if (!existsSync(this.path)) return {};
    // The file holds refresh tokens: whoever loosened its mode, it goes back to the owner alone.
    if ((statSync(this.path).mode & 0o077) !== 0) chmodSync(this.path, 0o600);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw unreadable(this.path, 'it is not valid JSON', err);
    }
    const version = (data as { version?: unknown } | null)?.version;
    if (version !== TOKEN_FILE_VERSION) {
      throw unreadable(
        this.path,
        `unsupported version: expected ${TOKEN_FILE_VERSION}, got ${String(version)}`,
      );
    }
    const parsed = TokenFile.safeParse(data);
    if (!parsed.success) throw unreadable(this.path, 'it is not a token file of this mailshift');
    return parsed.data.tokens;
  }
}

function unreadable(path: string, why: string, cause?: unknown): MailshiftError {
  return new MailshiftError(`token file ${path} cannot be used: ${why}`, {
    code: 'AUTH_TOKENS_UNREADABLE',
    scope: 'account',
    hint: 'move it away and sign in again with mailshift login (the other logins need no stored token)',
    cause,
  });
}
