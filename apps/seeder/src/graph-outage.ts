import { Logger } from '@nestjs/common';
import { describeOutageWait, type OutageWaitOptions } from '@app/graph-store';

/**
 * How the seeder's graph loads (generate and import with `--sink graph`) ride out a graph store
 * that stops answering: each batch is tried again for up to `waitMs` (GRAPH_OUTAGE_WAIT_MS),
 * and every pause is logged, so that a load waiting for JanusGraph does not look stuck.
 */
export function graphOutageWait(waitMs: number): OutageWaitOptions {
  const logger = new Logger('seeder');
  return { waitMs, onWait: (wait) => logger.warn(describeOutageWait(wait, waitMs)) };
}
