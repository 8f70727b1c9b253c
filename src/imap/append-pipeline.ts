/**
 * The fast write path: mailshift's own minimal IMAP client, used only to APPEND to the destination.
 *
 * Why it exists: imapflow keeps one command in flight per connection, so every APPEND costs a full
 * round trip and one server transaction, and the destination's commit per APPEND command dominates
 * the cost of a copy (measured on the project's machine, README "Speed": one APPEND at a time is
 * several times slower than pipelined APPENDs, which are slower than MULTIAPPEND of a batch). So this
 * module sends, in order of preference and as the server advertises:
 *  - `multiappend`: one APPEND command for the whole batch (RFC 3502);
 *  - `pipelined`: one APPEND per message, all written before any reply is read, with
 *    non-synchronizing literals (LITERAL+, or LITERAL- up to 4096 bytes; RFC 7888);
 *  - `sync`: one APPEND at a time with synchronizing literals, waiting for each `+` and each reply.
 *
 * Together with fetch-pipeline.ts (the read side), imap-connection.ts, imap-response-parser.ts and
 * imap-syntax.ts it is the only place in mailshift with its own IMAP protocol code; everything else
 * goes through imapflow. Its failures are StoreErrors (store-errors.ts).
 */
import { StoreError, type StoreErrorKind } from '../core/errors.js';
import { appendLimitBytes, canMultiappend, nonSyncLiterals } from '../core/capabilities.js';
import { bodyLength, type Body } from '../core/body.js';
import { ImapConnection, type ConnectOptions } from './imap-connection.js';
import { isAppendThrottling, suggestedBackoff } from './store-errors.js';
import { parseUidSet, type TaggedResponse } from './imap-response-parser.js';
import { checkFlags, formatInternalDate, mailboxArgument, type CommandPart } from './imap-syntax.js';
import type { AppendBatchResult, AppendItem, AppendOutcome } from '../core/ports.js';

export type { ConnectOptions } from './imap-connection.js';

/** How a batch goes on the wire; see the module comment. */
export type AppendMode = 'multiappend' | 'pipelined' | 'sync';

/** Connection options plus the write mode: `auto` (default) takes the fastest the server advertises. */
export interface AppendPipelineOptions extends ConnectOptions {
  mode?: 'auto' | AppendMode;
}

/**
 * Response codes that refuse the mailbox or the account, not one message: never retried one by one.
 * `[LIMIT]` is deliberately absent: Dovecot answers `NO [LIMIT] Mail size is larger than the maximum
 * size allowed` for one message over quota_max_mail_size (RFC 5530 names message size as a LIMIT),
 * so a MULTIAPPEND refused with it is retried one by one and the culprit gets `code: 'LIMIT'`.
 * TRYCREATE (RFC 3501 section 6.3.11) is a refusal of this folder: the caller creates it.
 */
const FATAL_CODES: Record<string, StoreErrorKind> = {
  TRYCREATE: 'refused',
  OVERQUOTA: 'overquota',
  THROTTLED: 'throttled',
  UNAVAILABLE: 'throttled',
};

/** A message ready to go: its index in the batch, the flags and date before its literal, its bytes. */
type Prepared = { index: number; head: string; raw: Body };

/** The state of one appendBatch call. */
class BatchState {
  readonly outcomes: Array<AppendOutcome | undefined>;
  uidValidity?: number;
  commands = 0;
  /**
   * Set when the server answered BAD to a command whose literal went without waiting for `+`: it
   * may have read the message's bytes as commands, so what the connection says next is not trusted.
   */
  desynced = false;

  constructor(size: number) {
    this.outcomes = new Array<AppendOutcome | undefined>(size).fill(undefined);
  }

  /**
   * Records a single message's tagged reply. A BAD to one message's APPEND (the flags, date and
   * mailbox were checked before sending) is the server refusing that message: Microsoft 365 answers
   * `BAD Command Argument Error. 11` to a malformed header and `BAD Command Error. 10` to an
   * over-long line. It is the message's outcome (`code: 'BAD'`), repaired and sent again where the
   * plan allows, not a failure of the connection.
   */
  settle(index: number, r: TaggedResponse): void {
    if (r.status !== 'OK') {
      const code = r.code?.name ?? (r.status === 'BAD' ? 'BAD' : undefined);
      this.outcomes[index] = { ok: false, text: r.text, ...(code ? { code } : {}) };
      return;
    }
    const [uid] = this.appendUids(r, 1) ?? [];
    this.outcomes[index] = uid === undefined ? { ok: true } : { ok: true, uid };
  }

  /** Reads `[APPENDUID uidvalidity uid-set]` (RFC 4315) when it lists exactly `count` UIDs of this batch's mailbox. */
  appendUids(r: TaggedResponse, count: number): number[] | undefined {
    if (r.code?.name !== 'APPENDUID') return undefined;
    const m = /^(\d+) (\S+)$/.exec(r.code.args);
    if (!m) return undefined;
    const validity = Number(m[1]);
    this.uidValidity ??= validity;
    // A different UIDVALIDITY means the mailbox was recreated mid-batch: its UIDs would mislead.
    if (validity !== this.uidValidity) return undefined;
    const uids = parseUidSet(m[2] ?? '', count);
    return uids?.length === count ? uids : undefined;
  }

  /** Items sent without a confirmed outcome. */
  unsettled(sent: readonly Prepared[]): number {
    return sent.filter((p) => this.outcomes[p.index] === undefined).length;
  }

  result(): AppendBatchResult {
    const outcomes = this.outcomes.map((o) => o ?? { ok: false as const, text: 'no outcome recorded' });
    return {
      ...(this.uidValidity === undefined ? {} : { uidValidity: this.uidValidity }),
      outcomes,
      commands: this.commands,
    };
  }
}

/**
 * An authenticated connection to the destination that appends batches of messages with as few
 * round trips and server transactions as the server allows. Calls queue: a batch starts when the
 * one before it has been answered, or, once this connection has taken a MULTIAPPEND, as soon as
 * the one before it is written (see {@link AppendPipeline.appendBatch}).
 */
export class AppendPipeline {
  /** Settles when the next batch may start: the last one written ahead of its reply, or settled. */
  private gate: Promise<unknown> = Promise.resolve();
  /** Settles when every batch queued so far has settled. */
  private queue: Promise<unknown> = Promise.resolve();
  /** This connection answered OK to a MULTIAPPEND: the server takes it (set per connection). */
  private proven = false;
  /** Set after a BAD to a command with non-synchronizing literals: the next batch starts on a new connection. */
  private reopen = false;

  private constructor(
    private conn: ImapConnection,
    private readonly opts: AppendPipelineOptions,
    /** The mode in use (never `auto`); `multiappend` gives way to one message per command when the server refuses it. */
    private current: AppendMode,
  ) {}

  /** How batches go on the wire now: `multiappend`, `pipelined` or `sync`. */
  get mode(): AppendMode {
    return this.current;
  }

  /**
   * Connects, secures, logs in and picks the mode.
   * @throws StoreError `connection`, `tls`, `auth`; `protocol` when the requested mode is not advertised
   *   (`multiappend` needs MULTIAPPEND, `pipelined` needs LITERAL+ or LITERAL-).
   */
  static async connect(opts: AppendPipelineOptions): Promise<AppendPipeline> {
    const conn = await ImapConnection.open(opts);
    const caps = conn.capabilities;
    const canMulti = canMultiappend(caps);
    const canPipeline = nonSyncLiterals(caps) !== 'none';
    const wanted = opts.mode ?? 'auto';
    const mode: AppendMode =
      wanted === 'auto' ? (canMulti ? 'multiappend' : canPipeline ? 'pipelined' : 'sync') : wanted;
    const missing =
      mode === 'multiappend' && !canMulti
        ? 'MULTIAPPEND'
        : mode === 'pipelined' && !canPipeline
          ? 'LITERAL+ or LITERAL-'
          : undefined;
    if (missing) {
      await conn.close();
      throw new StoreError(`${conn.address} does not advertise ${missing}, needed for mode "${mode}"`, {
        kind: 'protocol',
      });
    }
    // The last resort is also the most literal reading of RFC 3501: wait for every `+`.
    if (mode === 'sync') conn.nonSyncAllowed = false;
    return new AppendPipeline(conn, opts, mode);
  }

  /** The server's post-login capabilities, upper-cased. */
  get capabilities(): ReadonlySet<string> {
    return this.conn.capabilities;
  }

  /**
   * Appends `items` to `mailbox` (decoded name, with the server's delimiter, e.g. `Faktury/2024`).
   * A refused MULTIAPPEND is retried one message per command, so one bad message is named with the
   * server's text and the others arrive. Cap a batch by count (20-100) and bytes: it is held in memory
   * and, as a MULTIAPPEND, is one server transaction.
   * @returns one outcome per item, in order, and the UIDs assigned under UIDPLUS.
   * A BAD to a MULTIAPPEND sends the batch again one message per command on a new connection (the
   * server may have read the other messages' bytes as commands); a BAD to one message's APPEND is
   * that message's outcome (`code: 'BAD'`), and after one sent with a non-synchronizing literal
   * the next batch starts on a new connection.
   * @throws StoreError `refused` with responseCode TRYCREATE (mailbox missing), `overquota`,
   *   `throttled` (with the response code), `protocol` (a reply this client cannot follow: the
   *   connection is closed), or `connection` (socket lost, timeout, BYE: `inDoubt` when messages
   *   were sent unanswered). `outcomes` on the error lists what the server confirmed before it.
   */
  appendBatch(mailbox: string, items: readonly AppendItem[]): Promise<AppendBatchResult> {
    let written!: () => void;
    const ahead = new Promise<void>((resolve) => {
      written = resolve;
    });
    const run = this.gate.then(() => this.run(mailbox, items, written));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    // The next batch's MULTIAPPEND may follow this one's on the wire before its reply: the server
    // answers them in order, and the round trip between two batches is hidden (RFC 9051 section
    // 5.5 allows pipelining commands that do not depend on each other's results; two APPENDs do not).
    this.gate = Promise.race([ahead, settled]);
    this.queue = Promise.all([this.queue, settled]);
    return run;
  }

  /** Logs out and closes the connection after the queued batches. Never throws. */
  async close(): Promise<void> {
    await this.queue;
    await this.conn.close();
  }

  private async run(
    mailbox: string,
    items: readonly AppendItem[],
    written: () => void,
  ): Promise<AppendBatchResult> {
    if (this.reopen) await this.reconnect(mailbox);
    const broken = this.conn.error;
    if (broken) {
      throw broken.withMessage(`cannot append to "${mailbox}": ${broken.message}`);
    }
    const state = new BatchState(items.length);
    const ready: Prepared[] = [];
    for (const [index, item] of items.entries()) {
      const p = this.prepare(index, item);
      if ('outcome' in p) state.outcomes[index] = p.outcome;
      else ready.push(p);
    }
    if (ready.length === 0) return state.result();
    const box = mailboxArgument(mailbox);
    if (this.current === 'multiappend' && ready.length > 1) {
      const done = await this.multiappend(mailbox, box, ready, state, written);
      if (done === true) return state.result();
      if (done === 'bad') {
        // Nothing was stored (a BAD command is not run) and the connection may have read the
        // other messages as commands: the batch goes again on a new one, one message per command.
        await this.reconnect(mailbox);
        await this.oneByOne(mailbox, box, ready, state);
        // Every message accepted alone: the BAD was about MULTIAPPEND itself (a server announcing
        // it without taking it), so the next batches do not ask again.
        if (ready.every((p) => state.outcomes[p.index]?.ok)) {
          this.current = this.conn.nonSyncLiteral(0) ? 'pipelined' : 'sync';
        }
        return state.result();
      }
    }
    await this.oneByOne(mailbox, box, ready, state);
    return state.result();
  }

  /** One APPEND per message: pipelined where literals need no `+`, else one at a time. */
  private async oneByOne(mailbox: string, box: CommandPart[], ready: Prepared[], state: BatchState) {
    if (this.current === 'sync' || !this.conn.nonSyncLiteral(0))
      await this.oneAtATime(mailbox, box, ready, state);
    else await this.pipelined(mailbox, box, ready, state);
    // A BAD to a pipelined APPEND leaves the connection unsure of where the server is reading.
    if (state.desynced) this.reopen = true;
  }

  /** Drops the connection and logs in again with the same options. */
  private async reconnect(mailbox: string): Promise<void> {
    this.reopen = false;
    this.proven = false;
    this.conn.destroy();
    try {
      this.conn = await ImapConnection.open(this.opts);
    } catch (e) {
      const cause = e instanceof StoreError ? e : undefined;
      throw new StoreError(
        `cannot append to "${mailbox}": connecting again after a BAD failed: ${cause?.message ?? String(e)}`,
        { kind: cause?.kind ?? 'connection', responseCode: cause?.responseCode, cause: e },
      );
    }
    if (this.current === 'sync') this.conn.nonSyncAllowed = false;
  }

  private prepare(index: number, item: AppendItem): Prepared | { outcome: AppendOutcome } {
    const flags = checkFlags(item.flags);
    if (!flags.ok) return { outcome: { ok: false, code: 'CLIENTBUG', text: `not sent: ${flags.text}` } };
    const date = formatInternalDate(item.internalDate);
    if (date === undefined) {
      return {
        outcome: {
          ok: false,
          code: 'CLIENTBUG',
          text: `not sent: invalid internal date ${String(item.internalDate)}`,
        },
      };
    }
    // APPENDLIMIT=n (RFC 7889): the server would refuse it anyway; spare the bytes and the command.
    const limit = this.appendLimit();
    const size = bodyLength(item.raw);
    if (limit !== undefined && size > limit) {
      return {
        outcome: {
          ok: false,
          code: 'TOOBIG',
          text: `not sent: ${size} bytes exceed APPENDLIMIT=${limit}`,
        },
      };
    }
    return { index, head: `${flags.list}${date} `, raw: item.raw };
  }

  private appendLimit(): number | undefined {
    return appendLimitBytes(this.conn.capabilities);
  }

  /**
   * One MULTIAPPEND for all of `ready`.
   * @returns true when done; false when the server refused it (NO) for a reason worth a retry one
   *   by one; `bad` when it answered BAD (the connection must be opened again first).
   */
  private async multiappend(
    mailbox: string,
    box: CommandPart[],
    ready: Prepared[],
    state: BatchState,
    written: () => void,
  ): Promise<boolean | 'bad'> {
    const parts: CommandPart[] = ['APPEND ', ...box];
    for (const p of ready) parts.push(` ${p.head}`, { literal: p.raw });
    state.commands++;
    const conn = this.conn;
    const reply = conn.command(parts);
    // Only behind a command the server cannot stop halfway: every literal goes without waiting for
    // `+`, and this server has taken a MULTIAPPEND before, so a BAD (which would leave the next
    // batch's fate unknown: it then fails in doubt, resolved on the retry) is not expected.
    if (this.proven && ready.every((p) => conn.nonSyncLiteral(bodyLength(p.raw)))) written();
    let r: TaggedResponse;
    try {
      r = await reply;
    } catch (e) {
      throw this.lost(e, mailbox, ready, state);
    }
    if (r.status === 'OK') {
      if (conn === this.conn) this.proven = true;
      const uids = state.appendUids(r, ready.length);
      for (const [i, p] of ready.entries()) {
        const uid = uids?.[i];
        state.outcomes[p.index] = uid === undefined ? { ok: true } : { ok: true, uid };
      }
      return true;
    }
    if (isAppendThrottling(r.code?.name, r.text)) throw this.refused('throttled', r, mailbox, state);
    if (r.status === 'BAD') return 'bad';
    const fatal = r.code && FATAL_CODES[r.code.name];
    if (fatal) {
      for (const p of ready) state.settle(p.index, r);
      throw this.refused(fatal, r, mailbox, state);
    }
    // All or nothing (RFC 3502): nothing was stored; find the culprit one message at a time.
    return false;
  }

  private async pipelined(
    mailbox: string,
    box: CommandPart[],
    ready: Prepared[],
    state: BatchState,
  ): Promise<void> {
    const replies = this.conn.send(ready.map((p) => ['APPEND ', ...box, ` ${p.head}`, { literal: p.raw }]));
    state.commands += ready.length;
    const settled = await Promise.allSettled(replies);
    let lost: unknown;
    const answered: TaggedResponse[] = [];
    for (const [i, s] of settled.entries()) {
      const p = ready[i] as Prepared;
      if (s.status === 'fulfilled') {
        state.settle(p.index, s.value);
        answered.push(s.value);
      } else lost ??= s.reason;
    }
    if (answered.some((r) => r.status === 'BAD')) state.desynced = true;
    if (lost !== undefined) throw this.lost(lost, mailbox, ready, state);
    this.checkReplies(answered, mailbox, state);
  }

  private async oneAtATime(
    mailbox: string,
    box: CommandPart[],
    ready: Prepared[],
    state: BatchState,
  ): Promise<void> {
    for (const p of ready) {
      state.commands++;
      let r: TaggedResponse;
      try {
        r = await this.conn.command(['APPEND ', ...box, ` ${p.head}`, { literal: p.raw }]);
      } catch (e) {
        // The ones after it were never sent: only this one is in doubt.
        throw this.lost(e, mailbox, [p], state);
      }
      state.settle(p.index, r);
      this.checkReplies([r], mailbox, state);
    }
  }

  /**
   * Turns the first mailbox- or account-wide NO among single-message replies into an error. A BAD
   * to one message's APPEND is that message's refusal (BatchState.settle).
   */
  private checkReplies(replies: TaggedResponse[], mailbox: string, state: BatchState): void {
    // Microsoft 365 throttles with a bare "NO (or BAD) Request is throttled. Suggested Backoff Time:
    // N milliseconds" (imapsync issue 198): a wait for the whole account, never one message's refusal.
    const throttled = replies.find((r) => r.status !== 'OK' && isAppendThrottling(r.code?.name, r.text));
    if (throttled) throw this.refused('throttled', throttled, mailbox, state);
    for (const r of replies) {
      const fatal = r.status === 'NO' && r.code ? FATAL_CODES[r.code.name] : undefined;
      if (fatal) throw this.refused(fatal, r, mailbox, state);
    }
  }

  private refused(kind: StoreErrorKind, r: TaggedResponse, mailbox: string, state: BatchState): StoreError {
    return new StoreError(
      `${this.conn.address} refused APPEND to "${mailbox}": ${r.code ? `[${r.code.name}] ` : ''}${r.text}`,
      {
        kind,
        responseCode: r.code?.name,
        serverText: r.text,
        ...(kind === 'throttled' ? { waitMs: suggestedBackoff(r.text) } : {}),
        outcomes: [...state.outcomes],
      },
    );
  }

  /** The connection ended while `sent` messages awaited replies: those without an outcome are in doubt. */
  private lost(e: unknown, mailbox: string, sent: readonly Prepared[], state: BatchState): StoreError {
    const cause = e instanceof StoreError ? e : undefined;
    const inDoubt = state.unsettled(sent);
    return new StoreError(
      `appending to "${mailbox}" stopped: ${cause?.message ?? String(e)}; ${inDoubt} message(s) in doubt`,
      {
        // After a BAD the server may answer message lines read as commands: what follows is the
        // connection's loss, to retry on a new one, not a server this client cannot follow.
        kind: state.desynced && cause?.kind === 'protocol' ? 'connection' : (cause?.kind ?? 'connection'),
        responseCode: cause?.responseCode,
        serverText: cause?.serverText,
        waitMs: cause?.waitMs,
        inDoubt: inDoubt > 0,
        outcomes: [...state.outcomes],
        cause: e,
      },
    );
  }
}
