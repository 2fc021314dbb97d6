import { Injectable } from '@nestjs/common';
import { FraudRingService } from '@app/detectors';
import type { FraudRing, FraudRingParams, RingQuery } from '@app/detectors';
import { Clock } from '@app/vocabulary';
import { SharedReads } from '../common/shared-reads';
import type { SharedAnswer } from '../common/shared-reads';

/** Rings found with the parameters used. */
export interface FoundRings {
  rings: FraudRing[];
  parameters: FraudRingParams;
}

/** Distinct ring queries whose answers are kept at once (the least recently asked go first). */
export const MAX_KEPT_RING_QUERIES = 16;

/** The query with its lists sorted and without repeats, so that equal questions share a key. */
function normalised(query: RingQuery): RingQuery {
  const parameters: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query.parameters ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    parameters[name] = Array.isArray(value) ? [...new Set(value.map(String))].sort() : value;
  }
  const accounts = [...new Set(query.accountIds ?? [])].sort();
  return accounts.length > 0 ? { accountIds: accounts, parameters } : { parameters };
}

/**
 * The fraud rings behind GET /fraud/rings, kept from loading the graph server.
 *
 * Finding the rings of the whole graph reads every shared identifier and the holders of the
 * accounts linked by them: on JanusGraph (BerkeleyDB JE, the small bank) about 0.85 s a call
 * warm, and 8 callers at once took 5.1 s. So each question (the parameters and the accounts, in
 * any order) is a shared read (see `SharedReads`): on the embedded store, or wherever it takes
 * less than 200 ms, it is answered afresh; where it is costly, callers that come while it runs
 * share it and its answer is given again for ten times its duration. Every answer says when its
 * search began (`foundAt` in the HTTP answer).
 */
@Injectable()
export class SharedRingsService {
  private readonly reads: SharedReads<FoundRings>;

  constructor(
    private readonly rings: FraudRingService,
    clock: Clock,
  ) {
    this.reads = new SharedReads(clock, MAX_KEPT_RING_QUERIES);
  }

  find(query: RingQuery): Promise<SharedAnswer<FoundRings>> {
    const question = normalised(query);
    return this.reads.read(JSON.stringify(question), () => this.rings.findRings(question));
  }
}
