/**
 * The plan's address list against its accounts: after the switch, mail to every address the
 * company uses must land somewhere, so each needs a destination mailbox of the plan or a target.
 */
import type { AddressResult } from './types.js';

/** An address as the plan lists it. */
export interface PlanAddress {
  address: string;
  kind: 'mailbox' | 'alias' | 'forward';
  target?: string;
}

/** The login names of one plan account. */
export interface AccountUsers {
  source: string;
  destination: string;
}

/**
 * Finds where each address goes: its `target`, or the destination mailbox of the plan account
 * that has this address as its destination or source user (compared case-insensitively, as mail
 * systems treat addresses in practice).
 * @returns one result per address, in plan order; `destination` is null when it has none
 */
export function checkAddresses(
  addresses: readonly PlanAddress[],
  accounts: readonly AccountUsers[],
): AddressResult[] {
  const byDestination = new Map(accounts.map((a) => [a.destination.toLowerCase(), a.destination]));
  const bySource = new Map(accounts.map((a) => [a.source.toLowerCase(), a.destination]));
  return addresses.map((a) => {
    const key = a.address.trim().toLowerCase();
    const destination = a.target ?? byDestination.get(key) ?? bySource.get(key) ?? null;
    return { address: a.address, kind: a.kind, destination };
  });
}
