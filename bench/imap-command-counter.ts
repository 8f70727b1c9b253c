/**
 * Counts the commands in a client's IMAP byte stream (RFC 3501 section 2.2): a command starts
 * with a tag and a name on a fresh line; a line ending in a literal announcement `{n}` or `{n+}`
 * is followed by n raw bytes and then the same command continues. MULTIAPPEND is therefore one
 * command however many messages it carries. SASL continuation lines and IDLE's DONE have no
 * space-separated name and are not counted.
 */

const HEAD_BYTES = 200;
const TAIL_BYTES = 32;
const COMMAND = /^(\S+) ([A-Za-z]+)(?: ([A-Za-z]+))?/;
const LITERAL_AT_END = /\{(\d+)\+?\}\r?\n$/;

/** Feed it the client->server bytes in order; it calls `onCommand` with each command's name. */
export class ImapCommandCounter {
  private literalLeft = 0;
  private head = '';
  private tail: Buffer = Buffer.alloc(0);
  private continuing = false;

  constructor(private readonly onCommand: (name: string) => void) {}

  /** Consumes the next chunk of the client's stream. */
  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, chunk.length - off);
        this.literalLeft -= take;
        off += take;
        continue;
      }
      const nl = chunk.indexOf(10, off);
      const end = nl < 0 ? chunk.length : nl + 1;
      this.keep(chunk.subarray(off, end));
      off = end;
      if (nl >= 0) this.endLine();
    }
  }

  private keep(part: Buffer): void {
    if (this.head.length < HEAD_BYTES)
      this.head += part.subarray(0, HEAD_BYTES - this.head.length).toString('latin1');
    this.tail =
      part.length >= TAIL_BYTES ? part.subarray(part.length - TAIL_BYTES) : Buffer.concat([this.tail, part]);
    if (this.tail.length > TAIL_BYTES) this.tail = this.tail.subarray(this.tail.length - TAIL_BYTES);
  }

  private endLine(): void {
    if (!this.continuing) {
      const m = COMMAND.exec(this.head);
      if (m) {
        const name = (m[2] as string).toUpperCase();
        this.onCommand(name === 'UID' && m[3] ? `UID ${m[3].toUpperCase()}` : name);
      }
    }
    const literal = LITERAL_AT_END.exec(this.tail.toString('latin1'));
    this.literalLeft = literal ? Number(literal[1]) : 0;
    this.continuing = literal !== null;
    this.head = '';
    this.tail = Buffer.alloc(0);
  }
}
