/**
 * The resolved plan: the folder mapping `mailshift plan` proposed (with the user's overrides
 * applied), written beside the plan file for review. It records the SHA-256 of the plan it came
 * from; `run`, `report` and `verify` refuse it once the plan has changed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import type { FolderMapper } from '../core/ports.js';
import { MailshiftError } from '../core/errors.js';
import type { FolderDecision, MappingRules, NamespaceInfo, SideListing } from '../core/folders.js';
import type { Plan, PlanAccount } from './load-plan.js';
import { proposeMapping } from './mapping.js';

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

/** Writes the resolved plan file. */
export function writeResolvedPlan(plan: Plan, accounts: Record<string, ResolvedAccount>): string {
  const path = resolvedPathFor(plan);
  const doc: ResolvedPlan = {
    version: RESOLVED_VERSION,
    plan: plan.path,
    planHash: plan.hash,
    generatedAt: new Date().toISOString(),
    accounts,
  };
  writeFileSync(
    path,
    `# Folder mapping resolved by "mailshift plan" from ${plan.path}.\n` +
      `# Review it; to change it, edit the plan's "folders" rules and run "mailshift plan" again.\n` +
      stringify(doc, { lineWidth: 0 }),
  );
  return path;
}

/**
 * Reads the resolved plan if there is one.
 * @returns undefined when no resolved plan exists.
 * @throws MailshiftError PLAN_STALE when it was made from another version of the plan.
 */
export function readResolvedPlan(plan: Plan): ResolvedPlan | undefined {
  const path = resolvedPathFor(plan);
  if (!existsSync(path)) return undefined;
  const doc = parse(readFileSync(path, 'utf8')) as ResolvedPlan | null;
  if (!doc || doc.version !== RESOLVED_VERSION) {
    throw new MailshiftError(
      `resolved plan ${path}: unsupported version: expected ${RESOLVED_VERSION}, got ${String(doc?.version)}`,
      { code: 'PLAN_STALE', scope: 'run', hint: `run "mailshift plan ${plan.path}" again` },
    );
  }
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
      return proposeMapping(source, destination, rulesFor(plan, account));
    },
  };
}
