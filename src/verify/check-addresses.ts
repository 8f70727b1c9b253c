/**
 * The plan's address list against its accounts: after the switch, mail to every address the
 * company uses must land somewhere. Where it lands is decided once, in `plan/addresses.ts` (the
 * dry-run report shows the same resolution); verify only needs the destination or its absence.
 */
import { resolveAddresses, type AccountUsers, type PlanAddress } from '../plan/addresses.js';
import type { AddressResult } from './types.js';

/**
 * Finds where each listed address goes: a destination mailbox of the plan (following aliases),
 * or an outside target. Unmapped addresses and alias loops have none.
 * @returns one result per address, in plan order; `destination` is null when it has none
 */
export function checkAddresses(
  addresses: readonly PlanAddress[],
  accounts: readonly AccountUsers[],
): AddressResult[] {
  return resolveAddresses([...addresses], [...accounts])
    .filter((row) => row.listed)
    .map((row) => ({
      address: row.address,
      kind: row.kind,
      destination: row.status === 'unmapped' || row.status === 'loop' ? null : (row.delivers ?? null),
    }));
}
