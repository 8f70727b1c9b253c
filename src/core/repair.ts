/**
 * Repairs for messages a destination refuses, chosen per kind by the plan's `problems` policy.
 * A repaired message is recorded as repaired (state, summary, verify); a message the policy says
 * to skip is failed with the server's reason. Repairs never touch a message the server accepted.
 */

export interface RepairPolicy {
  bareLf: 'repair' | 'skip';
  nulBytes: 'repair' | 'skip';
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

/**
 * The repaired bytes and a description, or undefined when nothing the policy allows would change them.
 */
export function repairForRetry(raw: Buffer, policy: RepairPolicy): { raw: Buffer; how: string } | undefined {
  let out = raw;
  const how: string[] = [];
  if (policy.bareLf === 'repair' && hasBareLf(out)) {
    out = normalizeCrlf(out);
    how.push('line endings normalised to CRLF');
  }
  if (policy.nulBytes === 'repair' && out.includes(0)) {
    out = stripNul(out);
    how.push('NUL bytes removed');
  }
  return how.length > 0 ? { raw: out, how: how.join(', ') } : undefined;
}
