/**
 * What changed on either server since the plan or the last complete sync (plan/drift.ts finds
 * it; the run handles each change by the rule the README's "Drift" section gives, and says so).
 */

/** One change found, with what the run does about it. */
export type Drift =
  | { kind: 'new-source-folder'; source: string; destination: string; copied: boolean }
  | { kind: 'source-folder-renamed'; from: string; to: string; destination: string }
  | { kind: 'source-folder-gone'; source: string; destination: string }
  | { kind: 'destination-folder-missing'; source: string; destination: string }
  | { kind: 'destination-folder-recreated'; source: string; destination: string; was: number; now: number }
  | {
      kind: 'destination-messages-deleted';
      source: string;
      destination: string;
      recorded: number;
      now: number;
    };
