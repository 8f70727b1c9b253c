/**
 * Notifications as an HTTP POST of JSON: mailshift's own schema (`json`), or the body an incoming
 * webhook of Slack (`{ "text": ... }`, https://api.slack.com/messaging/webhooks) or of Microsoft
 * Teams (a message with one Adaptive Card, as Teams' "post to a channel when a webhook request is
 * received" workflow takes it) expects. The URL is never written in an error: for Slack and Teams
 * the URL is the credential.
 */
import type { Notification } from './notification.js';

/** The body layouts a webhook can take. */
export type WebhookStyle = 'json' | 'slack' | 'teams';

/** Slack's text markup reserves these three (https://api.slack.com/reference/surfaces/formatting). */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The JSON body of a notification in a webhook style. */
export function webhookBody(style: WebhookStyle, n: Notification): unknown {
  if (style === 'json') return n;
  if (style === 'slack') return { text: `*${slackEscape(n.title)}*\n${slackEscape(n.text)}` };
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: n.title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: n.text, wrap: true },
          ],
        },
      },
    ],
  };
}

/** A webhook to post to. */
export interface WebhookTarget {
  /** How the target is named in logs and errors (never the URL). */
  name: string;
  url: string;
  style: WebhookStyle;
}

/**
 * POSTs the notification; resolves when the receiver answered 2xx.
 * @throws Error naming the target (not its URL) and the HTTP status, or the network failure
 */
export async function postWebhook(target: WebhookTarget, n: Notification, timeoutMs = 10_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'mailshift' },
      body: JSON.stringify(webhookBody(target.style, n)),
      // A redirect would send the body somewhere the plan does not name.
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new Error(`${target.name}: the webhook could not be reached (${cause})`);
  }
  // Drain the body so the connection is released; its content is not ours to log.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`${target.name}: the webhook answered HTTP ${res.status}`);
}
