/**
 * Reads a secret file without ever blocking the event loop on it: opened non-blocking (a FIFO
 * would wait for a writer forever), read only when it is a small regular file. Shared by the
 * plan's own secrets (passwords, token files) and the credentials layer (client secrets, admin
 * passwords, service account keys).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { MailshiftError } from '../core/errors.js';

/** Largest secret file: a password, a token or a service account key (about 2.4 KB) is far smaller. */
export const MAX_SECRET_BYTES = 64 * 1024;

function secretError(what: string, hint: string, cause?: unknown): MailshiftError {
  return new MailshiftError(what, { code: 'PLAN_SECRET', scope: 'account', hint, cause });
}

function describeKind(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Reads a secret file, less one trailing newline (what editors add).
 * @param forWhat what the secret is for, in messages ("for alice@acme.example")
 * @param field the plan field that names the file, for the hint
 * @throws MailshiftError PLAN_SECRET naming the file (never its content)
 */
export function readSecretFile(path: string, forWhat: string, field = 'passwordFile or tokenFile'): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw secretError(
      `secret file ${path} (${forWhat}) cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'check the path (relative paths start at the plan file) and its permissions',
      err,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw secretError(
        `secret file ${path} (${forWhat}) is ${describeKind(st)}, not a regular file`,
        `point ${field} at a file holding the secret`,
      );
    }
    if (st.size > MAX_SECRET_BYTES) {
      throw secretError(
        `secret file ${path} (${forWhat}) is ${st.size} bytes; a password, token or key file holds at most ${MAX_SECRET_BYTES / 1024} KB`,
        `check that ${field} names the right file`,
      );
    }
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    // One trailing newline is what editors add; the secret itself keeps its spaces.
    return buf
      .subarray(0, got)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  } finally {
    closeSync(fd);
  }
}
