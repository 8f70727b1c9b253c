/**
 * The plan file's schema (version 1). A plan names the migration, the two servers and the
 * accounts; secrets are referenced (environment variable, file, command), never written in it
 * unless `options.allowPlaintextPasswords` says so.
 */
import * as z from 'zod';
import { PROVIDER_PRESETS } from '../core/providers.js';
import { regexSyntaxError } from './guarded-regexp.js';
import { NotifySchema, ScheduleSchema, WindowSchema } from './cutover-schema.js';

export const PLAN_VERSION = 1;

const Security = z.enum(['tls', 'starttls', 'none']);

/** A field that would hold a secret in clear: refused with where the secret should come from. */
function neverInPlan(instead: string) {
  return z.never({ message: `secrets are never written in the plan: use ${instead}` }).optional();
}

const ServerFields = z
  .object({
    /**
     * The provider behind this server: fills host, port and security with its IMAP server
     * (core/providers.ts), and its preset (plan/provider-presets.ts) the limits it documents where
     * the plan gives none, and switches on its folder rules.
     */
    provider: z.enum(['google', 'microsoft365', 'generic']).optional(),
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
    /** The OAuth2 profile (a name under the plan's `oauth2:`) of accounts that give no secret of their own. */
    oauth2: z.string().min(1).optional(),
    /** An admin who logs in on behalf of accounts that give no secret of their own (master user). */
    adminUser: z.string().min(1).optional(),
    adminPasswordEnv: z.string().min(1).optional(),
    adminPasswordFile: z.string().min(1).optional(),
    adminPassword: neverInPlan('adminPasswordEnv or adminPasswordFile'),
    /**
     * `authzid`: SASL PLAIN, authenticating as the admin with the mailbox as authorization identity
     * (RFC 4616; Dovecot master users, Cyrus admins). `separator`: log in as `<mailbox><adminSeparator><admin>`
     * (Dovecot's auth_master_user_separator).
     */
    adminLogin: z.enum(['authzid', 'separator']).default('authzid'),
    adminSeparator: z.string().min(1).max(4).default('*'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const admin = [s.adminPasswordEnv, s.adminPasswordFile].filter((v) => v !== undefined).length;
    if (s.adminUser !== undefined && admin !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['adminUser'],
        message: 'an admin needs exactly one of adminPasswordEnv, adminPasswordFile',
      });
    }
    if (s.adminUser === undefined && admin > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['adminUser'],
        message: 'adminPassword* given without adminUser',
      });
    }
    if (s.adminUser !== undefined && s.oauth2 !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['oauth2'],
        message: 'give the server one default login, oauth2 or adminUser (accounts can still name their own)',
      });
    }
  });

/**
 * A server as the plan describes it. `provider` stands for host, port and security, which may
 * still be given to override them.
 */
export const ServerSchema = z.preprocess((input) => {
  if (typeof input !== 'object' || input === null || !('provider' in input)) return input;
  const preset = PROVIDER_PRESETS[(input as { provider: string }).provider as 'google'];
  return preset ? { ...preset.imap, ...input } : input;
}, ServerFields);

const OAuth2ProfileSchema = z
  .object({
    /** `microsoft365` and `google` know their endpoints and scopes; `generic` needs `issuer`. */
    provider: z.enum(['microsoft365', 'google', 'generic']).default('generic'),
    flow: z.enum(['deviceCode', 'clientCredentials', 'serviceAccount']),
    /** Microsoft 365: tenant ID or domain (contoso.onmicrosoft.com), or organizations / common. */
    tenant: z.string().min(1).optional(),
    /** A generic provider's issuer URL (its /.well-known/openid-configuration names the endpoints). */
    issuer: z.url({ protocol: /^https?$/ }).optional(),
    clientId: z.string().min(1).optional(),
    clientSecretEnv: z.string().min(1).optional(),
    clientSecretFile: z.string().min(1).optional(),
    clientSecret: neverInPlan('clientSecretEnv or clientSecretFile'),
    /** A service account's JSON key file (Google Cloud console, "Keys", JSON), or a variable holding it. */
    serviceAccountKeyFile: z.string().min(1).optional(),
    serviceAccountKeyEnv: z.string().min(1).optional(),
    privateKey: neverInPlan('serviceAccountKeyFile or serviceAccountKeyEnv'),
    /** Scopes to ask for, space-separated; the provider's own when absent. */
    scope: z.string().min(1).optional(),
    /** The scope a token needs to open a mailbox; the provider's own when absent. */
    imapScope: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (p.provider !== 'generic') {
      const why = PROVIDER_PRESETS[p.provider].unsupported?.[p.flow];
      if (why) issue('flow', why);
      if (p.issuer !== undefined) issue('issuer', `${p.provider} has its endpoints built in: remove issuer`);
    }
    if (p.provider === 'microsoft365' && p.tenant === undefined) {
      issue('tenant', 'give the tenant ID or domain (e.g. contoso.onmicrosoft.com), or organizations');
    }
    if (p.provider !== 'microsoft365' && p.tenant !== undefined)
      issue('tenant', 'only microsoft365 has tenants');
    if (p.provider === 'generic' && p.flow !== 'serviceAccount' && p.issuer === undefined) {
      issue('issuer', 'a generic provider needs its issuer URL (or provider: microsoft365 / google)');
    }
    const secrets = [p.clientSecretEnv, p.clientSecretFile].filter((v) => v !== undefined).length;
    if (secrets > 1) issue('clientSecretEnv', 'give one of clientSecretEnv, clientSecretFile');
    const keys = [p.serviceAccountKeyFile, p.serviceAccountKeyEnv].filter((v) => v !== undefined).length;
    if (p.flow === 'serviceAccount') {
      if (keys !== 1)
        issue('serviceAccountKeyFile', 'give one of serviceAccountKeyFile, serviceAccountKeyEnv');
      if (secrets > 0)
        issue('clientSecretEnv', 'a service account signs with its key, it has no client secret');
    } else {
      if (keys > 0) issue('serviceAccountKeyFile', 'a key is only used by flow: serviceAccount');
      if (p.clientId === undefined)
        issue('clientId', 'give the application (client) ID of the app registration');
    }
    if (p.flow === 'clientCredentials' && secrets !== 1) {
      issue(
        'clientSecretEnv',
        'client credentials need the client secret: clientSecretEnv or clientSecretFile',
      );
    }
    if (p.provider === 'generic' && p.scope === undefined) {
      issue('scope', 'a generic provider needs the scopes to ask for (e.g. "imap offline_access")');
    }
  });

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
    /** The OAuth2 profile (a name under the plan's `oauth2:`) this account logs in with. */
    oauth2: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (c) =>
      [c.passwordEnv, c.passwordFile, c.password, c.tokenFile, c.tokenCommand, c.oauth2].filter(
        (v) => v !== undefined,
      ).length <= 1,
    {
      message:
        "give at most one of passwordEnv, passwordFile, tokenFile, tokenCommand, oauth2 (or password); none uses the server's oauth2 or adminUser",
    },
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
    /**
     * Connection pairs per account (a pair: a reader and a writer on each server). Unset: as many
     * as the account's work needs, up to 2 (a small account uses one, a large folder is split
     * across the idle one); set: exactly that many where there is work for them.
     */
    connectionsPerAccount: z.number().int().min(1).max(16).optional(),
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
    /**
     * Bytes appended per account in any 24 hours (Gmail: 500 MB). Once spent, the account stops
     * cleanly and the next run after the window continues it.
     */
    maxBytesPerDay: z.number().int().positive().optional(),
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

/** How a Gmail source's labels arrive (README, "Gmail and Google Workspace"). */
const GmailSchema = z
  .object({
    /**
     * `folders` (default) keeps Gmail's IMAP view: one copy per label folder. `one-copy` keeps one
     * copy per message, in its first label by the documented order, and sets the other labels as
     * keywords where the destination keeps keywords.
     */
    labels: z.enum(['folders', 'one-copy']).default('folders'),
    /** Where mail archived without a label goes: the destination's \Archive folder when absent. */
    archiveFolder: z.string().min(1).optional(),
    /** `one-copy`: globs of labels that keep the copy before the others, in this order. */
    labelOrder: z.array(z.string().min(1)).optional(),
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
    /** OAuth2 clients by name, named by servers (`oauth2: <name>`) and accounts. */
    oauth2: z
      .record(
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash, underscore'),
        OAuth2ProfileSchema,
      )
      .optional(),
    /** A CSV file (relative to the plan) with more accounts; see README for its columns. */
    accountsFile: z.string().optional(),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    folders: MappingRulesSchema.optional(),
    addresses: z.array(AddressSchema).optional(),
    problems: ProblemsSchema.default(ProblemsSchema.parse({})),
    /** A Gmail / Google Workspace source: labels and archived mail. */
    gmail: GmailSchema.default(GmailSchema.parse({})),
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
export type OAuth2ProfileConfig = z.infer<typeof OAuth2ProfileSchema>;
export type PlanLimits = z.infer<typeof LimitsSchema>;
export type GmailOptions = z.infer<typeof GmailSchema>;
