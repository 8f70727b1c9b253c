/**
 * The last guard before anything leaves the machine: every string of a notification is scrubbed of
 * the secrets mailshift knows (passwords, tokens, webhook URLs of the plan) and of what looks like
 * one (credentials in a URL, a bearer token, `password=...`). Notifications are built from counts
 * and the servers' words, which should hold no secret; a server that echoes a token in an error, or
 * a hook URL in a library's message, must still not put it in a chat channel.
 */

/** What a removed secret is replaced with. */
export const REDACTED = '[redacted]';

// user:password@ in a URL; a query parameter whose name says it is a credential; an HTTP auth
// header value; key=value pairs whose key says it is a secret.
const PATTERNS: RegExp[] = [
  /(?<=\/\/)[^/\s:@]+:[^/\s@]+(?=@)/g,
  /(?<=[?&](?:token|access_token|sig|signature|key|apikey|api_key|password|secret)=)[^&\s"']+/gi,
  /(?<=\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/g,
  /(?<=\b(?:password|passwd|pass|secret|token)\s*[=:]\s*)[^\s,;"']+/gi,
];

/**
 * Removes every known secret (longest first, so one holding another goes whole) and every
 * credential-looking part from a text. Secrets shorter than 4 characters are ignored: replacing
 * "a" everywhere would ruin the text and protect nothing.
 */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length))
    out = out.split(s).join(REDACTED);
  for (const p of PATTERNS) out = out.replace(p, REDACTED);
  return out;
}

/** A deep copy of a JSON-like value with every string scrubbed. */
export function scrubValue<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return scrubText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, secrets);
    return out as T;
  }
  return value;
}
