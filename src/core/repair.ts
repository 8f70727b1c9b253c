/**
 * Repairs for messages a destination refuses or would alter, chosen per kind by the plan's
 * `problems` policy. A repaired message is recorded as repaired, with the repairs it got by name
 * (state, summary), so that `verify --deep` applies exactly those to the source bytes before it
 * compares them. The repairs (README, "Messages the destination refuses"):
 *
 * - `crlf`: every line ending CRLF (RFC 5322 section 2.3), for a server refusing bare LF;
 * - `nul`: NUL bytes removed (RFC 5322 forbids them);
 * - `header-line`: a header line that is not a field moved into `X-Mailshift-Repaired-Header:`
 *   (Microsoft 365 answers such a message `BAD Command Argument Error. 11`);
 * - `header-8bit`: raw 8-bit bytes in header fields carried in RFC 2047 encoded-words, before the
 *   APPEND when the destination does not announce UTF8=ACCEPT (RFC 6855: without it a server may
 *   refuse them or rewrite them as `?`), and after a refusal;
 * - `header-long`: header lines over 998 characters (RFC 5322 section 2.1.1) folded at white
 *   space, or encoded when there is none (Microsoft 365: `BAD Command Error. 10`).
 *
 * Repairs only run on a message the server refused, except `header-8bit` before the APPEND. They
 * are applied in one fixed order whatever path led to them, so the same list of repairs always
 * gives the same bytes.
 */
import { bodyChunks, type Body } from './body.js';
import {
  encode8bitHeaders,
  foldLongHeaderLines,
  has8bitHeader,
  hasInvalidHeaderLine,
  hasLongHeaderLine,
  headerSection,
  moveInvalidHeaderLines,
} from './header-repair.js';
import { messageIdentity, parseHeaderFields } from './identity.js';

/** What the plan says to do with each kind of problem (plan file `problems`). */
export interface RepairPolicy {
  bareLf: 'repair' | 'skip';
  nulBytes: 'repair' | 'skip';
  /** Header lines that are not fields, or longer than 998 characters: `repair` when absent. */
  headerLines?: 'repair' | 'skip';
  /**
   * Raw 8-bit bytes in header fields: `encode` (when absent) before sending them to a destination
   * without UTF8=ACCEPT, and after a refusal; `keep` sends them byte for byte, always.
   */
  eightBitHeaders?: 'encode' | 'keep';
}

/** One repair, by name. */
export type RepairKind = 'crlf' | 'nul' | 'header-line' | 'header-8bit' | 'header-long';

/** Each repair: whether a message needs it, what it does, and how the state and the summary say it. */
const REPAIRS: Record<RepairKind, { needed(raw: Buffer): boolean; apply(raw: Buffer): Buffer; how: string }> =
  {
    crlf: { needed: hasBareLf, apply: normalizeCrlf, how: 'line endings normalised to CRLF' },
    nul: { needed: (raw) => raw.includes(0), apply: stripNul, how: 'NUL bytes removed' },
    'header-line': {
      needed: hasInvalidHeaderLine,
      apply: moveInvalidHeaderLines,
      how: 'header lines without a field name moved into X-Mailshift-Repaired-Header',
    },
    'header-8bit': {
      needed: has8bitHeader,
      apply: encode8bitHeaders,
      how: '8-bit header text encoded as RFC 2047 encoded-words',
    },
    'header-long': {
      needed: hasLongHeaderLine,
      apply: foldLongHeaderLines,
      how: 'header lines over 998 characters folded',
    },
  };

/**
 * The order repairs run in: line endings first, so the others see CRLF; invalid lines moved into a
 * field before 8-bit text is encoded (the moved text may hold some); folding last, on the lines
 * as they end up.
 */
const ORDER: readonly RepairKind[] = ['crlf', 'nul', 'header-line', 'header-8bit', 'header-long'];

/** Repaired bytes and what was done, in words and by name. */
export interface Repaired {
  raw: Buffer;
  how: string;
  kinds: RepairKind[];
}

/** True when the bytes contain a LF not preceded by CR. */
export function hasBareLf(raw: Buffer): boolean {
  for (let i = raw.indexOf(0x0a); i !== -1; i = raw.indexOf(0x0a, i + 1)) {
    if (i === 0 || raw[i - 1] !== 0x0d) return true;
  }
  return false;
}

/** Rewrites every line ending as CRLF (RFC 5322 2.3), leaving existing CRLF alone. */
export function normalizeCrlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** Removes NUL bytes, which RFC 5322 forbids and many servers refuse. */
export function stripNul(raw: Buffer): Buffer {
  return Buffer.from(raw.filter((b) => b !== 0));
}

/** Applies the named repairs in their fixed order (what a message recorded as repaired got). */
export function applyRepairs(raw: Buffer, kinds: readonly RepairKind[]): Buffer {
  let out = raw;
  for (const k of ORDER) if (kinds.includes(k)) out = REPAIRS[k].apply(out);
  return out;
}

/** The repairs a state row's text names (a message repaired by this or an earlier mailshift). */
export function repairsNamed(text: string): RepairKind[] {
  return ORDER.filter((k) => text.includes(REPAIRS[k].how));
}

/** The repairs the policy allows for a refused message. */
function allowed(policy: RepairPolicy): RepairKind[] {
  const on: Record<RepairKind, boolean> = {
    crlf: policy.bareLf === 'repair',
    nul: policy.nulBytes === 'repair',
    'header-line': (policy.headerLines ?? 'repair') === 'repair',
    'header-8bit': (policy.eightBitHeaders ?? 'encode') === 'encode',
    'header-long': (policy.headerLines ?? 'repair') === 'repair',
  };
  return ORDER.filter((k) => on[k]);
}

/** Applies the allowed repairs a message needs, each tested on the bytes as the ones before left them. */
function repairWith(raw: Buffer, kinds: readonly RepairKind[]): Repaired | undefined {
  let out = raw;
  const done: RepairKind[] = [];
  for (const k of kinds) {
    if (!REPAIRS[k].needed(out)) continue;
    const next = REPAIRS[k].apply(out);
    if (next.equals(out)) continue;
    out = next;
    done.push(k);
  }
  return done.length > 0
    ? { raw: out, how: done.map((k) => REPAIRS[k].how).join(', '), kinds: done }
    : undefined;
}

/**
 * A refused message repaired by everything the policy allows that it needs, from its source bytes.
 * @param already the repairs it was sent with: undefined when the repair would change nothing more
 */
export function repairForRetry(
  raw: Buffer,
  policy: RepairPolicy,
  already: readonly RepairKind[] = [],
): Repaired | undefined {
  const fix = repairWith(raw, allowed(policy));
  if (!fix || fix.kinds.every((k) => already.includes(k))) return undefined;
  return fix;
}

/**
 * A message as it goes to a destination that does not announce UTF8=ACCEPT: 8-bit header text
 * encoded (RFC 2047) when the policy says so, before any server sees it.
 * @returns the repaired bytes, or undefined when it goes as it is
 */
export function repairBeforeAppend(
  raw: Body,
  policy: RepairPolicy,
  destination: { utf8Accept: boolean },
): Repaired | undefined {
  if (destination.utf8Accept || (policy.eightBitHeaders ?? 'encode') !== 'encode') return undefined;
  if (!headerHas8bit(raw)) return undefined;
  const whole = Buffer.isBuffer(raw) ? raw : Buffer.concat(raw);
  return repairWith(whole, ['header-8bit']);
}

/**
 * Whether a message's header section holds a byte of 0x80 or more, read from its pieces without
 * joining them: the check runs on every message sent to such a destination.
 */
export function headerHas8bit(raw: Body): boolean {
  let previous = -1;
  let beforePrevious = -1;
  for (const piece of bodyChunks(raw)) {
    // An indexed loop: a Buffer's iterator costs several times more per byte on this hot path.
    for (let i = 0; i < piece.length; i++) {
      const b = piece[i]!;
      if (b >= 0x80) return true;
      // The header ends at the first empty line: LF LF, or LF CR LF.
      if (b === 0x0a && (previous === 0x0a || (previous === 0x0d && beforePrevious === 0x0a))) return false;
      beforePrevious = previous;
      previous = b;
    }
  }
  return false;
}

/**
 * The identity a destination will see for a repaired copy (core/identity.ts): from its own header
 * fields and size, as the destination's scan reads them when a crash leaves the copy in doubt.
 */
export function repairedIdentity(raw: Buffer): string {
  return messageIdentity(parseHeaderFields(headerSection(raw)), raw.length);
}
