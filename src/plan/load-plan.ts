/**
 * Reads a plan file: YAML -> schema check -> accounts from the optional CSV -> a `Plan`.
 * Every error names the file, the field and what is expected.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { MailshiftError } from '../core/errors.js';
import type { Side } from '../core/endpoint.js';
import type { LoginSettings, SideLogin } from '../core/logins.js';
import { loginSettings, sideLogin } from './plan-logins.js';
import { PLAN_VERSION, PlanSchema, type CredentialRef, type PlanFile } from './schema.js';
import { applyProviderPresets, type AppliedPreset } from './provider-presets.js';

/** One account to migrate, with a stable id used by the state and the reports. */
export interface PlanAccount {
  /** The source user: unique within a plan. */
  id: string;
  source: CredentialRef;
  destination: CredentialRef;
  folders?: PlanFile['folders'];
  /** How each side logs in: its own secret, an OAuth2 profile, or the server's admin. */
  login: Record<Side, SideLogin>;
  /** The account's own date window (plan/window.ts), replacing the plan's. */
  window?: PlanFile['window'];
}

/** A validated plan, with where it came from. */
export interface Plan extends Omit<PlanFile, 'accounts'> {
  path: string;
  /** Folder of the plan file: relative secret and CSV paths are resolved from here. */
  dir: string;
  /** SHA-256 of the plan file's bytes: the resolved mapping records it to detect a stale one. */
  hash: string;
  accounts: PlanAccount[];
  /** OAuth2 profiles and admin logins, for the credentials layer (src/auth). */
  logins: LoginSettings;
  /** Things the user should know before running, e.g. passwords written in clear (allowed by an option). */
  warnings?: string[];
  /** The provider presets the plan names and what each set (plan/provider-presets.ts). */
  presets?: AppliedPreset[];
}

function planError(path: string, message: string, hint?: string): MailshiftError {
  return new MailshiftError(`plan file ${path}: ${message}`, { code: 'PLAN_INVALID', scope: 'run', hint });
}

function fieldPath(path: PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** Formats schema issues as "field: problem" lines. */
export function formatIssues(issues: z.core.$ZodIssue[]): string {
  return issues.map((i) => `  ${fieldPath(i.path) || '(top level)'}: ${i.message}`).join('\n');
}

const CSV_COLUMNS = ['source_user', 'destination_user'] as const;

/** Reads the accounts CSV: one account a row, secrets referenced by env var or file columns. */
function accountsFromCsv(planPath: string, csvPath: string): PlanFile['accounts'] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(readFileSync(csvPath), {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      comment: '#',
    });
  } catch (err) {
    throw planError(planPath, `accountsFile ${csvPath}: ${(err as Error).message}`);
  }
  return rows.map((row, i) => {
    for (const col of CSV_COLUMNS) {
      if (!row[col])
        throw planError(planPath, `accountsFile ${csvPath} row ${i + 2}: column ${col} is empty`);
    }
    // No secret column: the account uses its server's oauth2 or adminUser (checked with the rest).
    const side = (prefix: 'source' | 'destination'): CredentialRef => {
      const ref: CredentialRef = { user: row[`${prefix}_user`]! };
      if (row[`${prefix}_password_env`]) ref.passwordEnv = row[`${prefix}_password_env`];
      else if (row[`${prefix}_password_file`]) ref.passwordFile = row[`${prefix}_password_file`];
      else if (row[`${prefix}_oauth2`]) ref.oauth2 = row[`${prefix}_oauth2`];
      return ref;
    };
    return { source: side('source'), destination: side('destination') };
  });
}

/**
 * Loads and validates a plan file.
 * @throws MailshiftError PLAN_INVALID / PLAN_MISSING naming the file and field.
 */
export function loadPlan(path: string): Plan {
  const abs = resolve(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch {
    throw new MailshiftError(`plan file ${path} cannot be read`, {
      code: 'PLAN_MISSING',
      scope: 'run',
      hint: 'check the path; plans usually live in migrations-plans/',
    });
  }
  const doc = parseDocument(bytes.toString('utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw planError(path, `not valid YAML:\n${doc.errors.map((e) => `  ${e.message}`).join('\n')}`);
  }
  const data: unknown = doc.toJS();
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'string' && version.trim() === String(PLAN_VERSION)) {
    // YAML reads `version: "1"` as a string: "expected 1, got 1" would name no difference.
    throw planError(
      path,
      `version is the text ${JSON.stringify(version)}, not the number ${PLAN_VERSION}`,
      `write version: ${PLAN_VERSION} without quotes`,
    );
  }
  if (version !== undefined && version !== PLAN_VERSION) {
    throw planError(path, `unsupported version: expected ${PLAN_VERSION}, got ${JSON.stringify(version)}`);
  }
  const preset = applyProviderPresets(data);
  const parsed = PlanSchema.safeParse(preset.data);
  if (!parsed.success) throw planError(path, `invalid fields:\n${formatIssues(parsed.error.issues)}`);
  const file = parsed.data;
  const dir = dirname(abs);
  const accounts = [...file.accounts];
  if (file.accountsFile) accounts.push(...accountsFromCsv(path, resolve(dir, file.accountsFile)));
  if (accounts.length === 0) throw planError(path, 'no accounts: add accounts or accountsFile');
  const warnings = checkAccounts(path, file, accounts);
  return {
    ...file,
    path: abs,
    dir,
    hash: createHash('sha256').update(bytes).digest('hex'),
    accounts: accounts.map((a, i) => ({
      id: a.source.user,
      ...a,
      login: {
        source: sideLogin(path, file, 'source', a.source, `accounts[${i}].source`),
        destination: sideLogin(path, file, 'destination', a.destination, `accounts[${i}].destination`),
      },
    })),
    logins: loginSettings(abs, dir, file),
    warnings,
    presets: preset.applied,
  };
}

/** @returns warnings about what the plan allows explicitly (clear-text passwords). */
function checkAccounts(path: string, file: PlanFile, accounts: PlanFile['accounts']): string[] {
  const warnings: string[] = [];
  const seen = new Set<string>();
  accounts.forEach((a, i) => {
    if (seen.has(a.source.user))
      throw planError(path, `accounts[${i}].source.user ${a.source.user} is listed twice`);
    seen.add(a.source.user);
    for (const side of ['source', 'destination'] as const) {
      if (a[side].password !== undefined && !file.options.allowPlaintextPasswords) {
        throw planError(
          path,
          `accounts[${i}].${side}.password is written in clear`,
          'use passwordEnv or passwordFile, or set options.allowPlaintextPasswords: true if you accept the risk',
        );
      }
      if (a[side].password !== undefined) {
        warnings.push(
          `plan file ${path}: accounts[${i}].${side}.password is written in clear (allowed by options.allowPlaintextPasswords); anyone who can read the plan can read it`,
        );
      }
    }
  });
  return warnings;
}
