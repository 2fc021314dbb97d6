import { basename } from 'node:path';
import {
  type AmlTypology,
  type GroundTruthRecord,
  ids,
  InvalidInputError,
  type MovementEdge,
} from '@app/vocabulary';
import type { PatternBlock } from '../importers/amlworld/amlworld-patterns.parser';
import { amlworldMovement, type AmlworldRow } from '../importers/amlworld/amlworld-row.parser';
import { DAY_MS, type SimulationClock } from '../population/population.model';
import { Rng } from '../random/prng';
import type { PatternFile } from './pattern-file';

/** A bank account that may receive the role of one AMLworld account. */
export interface InjectionCandidate {
  uid: string;
  currency: string;
}

/** What the injection needs to know of the bank it grafts attempts onto. */
export interface InjectionTarget {
  /** The bank's seed: with the same file, the same seed gives the same injection. */
  seed: number;
  clock: SimulationClock;
  /** Eligible accounts, in a fixed order (the bank's own order). */
  candidates: readonly InjectionCandidate[];
}

/** Counts for the user and for the report's facts. */
export interface PatternInjectionSummary {
  file: string;
  attempts: number;
  movements: number;
  /** Distinct AMLworld accounts, each mapped to a distinct bank account. */
  accounts: number;
  /** Of those, how many got a bank account in their own (most used) currency. */
  sameCurrency: number;
  byTypology: Partial<Record<AmlTypology, number>>;
}

/** The attempts of a patterns file, grafted onto a bank: movements in time order and their ground truth. */
export interface PatternInjection {
  /** TRANSFERRED edges between bank accounts, sorted by timestamp (ties: file order). */
  movements: MovementEdge[];
  /** One record per attempt, in file order. */
  records: GroundTruthRecord[];
  /** AMLworld account id (`ids.account(bank, account)`) -> bank account uid. */
  accountMap: ReadonlyMap<string, string>;
  summary: PatternInjectionSummary;
}

/**
 * Grafts the laundering attempts of an AMLworld patterns file onto a bank's own accounts.
 *
 * - **Accounts.** Every distinct AMLworld account (bank id + account number; leading zeros
 *   count) maps to a distinct bank account, never reused. Candidates are shuffled with the
 *   bank's seed; AMLworld accounts are served in order of first appearance in the file, each
 *   taking the next free candidate whose currency is the one the AMLworld account uses most
 *   (payer: payment currency, payee: receiving currency; ties: the first seen), or, when none of
 *   that currency is left, the next free candidate of any currency. All AMLworld accounts
 *   become customer accounts, including the sibling accounts of Bitcoin legs.
 * - **Time.** Each attempt is shifted on its own by a whole number of days, so its internal
 *   order, gaps and times of day are kept exactly. The attempt's first day lands on a day of
 *   the period drawn with the seed (uniform over the days that leave room for the whole
 *   attempt); every shifted timestamp is inside [windowStart, windowEnd).
 * - **Money.** Amounts, currencies and channels are the file's (as the AMLworld importer reads
 *   them), even when the mapped account is kept in another currency.
 * - **Ids.** Attempt n of `LI-Medium_Patterns.txt` is instance `amlworld-li-medium-000n`; its
 *   k-th row (as written) is movement `mv:amlworld-li-medium-000n:k`, which no generated
 *   movement (`mv:syn:<n>`) can be.
 */
export function planPatternInjection(file: PatternFile, target: InjectionTarget): PatternInjection {
  const accountMap = mapAccounts(file, target);
  const sourceOf = new Map([...accountMap].map(([source, uid]) => [uid, source]));
  const movements: { edge: MovementEdge; order: number }[] = [];
  const records: GroundTruthRecord[] = [];
  const byTypology: Partial<Record<AmlTypology, number>> = {};
  for (const block of file.blocks) {
    const instanceId = `amlworld-${file.name}-${String(block.ordinal).padStart(4, '0')}`;
    const placement = placeAttempt(block, target);
    const edges = block.rows.map((row, index) => {
      const edge = graftedMovement(row, instanceId, index + 1, accountMap);
      edge.props.timestamp = row.timestamp + placement.shiftDays * DAY_MS;
      return edge;
    });
    const ordered = edges
      .map((edge, index) => ({ edge, index }))
      .sort((a, b) => a.edge.props.timestamp - b.edge.props.timestamp || a.index - b.index)
      .map(({ edge }) => edge);
    for (const edge of ordered) movements.push({ edge, order: movements.length });
    records.push(attemptRecord(block, instanceId, ordered, placement, file, sourceOf));
    byTypology[block.typology] = (byTypology[block.typology] ?? 0) + 1;
  }
  movements.sort((a, b) => a.edge.props.timestamp - b.edge.props.timestamp || a.order - b.order);
  const summary: PatternInjectionSummary = {
    file: basename(file.path),
    attempts: records.length,
    movements: movements.length,
    accounts: accountMap.size,
    sameCurrency: 0,
    byTypology,
  };
  const currencyOf = new Map(target.candidates.map((c) => [c.uid, c.currency]));
  for (const [source, uid] of accountMap) {
    if (preferredCurrency(file).get(source) === currencyOf.get(uid)) summary.sameCurrency += 1;
  }
  return { movements: movements.map(({ edge }) => edge), records, accountMap, summary };
}

function graftedMovement(
  row: AmlworldRow,
  instanceId: string,
  position: number,
  accountMap: ReadonlyMap<string, string>,
): MovementEdge {
  const original = amlworldMovement(row, '');
  return {
    ...original,
    eid: ids.movement(instanceId, position),
    from: mapped(accountMap, original.from),
    to: mapped(accountMap, original.to),
    props: { ...original.props },
  };
}

function mapped(accountMap: ReadonlyMap<string, string>, source: string): string {
  const uid = accountMap.get(source);
  if (uid === undefined) throw new Error(`AMLworld account ${source} was not mapped`);
  return uid;
}

const preferredCache = new WeakMap<PatternFile, Map<string, string>>();

/** Each AMLworld account's most used currency (ties: the first seen), in order of first appearance. */
function preferredCurrency(file: PatternFile): Map<string, string> {
  const cached = preferredCache.get(file);
  if (cached) return cached;
  const counts = new Map<string, Map<string, number>>();
  const count = (account: string, currency: string): void => {
    let perCurrency = counts.get(account);
    if (!perCurrency) counts.set(account, (perCurrency = new Map<string, number>()));
    perCurrency.set(currency, (perCurrency.get(currency) ?? 0) + 1);
  };
  for (const block of file.blocks) {
    for (const row of block.rows) {
      count(ids.account(row.fromBank, row.fromAccount), row.paidCurrency);
      count(ids.account(row.toBank, row.toAccount), row.receivedCurrency);
    }
  }
  const preferred = new Map<string, string>();
  for (const [account, perCurrency] of counts) {
    let best = '';
    let bestCount = 0;
    for (const [currency, n] of perCurrency) {
      if (n > bestCount) [best, bestCount] = [currency, n];
    }
    preferred.set(account, best);
  }
  preferredCache.set(file, preferred);
  return preferred;
}

/** Deterministic, injective: see {@link planPatternInjection}. */
function mapAccounts(file: PatternFile, target: InjectionTarget): Map<string, string> {
  const preferred = preferredCurrency(file);
  if (preferred.size > target.candidates.length) {
    throw new InvalidInputError(
      `${basename(file.path)} names ${preferred.size} distinct accounts, but the bank has only ${target.candidates.length} accounts they can be grafted onto (active customer accounts opened 30 days or more before the period, in no generated instance); use a larger profile`,
      [
        {
          field: 'injectPatterns',
          rule: `needs at most ${target.candidates.length} distinct accounts for this bank`,
        },
      ],
    );
  }
  const order = shuffled(target.candidates, Rng.for(target.seed, 'inject-patterns', 'accounts'));
  const byCurrency = new Map<string, InjectionCandidate[]>();
  for (const candidate of order) {
    let pool = byCurrency.get(candidate.currency);
    if (!pool) byCurrency.set(candidate.currency, (pool = []));
    pool.push(candidate);
  }
  const cursors = new Map<string, number>();
  let anyCursor = 0;
  const used = new Set<string>();
  const map = new Map<string, string>();
  for (const [account, currency] of preferred) {
    let chosen: InjectionCandidate | undefined;
    const pool = byCurrency.get(currency) ?? [];
    let cursor = cursors.get(currency) ?? 0;
    while (cursor < pool.length && used.has(pool[cursor]?.uid ?? '')) cursor += 1;
    if (cursor < pool.length) chosen = pool[cursor++];
    cursors.set(currency, cursor);
    if (!chosen) {
      while (anyCursor < order.length && used.has(order[anyCursor]?.uid ?? '')) anyCursor += 1;
      chosen = order[anyCursor++];
    }
    if (!chosen) throw new Error('ran out of candidates after checking there were enough');
    used.add(chosen.uid);
    map.set(account, chosen.uid);
  }
  return map;
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

interface Placement {
  /** Whole days added to every timestamp of the attempt (negative: moved back). */
  shiftDays: number;
  /** 0-based day of the period on which the attempt starts. */
  day: number;
}

/**
 * A whole-day shift that puts the attempt, whole, inside the period (see planPatternInjection).
 * Only whole UTC days of the period receive attempts (all of them when the period starts at
 * midnight UTC).
 */
function placeAttempt(block: PatternBlock, target: InjectionTarget): Placement {
  const times = block.rows.map((row) => row.timestamp);
  const firstDay = Math.floor(Math.min(...times) / DAY_MS);
  const spanDays = Math.floor(Math.max(...times) / DAY_MS) - firstDay + 1;
  const { clock } = target;
  const periodFirstDay = Math.ceil(clock.windowStart / DAY_MS);
  const periodDays = Math.floor(clock.windowEnd / DAY_MS) - periodFirstDay;
  if (spanDays > periodDays) {
    throw new InvalidInputError(
      `The ${block.patternName} attempt at line ${block.line} spans ${spanDays} days, more than the ${periodDays} whole days of the period it should be injected into; use a longer period (--days)`,
      [{ field: 'days', rule: `must give at least ${spanDays} whole days to hold every attempt` }],
    );
  }
  const day = Rng.for(target.seed, 'inject-patterns', 'place', block.ordinal).int(
    0,
    periodDays - spanDays,
  );
  return { shiftDays: periodFirstDay + day - firstDay, day };
}

function attemptRecord(
  block: PatternBlock,
  instanceId: string,
  ordered: readonly MovementEdge[],
  placement: Placement,
  file: PatternFile,
  sourceOf: ReadonlyMap<string, string>,
): GroundTruthRecord {
  const entities: string[] = [];
  const seen = new Set<string>();
  for (const edge of ordered) {
    for (const uid of [edge.from, edge.to]) {
      if (!seen.has(uid)) {
        seen.add(uid);
        entities.push(uid);
      }
    }
  }
  const parameters: Record<string, string | number | boolean | readonly string[]> = {
    pattern: block.patternName,
    file: basename(file.path),
    beginLine: block.line,
    rows: block.rows.length,
    injected: true,
    startDay: placement.day,
    shiftDays: placement.shiftDays,
    sourceAccounts: entities.map((uid) => sourceOf.get(uid) ?? ''),
  };
  if (block.detail !== undefined) parameters.detail = block.detail;
  if (block.maxDegree !== undefined) parameters.maxDegree = block.maxDegree;
  if (block.maxHops !== undefined) parameters.maxHops = block.maxHops;
  const firstEdge = ordered[0];
  const lastEdge = ordered[ordered.length - 1];
  return {
    instanceId,
    typology: block.typology,
    decoy: false,
    source: 'amlworld',
    entities,
    movements: ordered.map((edge) => edge.eid),
    ...(firstEdge && lastEdge
      ? { window: { from: firstEdge.props.timestamp, to: lastEdge.props.timestamp } }
      : {}),
    parameters,
  };
}
