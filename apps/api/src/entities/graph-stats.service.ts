import { Injectable } from '@nestjs/common';
import { GraphCounts, GraphStore } from '@app/graph-store';
import { Clock } from '@app/vocabulary';
import { SharedReads } from '../common/shared-reads';

/** What GET /graph/stats answers: the counts per label and when they were counted. */
export interface GraphStats extends GraphCounts {
  /** When the count began (ISO 8601, UTC): the counts hold what the graph held then. */
  countedAt: string;
}

/**
 * The counts behind GET /graph/stats, kept from loading the graph server.
 *
 * Counting every element by label reads the whole graph on JanusGraph: about 1.8 s of server
 * time for the small bank on BerkeleyDB JE, and 8 callers at once took 26 s, each scan running
 * beside the others and beside the ingest's writes. A dashboard that a few analysts keep open
 * would keep the server busy counting. So the count is a shared read (see `SharedReads`):
 * cheap counts are made afresh for every caller, costly ones are shared by the callers that
 * come while one runs and answer again for ten times their duration, failed ones are not kept.
 * Every answer says when its count began (`countedAt`).
 */
@Injectable()
export class GraphStatsService {
  private readonly reads: SharedReads<GraphCounts>;

  constructor(
    private readonly store: GraphStore,
    clock: Clock,
  ) {
    this.reads = new SharedReads(clock, 1);
  }

  async stats(): Promise<GraphStats> {
    const { value, startedAt } = await this.reads.read('counts', () => this.store.counts());
    return { ...value, countedAt: new Date(startedAt).toISOString() };
  }
}
