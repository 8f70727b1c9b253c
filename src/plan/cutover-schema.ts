/**
 * The plan sections of an unattended migration: the date window (`window`, globally and per
 * account), the schedule of delta passes up to the cutover (`schedule`) and who hears about it
 * (`notify`). Part of the plan schema (schema.ts); spans and instants are parsed by durations.ts.
 */
import * as z from 'zod';
import { parseAge, parseInstant, parseSpan } from './durations.js';

/** A span in words (`15m`, `1h30m`, `24h`) within bounds, kept as written. */
function span(minMs: number) {
  // A bare number (`every: 15`) is the likely mistake: say what is expected, not only "a string".
  const message = `a span such as 30s, 15m, 1h30m or 2d (at least ${minMs / 1000} s)`;
  return z.string({ error: message }).refine((s) => (parseSpan(s) ?? -1) >= minMs, { message });
}

const DATE_HELP = 'a date (2024-01-01) or a date-time with its zone (2024-01-01T08:00:00+01:00)';

/**
 * Only messages received in `[since, before)`: `since` a date or an age counted back from each pass
 * (`90d`, `12w`, `18mo`, `2y`); `before` a date. An account's window replaces the global one whole.
 */
export const WindowSchema = z
  .object({
    since: z
      .string()
      .refine((s) => parseAge(s) !== undefined || parseInstant(s) !== undefined, {
        message: `${DATE_HELP}, or an age such as 90d, 12w, 18mo or 2y`,
      })
      .optional(),
    before: z
      .string()
      .refine((s) => parseInstant(s) !== undefined, { message: DATE_HELP })
      .optional(),
  })
  .strict()
  .refine(
    (w) => {
      const since = w.since === undefined ? undefined : parseInstant(w.since);
      const before = w.before === undefined ? undefined : parseInstant(w.before);
      return !since || !before || since.getTime() < before.getTime();
    },
    { message: 'since must be earlier than before (the window would hold no mail)' },
  );

/** Delta passes until the cutover (`mailshift sync`). */
export const ScheduleSchema = z
  .object({
    /** Time from the start of one pass to the start of the next. */
    every: span(1000).default('15m'),
    /** After this instant one final pass runs and the sync stops (MX switched, old host read-only). */
    cutover: z
      .string()
      .refine((s) => /T/.test(s) && parseInstant(s) !== undefined, {
        message: 'a date-time with its zone, e.g. 2026-12-05T18:00:00+01:00',
      })
      .optional(),
    /** Start a pass early when the source announces new INBOX mail (IDLE, RFC 2177; NOTIFY, RFC 5465). */
    idle: z.boolean().default(true),
    /** Shortest time between the end of one pass and an early one started by new mail. */
    minGap: span(1000).default('1m'),
    /** Longest wait before an account that keeps failing is tried again. */
    maxBackoff: span(1000).default('6h'),
  })
  .strict();

/** Where a URL comes from: written (no secret in it), or an environment variable or a file. */
const WebhookSchema = z
  .object({
    url: z.string().url().optional(),
    urlEnv: z.string().min(1).optional(),
    urlFile: z.string().min(1).optional(),
    /** `json`: mailshift's own schema (README, "Notifications"); `slack`/`teams`: their incoming webhooks. */
    style: z.enum(['json', 'slack', 'teams']).default('json'),
  })
  .strict()
  .refine((w) => [w.url, w.urlEnv, w.urlFile].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of url, urlEnv, urlFile',
  })
  // Slack and Teams webhook URLs are themselves the credential: they stay out of the plan like
  // passwords do. A written URL must carry no user, password or query either.
  .refine((w) => w.url === undefined || w.style === 'json', {
    message: 'a Slack or Teams webhook URL is a secret: give it with urlEnv or urlFile',
  })
  .refine((w) => w.url === undefined || !/\/\/[^/]*@|\?/.test(w.url), {
    message: 'this URL carries credentials or a query: give it with urlEnv or urlFile',
  });

const SmtpSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    /** `tls` (465), `starttls` (587, required: never a fall back to plain text), `none` (a local relay). */
    security: z.enum(['tls', 'starttls', 'none']),
    tlsVerify: z.boolean().default(true),
    user: z.string().min(1).optional(),
    passwordEnv: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (s) =>
      s.user === undefined
        ? s.passwordEnv === undefined && s.passwordFile === undefined
        : [s.passwordEnv, s.passwordFile].filter((v) => v !== undefined).length === 1,
    { message: 'with user, give exactly one of passwordEnv, passwordFile; without user, neither' },
  );

const EmailSchema = z
  .object({
    smtp: SmtpSchema,
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
  })
  .strict();

/** What a notification is sent about. */
export const NOTICE_KINDS = ['pass-done', 'account-stopped', 'cutover-done', 'sync-stopped'] as const;

/** Who hears about the sync: webhooks and/or email. */
export const NotifySchema = z
  .object({
    webhooks: z.array(WebhookSchema).default([]),
    email: EmailSchema.optional(),
    on: z.array(z.enum(NOTICE_KINDS)).default([...NOTICE_KINDS]),
    /** A failure of the same kind (or a pass that changed nothing) is sent again only after this. */
    repeatAfter: span(60_000).default('24h'),
  })
  .strict();

export type ScheduleConfig = z.infer<typeof ScheduleSchema>;
export type NotifyConfig = z.infer<typeof NotifySchema>;
export type WebhookConfig = z.infer<typeof WebhookSchema>;
export type SmtpConfig = z.infer<typeof SmtpSchema>;
