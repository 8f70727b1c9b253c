/**
 * Writes a file whole or not at all: into a temporary file beside it, fsynced, renamed over the
 * target, then the directory fsynced so the rename itself survives a power cut. A reader sees the
 * old file or the new one, never a file cut short (the rename is atomic on POSIX file systems, and
 * a crash before it leaves only a temporary file). npm's `write-file-atomic` does the same without
 * the directory fsync (its lib/index.js renames and returns), which is the step that makes the new
 * name durable (Linux fsync(2): "Calling fsync() does not necessarily ensure that the entry in the
 * directory containing the file has also reached disk").
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `data`, atomically and durably.
 * @param mode permission bits of the new file (default 0600: mailshift's files name people)
 * @throws the file system's error (ENOSPC, EACCES...); the target is then unchanged.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = dirname(path);
  // Same directory, so the rename never crosses a file system; a random part keeps two writers apart.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDirectory(dir);
}

/** fsyncs a directory, making a rename or a new name in it durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some file systems (and Windows) cannot fsync a directory; the rename still happened.
    if (!['EINVAL', 'ENOTSUP', 'EPERM', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? ''))
      throw err;
  } finally {
    closeSync(fd);
  }
}
