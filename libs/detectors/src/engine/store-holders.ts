import type { GraphStore } from '@app/graph-store';
import type { SharedIdentifierInput, StructuralInput } from '../core/detector';

/**
 * Holders (HOLDS sources, in uid order) of some accounts, in one store read; every account is
 * in the map, with an empty list when nobody holds it.
 */
export async function holdersFromStore(
  store: GraphStore,
  accountIds: Iterable<string>,
): Promise<Map<string, string[]>> {
  const holders = await store.getHolders([...new Set(accountIds)]);
  return new Map(holders.map(({ accountId, holderUids }) => [accountId, holderUids]));
}

/**
 * Structural input over the store in two passes: links between accounts first, then holders of
 * the accounts that ended up in a candidate (so that one customer's accounts count once) —
 * without reading the holders of every account of the bank.
 */
export async function structuralInputFromStore(
  store: GraphStore,
  shared: readonly SharedIdentifierInput[],
  candidates: (input: StructuralInput) => Iterable<string>,
): Promise<StructuralInput> {
  const members = new Set(candidates({ shared }));
  if (members.size === 0) return { shared: [] };
  const restricted = shared
    .map((s) => ({ ...s, accountIds: s.accountIds.filter((a) => members.has(a)) }))
    .filter((s) => s.accountIds.length >= 2);
  return { shared: restricted, holders: await holdersFromStore(store, members) };
}
