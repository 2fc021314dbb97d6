import type { GraphStore } from '@app/graph-store';
import type { SharedIdentifierInput, StructuralInput } from '../core/detector';

/** Holders of some accounts, read from their HOLDS neighbourhood (one round trip per account). */
export async function holdersFromStore(
  store: GraphStore,
  accountIds: Iterable<string>,
): Promise<Map<string, string[]>> {
  const holders = new Map<string, string[]>();
  for (const accountId of new Set(accountIds)) {
    const hood = await store.getNeighbourhood({
      uid: accountId,
      depth: 1,
      edgeLabels: ['HOLDS'],
      limit: 100,
    });
    holders.set(
      accountId,
      hood.edges.filter((e) => e.label === 'HOLDS' && e.to === accountId).map((e) => e.from),
    );
  }
  return holders;
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
