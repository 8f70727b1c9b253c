/**
 * Sends notices to every channel (webhooks, email), holding back repeats: the same account failing
 * the same way on every pass is told once, and again only after `repeatAfter` or once it recovered.
 * A notifier never throws: a webhook that is down must not stop a migration; what failed comes
 * back in the result for the log.
 */
import { postWebhook, type WebhookTarget } from './webhook.js';
import { sendEmail, type EmailTarget } from './email.js';
import type { Notice, NoticeKind, Notification } from './notification.js';
import { scrubText, scrubValue } from './scrub.js';

/** Where sent notices are remembered (the state database's `notices` table in production). */
export interface NoticeMemory {
  lastSent(key: string): number | undefined;
  remember(key: string, at: number): void;
  forget(prefix: string): void;
}

/** A way to reach people. */
export interface Channel {
  /** For logs and results, never a URL or an address list with secrets. */
  name: string;
  send(n: Notification): Promise<void>;
}

/** A webhook as a channel. */
export function webhookChannel(target: WebhookTarget): Channel {
  return { name: target.name, send: (n) => postWebhook(target, n) };
}

/** An SMTP server as a channel. */
export function emailChannel(target: EmailTarget): Channel {
  return { name: `email via ${target.host}`, send: (n) => sendEmail(target, n) };
}

/** How one channel took a notification. */
export interface Delivery {
  channel: string;
  ok: boolean;
  error?: string;
}

/** What became of a notice. */
export interface SendResult {
  sent: boolean;
  /** Why nothing was sent: the plan does not ask for this kind, or it repeats one sent lately. */
  heldBack?: 'not-wanted' | 'repeat' | 'no-channel';
  deliveries: Delivery[];
}

/** What a notifier is made of. */
export interface NotifierOptions {
  channels: Channel[];
  /** The kinds the plan asks for (`notify.on`). */
  on: readonly NoticeKind[];
  repeatAfterMs: number;
  memory: NoticeMemory;
  /** Every secret mailshift knows of (passwords, tokens, hook URLs), read at each send. */
  secrets: () => readonly string[];
  now?: () => number;
}

/** Sends notices to the channels of a plan. */
export class Notifier {
  private readonly now: () => number;

  constructor(private readonly opts: NotifierOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Sends a notice to every channel unless held back; never throws. */
  async send(notice: Notice): Promise<SendResult> {
    const { notification: raw, dedupeKey } = notice;
    if (!this.opts.on.includes(raw.kind)) return { sent: false, heldBack: 'not-wanted', deliveries: [] };
    if (this.opts.channels.length === 0) return { sent: false, heldBack: 'no-channel', deliveries: [] };
    const now = this.now();
    if (dedupeKey !== undefined) {
      const last = this.opts.memory.lastSent(dedupeKey);
      if (last !== undefined && now - last < this.opts.repeatAfterMs)
        return { sent: false, heldBack: 'repeat', deliveries: [] };
    }
    const secrets = this.opts.secrets();
    const n = scrubValue(raw, secrets);
    const deliveries = await Promise.all(
      this.opts.channels.map(async (c): Promise<Delivery> => {
        try {
          await c.send(n);
          return { channel: c.name, ok: true };
        } catch (err) {
          return { channel: c.name, ok: false, error: scrubText((err as Error).message, secrets) };
        }
      }),
    );
    const sent = deliveries.some((d) => d.ok);
    // Remembered only once someone got it: a notice no channel took is tried again next time.
    if (sent && dedupeKey !== undefined) this.opts.memory.remember(dedupeKey, now);
    return { sent, deliveries };
  }

  /** Lets notices whose key starts with `prefix` be sent again (their condition has ended). */
  forget(prefix: string): void {
    this.opts.memory.forget(prefix);
  }
}
