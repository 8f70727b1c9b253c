/**
 * The resolved plan: the folder mapping `mailshift plan` proposed (with the user's overrides
 * applied), written beside the plan file for review. It records the SHA-256 of the plan it came
 * from; `run`, `report` and `verify` refuse it once the plan has changed.
 *
 * The file is written whole or not at all (temporary file, fsync, rename), and read as strictly as
 * user input: its last line is the SHA-256 of every byte above it, so a file cut short at any
 * byte (a full disk, a copy interrupted) or edited by hand is refused rather than read as a
 * shorter plan; what parses is then checked against the schema.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import * as z from 'zod';
import type { FolderMapper } from '../core/ports.js';
import { MailshiftError } from '../core/errors.js';
import type { FolderDecision, MappingRules, NamespaceInfo, SideListing } from '../core/folders.js';
import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { formatIssues, type Plan, type PlanAccount } from './load-plan.js';
import { proposeMapping } from './mapping.js';
import { mappingProfile, type MappingProfile } from './provider-folders.js';

export const RESOLVED_VERSION = 1;

/** One account's part of the resolved plan. */
export interface ResolvedAccount {
  source: { namespace: NamespaceInfo } | null;
  destination: { namespace: NamespaceInfo } | null;
  /** Set when the account could not be planned (login refused, server unreachable). */
  error?: string;
  folders: FolderDecision[];
}

export interface ResolvedPlan {
  version: number;
  plan: string;
  planHash: string;
  generatedAt: string;
  accounts: Record<string, ResolvedAccount>;
}

/** `migrations-plans/acme.yaml` -> `migrations-plans/acme.resolved.yaml`. */
export function resolvedPathFor(plan: Pick<Plan, 'path'>): string {
  return plan.path.replace(/(\.ya?ml)?$/i, '.resolved.yaml');
}

/** The plan's global folder rules merged with an account's own (the account's come first). */
export function rulesFor(plan: Plan, account: PlanAccount): MappingRules {
  const g = plan.folders ?? {};
  const a = account.folders ?? {};
  return {
    map: { ...(g.map ?? {}), ...(a.map ?? {}) },
    rename: [...(a.rename ?? []), ...(g.rename ?? [])],
    exclude: [...(a.exclude ?? []), ...(g.exclude ?? [])],
    include: [...(a.include ?? []), ...(g.include ?? [])],
    under: a.under ?? g.under,
  };
}

/**
 * The providers of an account's two sides, as the plan names them or the listings' capabilities
 * show them, and where a Gmail source's archived-only mail goes.
 */
export function profileFor(
  plan: Pick<Plan, 'source' | 'destination' | 'gmail'>,
  source: Pick<SideListing, 'capabilities'>,
  destination: Pick<SideListing, 'capabilities'>,
): MappingProfile {
  return mappingProfile(
    {
      source: plan.source.provider,
      destination: plan.destination.provider,
      archiveFolder: plan.gmail.archiveFolder,
    },
    source,
    destination,
  );
}

const Namespace = z.object({ prefix: z.string(), delimiter: z.string() }).strict();

const SpecialUse = z.enum(['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged']);

const Decision = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('copy'),
      source: z.string(),
      destination: z.string().min(1),
      reason: z.enum([
        'inbox',
        'special-use',
        'localized-name',
        'override-map',
        'override-rename',
        'same-name',
        'follows-parent',
        'archived-only',
      ]),
      specialUse: SpecialUse.optional(),
      exists: z.boolean(),
      warnings: z.array(z.string()),
    })
    .strict(),
  z
    .object({
      action: z.literal('skip'),
      source: z.string(),
      reason: z.enum(['excluded', 'not-selectable', 'virtual', 'provider-duplicate', 'not-mail']),
      detail: z.string(),
    })
    .strict(),
]);

const ResolvedAccountSchema = z
  .object({
    source: z.object({ namespace: Namespace }).strict().nullable(),
    destination: z.object({ namespace: Namespace }).strict().nullable(),
    error: z.string().optional(),
    folders: z.array(Decision),
  })
  .strict();

const ResolvedPlanSchema = z
  .object({
    version: z.literal(RESOLVED_VERSION),
    plan: z.string(),
    planHash: z.string().regex(/^[0-9a-f]{64}$/),
    generatedAt: z.string(),
    accounts: z.record(z.string(), ResolvedAccountSchema),
  })
  .strict();

/** The last line of the file: the SHA-256 (hex) of every byte before it. */
const CHECKSUM_LINE = /\nchecksum: ([0-9a-f]{64})\n?$/;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Writes the resolved plan file, whole or not at all, its checksum on the last line. */
export function writeResolvedPlan(plan: Plan, accounts: Record<string, ResolvedAccount>): string {
  const path = resolvedPathFor(plan);
  const doc: ResolvedPlan = {
    version: RESOLVED_VERSION,
    plan: plan.path,
    planHash: plan.hash,
    generatedAt: new Date().toISOString(),
    accounts,
  };
  const body =
    `# Folder mapping resolved by "mailshift plan" from ${plan.path}.\n` +
    `# Review it; to change it, edit the plan's "folders" rules and run "mailshift plan" again.\n` +
    `# The last line is a checksum of the rest: a file changed by hand is refused.\n` +
    stringify(doc, { lineWidth: 0 });
  writeFileAtomic(path, `${body}checksum: ${sha256(body)}\n`, 0o644);
  return path;
}

function invalid(path: string, plan: Plan, what: string, cause?: unknown): MailshiftError {
  return new MailshiftError(`resolved plan ${path} ${what}`, {
    code: 'PLAN_INVALID',
    scope: 'run',
    hint: `run "mailshift plan ${plan.path}" again`,
    cause,
  });
}

/**
 * Reads the resolved plan if there is one.
 * @returns undefined when no resolved plan exists.
 * @throws MailshiftError PLAN_INVALID when it is cut short, changed by hand or not of the schema;
 *   PLAN_STALE when it is of another version or was made from another version of the plan.
 */
export function readResolvedPlan(plan: Plan): ResolvedPlan | undefined {
  const path = resolvedPathFor(plan);
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(path, plan, `cannot be read: ${(err as Error).message}`, err);
  }
  const sum = CHECKSUM_LINE.exec(text);
  if (!sum) throw invalid(path, plan, 'is incomplete (no checksum on its last line): it was cut short');
  if (sha256(text.slice(0, sum.index + 1)) !== sum[1]) {
    throw invalid(
      path,
      plan,
      'does not match its checksum: it was changed or damaged after "mailshift plan"',
    );
  }
  let raw: unknown;
  try {
    raw = parse(text.slice(0, sum.index + 1));
  } catch (err) {
    throw invalid(path, plan, `is not valid YAML: ${(err as Error).message}`, err);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (version !== RESOLVED_VERSION) {
    throw new MailshiftError(
      `resolved plan ${path}: unsupported version: expected ${RESOLVED_VERSION}, got ${JSON.stringify(version)}`,
      { code: 'PLAN_STALE', scope: 'run', hint: `run "mailshift plan ${plan.path}" again` },
    );
  }
  const parsed = ResolvedPlanSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(path, plan, `is not a valid resolved plan:\n${formatIssues(parsed.error.issues)}`);
  }
  const doc = parsed.data as ResolvedPlan;
  if (doc.planHash !== plan.hash) {
    throw new MailshiftError(`resolved plan ${path} was made from an earlier version of ${plan.path}`, {
      code: 'PLAN_STALE',
      scope: 'run',
      hint: `review the change and run "mailshift plan ${plan.path}" again`,
    });
  }
  return doc;
}

/** A folder mapper that uses the resolved plan when present, else proposes from live listings. */
export function mappingFor(plan: Plan): FolderMapper {
  const resolved = readResolvedPlan(plan);
  return {
    resolved: (id) => {
      const acc = resolved?.accounts[id];
      return acc && !acc.error ? acc.folders : undefined;
    },
    propose: (id, source: SideListing, destination: SideListing) => {
      const account = plan.accounts.find((a) => a.id === id);
      if (!account) throw new Error(`unknown account ${id}`);
      return proposeMapping(
        source,
        destination,
        rulesFor(plan, account),
        profileFor(plan, source, destination),
      );
    },
  };
}
