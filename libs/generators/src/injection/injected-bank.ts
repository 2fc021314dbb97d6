import type { GraphEdge, MovementEdge } from '@app/vocabulary';
import type { GenerateBankOptions } from '../bank/bank-options';
import type { DatasetChunk } from '../bank/dataset.model';
import { type BankWorld, buildWorld, generateWorld } from '../bank/generate-bank';
import { DAY_MS, type SimulationClock } from '../population/population.model';
import { readPatternFile } from './pattern-file';
import {
  type InjectionCandidate,
  type PatternInjection,
  type PatternInjectionSummary,
  planPatternInjection,
} from './pattern-injection';

/** A generated bank with the attempts of an AMLworld patterns file grafted onto it. */
export interface InjectedBank {
  injection: PatternInjectionSummary;
  /** The bank's chunks, injected movements merged into their days, injected records appended. */
  chunks: AsyncGenerator<DatasetChunk>;
}

/**
 * Generates a bank and grafts onto it the laundering attempts of an AMLworld `*_Patterns.txt`
 * file (see `planPatternInjection` for how accounts, times and amounts are chosen). The same
 * options and the same file give the same chunks, byte for byte.
 */
export async function generateBankWithPatterns(
  options: GenerateBankOptions,
  patternsPath: string,
): Promise<InjectedBank> {
  const file = await readPatternFile(patternsPath);
  const world = buildWorld(options);
  const injection = planPatternInjection(file, {
    seed: world.options.seed,
    clock: world.options.clock,
    candidates: injectionCandidates(world),
  });
  return {
    injection: injection.summary,
    chunks: mergeInjection(generateWorld(world), injection, world.options.clock),
  };
}

/**
 * The accounts attempts may be grafted onto: active personal and business accounts that take
 * part in normal life, opened 30 days or more before the period (so they have a history), and
 * in no generated instance or decoy (so that each ground-truth record keeps its own accounts).
 */
export function injectionCandidates(world: BankWorld): InjectionCandidate[] {
  const claimed = new Set<string>();
  for (const instance of world.plan.instances)
    for (const uid of instance.entities) claimed.add(uid);
  const seasoned = world.options.clock.windowStart - 30 * DAY_MS;
  return world.population.accounts
    .filter(
      (a) =>
        a.normal &&
        a.props.status === 'active' &&
        (a.props.accountType === 'personal' || a.props.accountType === 'business') &&
        a.props.openedAt < seasoned &&
        !claimed.has(a.uid),
    )
    .map((a) => ({ uid: a.uid, currency: a.props.currency }));
}

/**
 * Merges injected movements into a bank's chunk stream. Day chunk k (stage 'movements',
 * `progress.done` = k >= 1) holds the movements of [windowStart + (k-1) days, windowStart +
 * k days); injected movements of that day are merged into its movements in time order (after
 * generated movements of the same instant). The injected records are appended to the
 * ground-truth chunk. Only the injected set is held (it is small); the bank stays streamed.
 */
export async function* mergeInjection(
  chunks: AsyncIterable<DatasetChunk>,
  injection: Pick<PatternInjection, 'movements' | 'records'>,
  clock: SimulationClock,
): AsyncGenerator<DatasetChunk> {
  const pending = injection.movements;
  let next = 0;
  let truthWritten = false;
  for await (const chunk of chunks) {
    if (chunk.stage === 'movements' && chunk.progress.done >= 1) {
      const dayEnd = clock.windowStart + chunk.progress.done * DAY_MS;
      let end = next;
      while (end < pending.length && (pending[end]?.props.timestamp ?? 0) < dayEnd) end += 1;
      if (end > next) {
        yield { ...chunk, edges: mergeByTime(chunk.edges, pending.slice(next, end)) };
        next = end;
        continue;
      }
    } else if (chunk.stage === 'ground-truth') {
      leftOver(pending, next);
      truthWritten = true;
      yield { ...chunk, groundTruth: [...chunk.groundTruth, ...injection.records] };
      continue;
    }
    yield chunk;
  }
  if (!truthWritten) {
    leftOver(pending, next);
    yield {
      stage: 'ground-truth',
      vertices: [],
      edges: [],
      groundTruth: [...injection.records],
      progress: { done: 1, total: 1 },
    };
  }
}

function leftOver(pending: readonly MovementEdge[], next: number): void {
  const first = pending[next];
  if (first) {
    throw new Error(
      `injected movement ${first.eid} (${new Date(first.props.timestamp).toISOString()}) fell in no day of the period`,
    );
  }
}

/**
 * Day chunks list HAS_EVENT edges, then movements by time. Injected movements go into the
 * movements, each before the first generated movement that is later than it.
 */
export function mergeByTime(
  edges: readonly GraphEdge[],
  injected: readonly MovementEdge[],
): GraphEdge[] {
  const merged: GraphEdge[] = [];
  let i = 0;
  for (const edge of edges) {
    if (edge.label === 'TRANSFERRED') {
      while (i < injected.length && (injected[i]?.props.timestamp ?? 0) < edge.props.timestamp) {
        merged.push(injected[i++]);
      }
    }
    merged.push(edge);
  }
  while (i < injected.length) merged.push(injected[i++]);
  return merged;
}
