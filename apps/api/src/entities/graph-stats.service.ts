import { Injectable } from '@nestjs/common';
import { GraphCounts, GraphStore } from '@app/graph-store';
import { Clock } from '@app/vocabulary';

/** What GET /graph/stats answers: the counts per label and when they were counted. */
export interface GraphStats extends GraphCounts {
  /** When the count began (ISO 8601, UTC): the counts hold what the graph held then. */
  countedAt: string;
}

/** A count that took less than this (ms) is never reused: the next caller counts afresh. */
export const CHEAP_COUNT_MS = 200;

/** A costlier count answers again until this many times its own duration has passed. */
export const REUSE_FACTOR = 10;

interface FinishedCount {
  stats: GraphStats;
  finishedAt: number;
  tookMs: number;
}

/**
 * The counts behind GET /graph/stats, kept from loading the graph server.
 *
 * Counting every element by label reads the whole graph on JanusGraph: about 1.8 s of server
 * time for the small bank on BerkeleyDB JE, and 8 callers at once took 26 s, each scan running
 * beside the others and beside the ingest's writes. A dashboard that a few analysts keep open
 * would keep the server busy counting. So:
 *
 * - a count that took less than CHEAP_COUNT_MS (the embedded store, a small graph) is made
 *   afresh for every caller: what a caller has just written is in the counts it reads next;
 * - otherwise callers that arrive while a count runs share it, and a finished count answers
 *   again until REUSE_FACTOR times its own duration has passed (a count of 2 s for 20 s): the
 *   counting takes at most about a tenth of one server thread, however many callers there are;
 * - a failed count is not kept: its callers get the error, the next caller counts again.
 *
 * Every answer says when its count began (`countedAt`).
 */
@Injectable()
export class GraphStatsService {
  private last: FinishedCount | undefined;
  private running: Promise<GraphStats> | undefined;

  constructor(
    private readonly store: GraphStore,
    private readonly clock: Clock,
  ) {}

  stats(): Promise<GraphStats> {
    const last = this.last;
    if (last !== undefined && last.tookMs < CHEAP_COUNT_MS) return this.count();
    if (last !== undefined && this.clock.now() - last.finishedAt < REUSE_FACTOR * last.tookMs) {
      return Promise.resolve(last.stats);
    }
    if (this.running === undefined) {
      const running = this.count().finally(() => {
        if (this.running === running) this.running = undefined;
      });
      this.running = running;
    }
    return this.running;
  }

  private async count(): Promise<GraphStats> {
    const startedAt = this.clock.now();
    const counts = await this.store.counts();
    const finishedAt = this.clock.now();
    const stats: GraphStats = { ...counts, countedAt: new Date(startedAt).toISOString() };
    // A slower count that began earlier does not replace a newer one.
    if (this.last === undefined || startedAt >= this.last.finishedAt - this.last.tookMs) {
      this.last = { stats, finishedAt, tookMs: finishedAt - startedAt };
    }
    return stats;
  }
}
