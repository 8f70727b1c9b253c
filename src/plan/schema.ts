/**
 * The plan file's schema (version 1). A plan names the migration, the two servers and the
 * accounts; secrets are referenced (environment variable, file, command), never written in it
 * unless `options.allowPlaintextPasswords` says so.
 */
import { z } from 'zod';
import { regexSyntaxError } from './guarded-regexp.js';
import { NotifySchema, ScheduleSchema, WindowSchema } from './cutover-schema.js';

export const PLAN_VERSION = 1;

const Security = z.enum(['tls', 'starttls', 'none']);

export const ServerSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    security: Security,
    /** Verify the server's TLS certificate (default true); turn off only for a known self-signed host. */
    tlsVerify: z.boolean().default(true),
    /** TLS server name when it differs from host. */
    servername: z.string().optional(),
    /** Connections one account may hold on this server at once (providers cap them per user; Dovecot: 10). */
    maxConnections: z.number().int().min(2).max(200).default(10),
    /** Connections mailshift may hold on this server at once over all accounts (per-IP caps). */
    maxConnectionsTotal: z.number().int().min(2).max(1000).default(40),
    /** Milliseconds a command may stay unanswered before the connection is treated as lost. */
    timeoutMs: z.number().int().min(1000).default(120_000),
  })
  .strict();

const Credential = z
  .object({
    user: z.string().min(1),
    passwordEnv: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    password: z.string().optional(),
    /** XOAUTH2: a file holding the access token, read again on every (re)connect. */
    tokenFile: z.string().min(1).optional(),
    /** XOAUTH2: a command printing the access token, run again on every (re)connect. */
    tokenCommand: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (c) =>
      [c.passwordEnv, c.passwordFile, c.password, c.tokenFile, c.tokenCommand].filter((v) => v !== undefined)
        .length === 1,
    { message: 'give exactly one of passwordEnv, passwordFile, tokenFile, tokenCommand (or password)' },
  );

export const MappingRulesSchema = z
  .object({
    map: z.record(z.string(), z.string()).optional(),
    rename: z
      .array(
        z
          .object({
            // Checked here so that a bad pattern stops `plan` and `run` before any connection.
            from: z.string().superRefine((pattern, ctx) => {
              const syntax = regexSyntaxError(pattern);
              if (syntax)
                ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${syntax}` });
            }),
            to: z.string(),
          })
          .strict(),
      )
      .optional(),
    exclude: z.array(z.string()).optional(),
    include: z.array(z.string()).optional(),
    under: z.string().min(1).optional(),
  })
  .strict();

const AccountSchema = z
  .object({
    source: Credential,
    destination: Credential,
    folders: MappingRulesSchema.optional(),
    /** This account's date window; replaces the plan's whole (`window: {}` copies all its mail). */
    window: WindowSchema.optional(),
  })
  .strict();

const RetrySchema = z
  .object({
    /** Retries of one unit (an account's setup, a folder) before the account stops. */
    attempts: z.number().int().min(0).max(100).default(5),
    baseDelayMs: z.number().int().min(1).default(1000),
    maxDelayMs: z.number().int().min(1).default(60_000),
  })
  .strict();

const LimitsSchema = z
  .object({
    accountsInParallel: z.number().int().min(1).max(64).default(6),
    /** Connection pairs (one source, one destination) per account. */
    connectionsPerAccount: z.number().int().min(1).max(16).default(2),
    /**
     * Bytes of message bodies held in memory at once, over the whole run. 24 MiB keeps a run under
     * 150 MB; more buys speed at high latency (README, "Speed").
     */
    bytesInFlight: z
      .number()
      .int()
      .min(1_000_000)
      .default(24 * 1024 * 1024),
    /** Messages larger than this are skipped and named in the summary. */
    maxMessageSize: z.number().int().min(1).optional(),
    /** Messages per APPEND batch (one MULTIAPPEND command, one checkpoint transaction). */
    batchMessages: z.number().int().min(1).max(1000).default(50),
    /** Bytes per APPEND batch; small enough that every connection pair keeps batches in flight within bytesInFlight. */
    batchBytes: z
      .number()
      .int()
      .min(1024)
      .default(2 * 1024 * 1024),
    /** Optional caps per account for providers that throttle: messages and bytes appended per second. */
    maxMessagesPerSecond: z.number().positive().optional(),
    maxBytesPerSecond: z.number().int().positive().optional(),
    /** Reconnects after a lost, stalled or throttled connection: exponential backoff with full jitter. */
    retry: RetrySchema.default(RetrySchema.parse({})),
  })
  .strict();

const AddressSchema = z
  .object({
    address: z.string().min(3),
    kind: z.enum(['mailbox', 'alias', 'forward']).default('mailbox'),
    /** Where mail to this address goes on the new host: a destination user or external address. */
    target: z.string().min(1).optional(),
  })
  .strict();

const ProblemsSchema = z
  .object({
    /** What to do with a message the destination rejects, by kind: skip it, or repair and retry. */
    bareLf: z.enum(['repair', 'skip']).default('repair'),
    nulBytes: z.enum(['repair', 'skip']).default('repair'),
    /** Header lines that are not fields, or over 998 characters (RFC 5322 2.1.1): moved or folded, or skip. */
    headerLines: z.enum(['repair', 'skip']).default('repair'),
    /** Raw 8-bit bytes in header fields: RFC 2047-encoded for a destination without UTF8=ACCEPT, or kept. */
    eightBitHeaders: z.enum(['encode', 'keep']).default('encode'),
    oversize: z.enum(['skip']).default('skip'),
  })
  .strict();

export const PlanSchema = z
  .object({
    version: z.literal(PLAN_VERSION),
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        'letters, digits, dot, dash and underscore (it names the state folder)',
      ),
    source: ServerSchema,
    destination: ServerSchema,
    accounts: z.array(AccountSchema).default([]),
    /** A CSV file (relative to the plan) with more accounts; see README for its columns. */
    accountsFile: z.string().optional(),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    folders: MappingRulesSchema.optional(),
    addresses: z.array(AddressSchema).optional(),
    problems: ProblemsSchema.default(ProblemsSchema.parse({})),
    /** Only mail received in this window, for every account without its own (cutover-schema.ts). */
    window: WindowSchema.optional(),
    /** Delta passes until the cutover, for `mailshift sync`. */
    schedule: ScheduleSchema.optional(),
    /** Webhooks and email about passes, stopped accounts and the cutover. */
    notify: NotifySchema.optional(),
    options: z
      .object({
        /** Bring flag changes made on the source since the last run to the destination copies. */
        syncFlags: z.boolean().default(true),
        allowPlaintextPasswords: z.boolean().default(false),
        /** Copy the newest mail first, so users see this month's mail on the new host within minutes. */
        newestFirst: z.boolean().default(true),
        /**
         * A source folder created after `mailshift plan`: `copy` maps it by the plan's rules and copies
         * it (saying so); `review` leaves it out, names it, and the run is not complete until the plan
         * is made again.
         */
        newFolders: z.enum(['copy', 'review']).default('copy'),
      })
      .strict()
      .default({ syncFlags: true, allowPlaintextPasswords: false, newestFirst: true, newFolders: 'copy' }),
    report: z
      .object({
        lang: z.enum(['pl', 'en']).default('en'),
        client: z.string().optional(),
        /** Messages per second assumed for the time estimate before any run has measured one. */
        throughput: z.number().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type PlanFile = z.infer<typeof PlanSchema>;
export type ServerConfig = z.infer<typeof ServerSchema>;
export type CredentialRef = z.infer<typeof Credential>;
export type PlanLimits = z.infer<typeof LimitsSchema>;
