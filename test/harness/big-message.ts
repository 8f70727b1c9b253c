/**
 * Large messages made at test time (never committed): a valid MIME message whose size is exactly
 * the number of bytes asked for, most of it one base64 attachment of pseudo-random bytes.
 */

const CRLF = '\r\n';

/** xorshift32 filling whole 32-bit words: fast enough for tens of megabytes, same seed same bytes. */
function randomBytes(n: number, seed: number): Buffer {
  const buf = Buffer.alloc(n);
  let x = seed >>> 0 || 0x9e3779b9;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, i);
  }
  for (; i < n; i++) buf[i] = (x >>> (8 * (i & 3))) & 0xff;
  return buf;
}

/** Size of `n` bytes once base64-encoded in 76-character lines, each ended by CRLF. */
function base64Size(n: number): number {
  const chars = Math.ceil(n / 3) * 4;
  return chars + 2 * Math.ceil(chars / 76);
}

function base64Lines(data: Buffer): Buffer {
  // 57 input bytes make exactly one 76-character line, so chunks of 57*k encode independently.
  const chunk = 57 * 1024;
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += chunk) {
    const b64 = data.subarray(off, off + chunk).toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
    parts.push(Buffer.from(lines.join(CRLF) + CRLF, 'ascii'));
  }
  return Buffer.concat(parts);
}

function frame(seed: number, pad: number): { head: string; tail: string } {
  const boundary = `----=_Big_${seed.toString(16).padStart(8, '0')}`;
  const head = [
    'From: "Archiwum ACME" <archiwum@acme.example>',
    'To: "Biuro ACME" <kontakt@acme.example>',
    `Subject: =?UTF-8?Q?Du=C5=BCy_za=C5=82=C4=85cznik_(seed_${seed})?=`,
    'Date: Mon, 03 Mar 2025 10:00:00 +0100',
    `Message-ID: <big-${seed}@acme.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    'Archive export attached.',
    // Fills the gap left by base64 rounding, so the total is exact.
    'x'.repeat(pad),
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="archiwum.bin"',
    'Content-Disposition: attachment; filename="archiwum.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join(CRLF);
  return { head, tail: `--${boundary}--${CRLF}` };
}

/**
 * Builds a MIME message of exactly `bytes` bytes (CRLF line endings): a short text part and a
 * base64 attachment of pseudo-random bytes that takes the rest.
 * @param bytes wanted total size; at least 1024.
 * @param seed same seed, same bytes (default 1).
 * @throws RangeError when `bytes` is below 1024 or not an integer.
 */
export function makeBigMessage(bytes: number, seed = 1): Buffer {
  if (!Number.isInteger(bytes) || bytes < 1024)
    throw new RangeError(`makeBigMessage: need an integer >= 1024, got ${bytes}`);
  const empty = frame(seed, 0);
  const overhead = empty.head.length + empty.tail.length;
  // Largest payload whose encoding fits, then pad the text part with the few bytes left over.
  let n = Math.floor(((bytes - overhead) * 57) / 78);
  while (n > 0 && overhead + base64Size(n) > bytes) n--;
  while (overhead + base64Size(n + 1) <= bytes) n++;
  const pad = bytes - overhead - base64Size(n);
  const { head, tail } = frame(seed, pad);
  const message = Buffer.concat([
    Buffer.from(head, 'ascii'),
    base64Lines(randomBytes(n, seed)),
    Buffer.from(tail, 'ascii'),
  ]);
  if (message.length !== bytes)
    throw new Error(`makeBigMessage: built ${message.length} bytes, wanted ${bytes}`);
  return message;
}
