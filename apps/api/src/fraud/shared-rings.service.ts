import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { bulkhead, BulkheadRejectedError } from 'cockatiel';
import type { BulkheadPolicy } from 'cockatiel';
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

/**
 * Ring searches that run at once in this process. A search is mostly CPU work on the event loop
 * (and whole-graph reads on JanusGraph): more at once would not answer sooner, only hold every
 * other request longer.
 */
export const MAX_RUNNING_RING_SEARCHES = 2;

/** Ring searches that may wait for a turn; beyond them a search is refused at once (503). */
export const MAX_WAITING_RING_SEARCHES = 4;

/** The Retry-After (seconds) of a refused search: about the time a few searches take. */
export const RING_SEARCH_RETRY_AFTER_SECONDS = 5;

/**
 * Answered (503, error `ring_search_busy`, with Retry-After) when MAX_RUNNING_RING_SEARCHES
 * searches run and MAX_WAITING_RING_SEARCHES wait already. The controller sets the header.
 */
export class RingSearchBusyException extends ServiceUnavailableException {
  readonly errorCode = 'ring_search_busy';
  readonly retryAfterSeconds = RING_SEARCH_RETRY_AFTER_SECONDS;

  constructor() {
    super(
      `Too many fraud-ring searches at once: ${MAX_RUNNING_RING_SEARCHES} are running and ${MAX_WAITING_RING_SEARCHES} are waiting, the most this server takes (each one reads every shared identifier of the graph). Try again in ${RING_SEARCH_RETRY_AFTER_SECONDS} seconds (the Retry-After header says so too); a search limited to some accounts (accounts=...) is much quicker.`,
    );
  }
}

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
 *
 * The searches themselves (not the callers sharing one, nor the answers given again) are bounded
 * by a bulkhead (cockatiel): MAX_RUNNING_RING_SEARCHES run at once, MAX_WAITING_RING_SEARCHES
 * wait for a turn, and any more is refused at once with RingSearchBusyException (503 with
 * Retry-After), so that many different questions at once cannot hold the process. The module
 * gives FraudRingService a store that yields to the event loop around each read
 * (`yieldingGraphStore`), so that other requests are served between the phases of a search.
 */
@Injectable()
export class SharedRingsService {
  /** Each search's answer with the time it really began (after any wait for a turn). */
  private readonly reads: SharedReads<SharedAnswer<FoundRings>>;
  private readonly searches: BulkheadPolicy = bulkhead(
    MAX_RUNNING_RING_SEARCHES,
    MAX_WAITING_RING_SEARCHES,
  );

  constructor(
    private readonly rings: FraudRingService,
    private readonly clock: Clock,
  ) {
    this.reads = new SharedReads(clock, MAX_KEPT_RING_QUERIES);
  }

  async find(query: RingQuery): Promise<SharedAnswer<FoundRings>> {
    const question = normalised(query);
    const shared = await this.reads.read(JSON.stringify(question), () => this.search(question));
    return shared.value;
  }

  /** One search through the bulkhead; RingSearchBusyException when it is full. */
  private async search(question: RingQuery): Promise<SharedAnswer<FoundRings>> {
    try {
      return await this.searches.execute(async () => {
        const startedAt = this.clock.now();
        return { value: await this.rings.findRings(question), startedAt };
      });
    } catch (error) {
      if (error instanceof BulkheadRejectedError) throw new RingSearchBusyException();
      throw error;
    }
  }
}
