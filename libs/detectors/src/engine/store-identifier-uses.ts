import { EntityNotFoundError } from '@app/vocabulary';
import type { GraphStore } from '@app/graph-store';
import { identifierUsesOf } from './dataset';
import type { IdentifierUse } from './types';

/** USES edges read around one account at most (its identifiers, and their other users). */
export const IDENTIFIER_NEIGHBOURHOOD_LIMIT = 2000;
/** Accounts whose identifier uses are read at once. */
const PARALLEL_READS = 8;

/**
 * Identifier uses read from the graph store for the learned risk model's shared-identifier
 * features, when a live engine (the stream, the real-time endpoint, the store scan) first meets
 * an account: its USES edges and those of the other accounts of its identifiers (one
 * neighbourhood read of two hops over USES per account). Each account is read once; uses written
 * later reach the model through the ingest worker (`StreamDetectionService.onIdentifierUses`).
 *
 * Limits: the read stops at IDENTIFIER_NEIGHBOURHOOD_LIMIT edges, so an account whose
 * identifiers have more uses than that (a public Wi-Fi among them) may miss some of the other
 * accounts, or see a hub as an ordinary identifier. The set of accounts read grows with the
 * population (one id each), like the account directory.
 */
export class StoreIdentifierUses {
  private readonly read = new Set<string>();

  constructor(private readonly store: GraphStore) {}

  /** The uses around the accounts of `uids` not read before (none for unknown accounts). */
  async load(uids: Iterable<string>): Promise<IdentifierUse[]> {
    const fresh = [...new Set(uids)].filter((uid) => !this.read.has(uid));
    const uses: IdentifierUse[] = [];
    for (let i = 0; i < fresh.length; i += PARALLEL_READS) {
      const slice = fresh.slice(i, i + PARALLEL_READS);
      const found = await Promise.all(slice.map((uid) => this.around(uid)));
      for (const list of found) uses.push(...list);
      for (const uid of slice) this.read.add(uid);
    }
    return uses;
  }

  private async around(uid: string): Promise<IdentifierUse[]> {
    try {
      const near = await this.store.getNeighbourhood({
        uid,
        depth: 2,
        edgeLabels: ['USES'],
        limit: IDENTIFIER_NEIGHBOURHOOD_LIMIT,
      });
      return identifierUsesOf(near.edges);
    } catch (error) {
      if (error instanceof EntityNotFoundError) return [];
      throw error;
    }
  }
}
