import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isMonitored } from '../core/account-directory';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { inTimeOrder, tracks } from '../core/evaluator-helpers';
import { CounterpartyHistory, spreadShare } from '../core/fan-history';
import type { Burst } from '../core/fan-history';
import { durationText, instant, MS_PER_DAY, plural, totalText } from '../core/format';
import { minorIn } from '../core/parameters';
import { roundScore } from '../core/scoring';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type GatherScatterParams = TransferFilterParams & {
  /** Window from the first gathered transfer to the last scattered one. */
  windowDays: number;
  /** History before the window that makes a counterparty known (and gives the usual volume). */
  historyDays: number;
  minSources: number;
  minDestinations: number;
  /** Sources and destinations at which the pattern fires whatever its total. */
  minCounterparties: number;
  /** Total (base currency, major units) a smaller gathering must reach. */
  minTotal: string;
  /**
   * Fewer sources than minCounterparties: share of the gathering from sources other than the
   * largest one, at least; and of the scatter to destinations other than the largest when they
   * are fewer than minCounterparties too.
   */
  minSpreadShare: number;
  /** Paid out after the gathering: at least this share of what was gathered. */
  minRetained: number;
  /** The gathering must be at least this many times the hub's usual incoming volume. */
  spikeFactor: number;
};

const RULE_ID = 'aml.gather-scatter';

/**
 * Base-currency totals gathered strictly before each of `times` (both in time order): one walk
 * over the gathering, not one per payment out (a busy hub has thousands of each).
 */
function gatheredBeforeEach(gathered: Burst, times: readonly number[]): number[] {
  const totals: number[] = [];
  let total = 0;
  let i = 0;
  for (const at of times) {
    while (i < gathered.movements.length && gathered.movements[i].timestamp < at) {
      total += gathered.baseAmounts[i];
      i += 1;
    }
    totals.push(total);
  }
  return totals;
}

/** Amounts summed per counterparty (the spread of a fan is over its counterparties, not its payments). */
function totalsByCounterparty(entries: readonly { party: string; base: number }[]): number[] {
  const totals = new Map<string, number>();
  for (const { party, base } of entries) totals.set(party, (totals.get(party) ?? 0) + base);
  return [...totals.values()];
}

class GatherScatterEvaluator implements Evaluator {
  private readonly ins: CounterpartyHistory;
  private readonly outs: CounterpartyHistory;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly filter: TransferFilter;
  private readonly ignored: ReadonlySet<string>;
  private readonly minTotalBase: number;

  constructor(
    private readonly params: GatherScatterParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    const historyMs = params.historyDays * MS_PER_DAY;
    this.filter = new TransferFilter(params, context.money);
    this.ignored = new Set(params.ignoredChannels);
    this.ins = new CounterpartyHistory(historyMs, this.windowMs);
    this.outs = new CounterpartyHistory(historyMs, this.windowMs);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
    this.minTotalBase = minorIn(params.minTotal, context.money.currency);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (m.fromAccount === m.toAccount || this.ignored.has(m.channel)) return [];
    const counted = this.filter.accepts(m);
    const baseMinor = counted ? this.context.money.of(m) : 0;
    if (tracks(this.context, m.toAccount) && isMonitored(this.context.accounts, m.toAccount)) {
      const entry = { timestamp: m.timestamp, counterparty: m.fromAccount, counted, baseMinor };
      this.ins.record(m.toAccount, { ...entry, movement: m });
    }
    const hub = m.fromAccount;
    if (!tracks(this.context, hub) || !isMonitored(this.context.accounts, hub)) return [];
    this.outs.record(hub, {
      timestamp: m.timestamp,
      counterparty: m.toAccount,
      counted,
      baseMinor,
      movement: m,
    });
    if (!counted) return [];
    // m scatters only to a destination new to the hub that is not one of the gathering's sources
    // (asked first: two look-ups, not two bursts).
    if (
      !this.outs.isNew(hub, m.toAccount, m.timestamp) ||
      this.ins.isInBurst(hub, m.toAccount, m.timestamp)
    )
      return [];
    const gathered = this.ins.burst(hub, m.timestamp);
    if (!gathered || gathered.movements.length === 0) return [];
    const gatherStart = gathered.movements[0].timestamp;
    const scatteredAll = this.outs.burst(hub, m.timestamp);
    if (!scatteredAll) return [];
    // The scatter follows the start of the gathering; paying a source back is not scattering.
    // A leg larger than everything gathered before it is paid from the hub's own money, not
    // passed on from the gathering (a bill paid before the money came in).
    const sourceSet = new Set(gathered.counterparties);
    const available = gatheredBeforeEach(
      gathered,
      scatteredAll.movements.map((x) => x.timestamp),
    );
    const keep = scatteredAll.movements
      .map((x, i) => ({ x, base: scatteredAll.baseAmounts[i], available: available[i] }))
      .filter(
        ({ x, base, available: before }) =>
          x.timestamp > gatherStart && !sourceSet.has(x.toAccount) && base <= before,
      );
    if (!keep.some(({ x }) => x === m)) return [];
    const destinations = [...new Set(keep.map(({ x }) => x.toAccount))].sort();
    const sources = gathered.counterparties;
    if (
      sources.length < this.params.minSources ||
      destinations.length < this.params.minDestinations
    )
      return [];
    const broad =
      sources.length >= this.params.minCounterparties &&
      destinations.length >= this.params.minCounterparties;
    const inTotal = gathered.totalBase;
    const outTotal = keep.reduce((sum, { base }) => sum + base, 0);
    // A broad pattern (many new sources, then many new destinations) is the shape itself; a
    // smaller one must be large and pass a share of the money on.
    if (!broad && inTotal < this.minTotalBase) return [];
    if (!broad && outTotal < inTotal * this.params.minRetained) return [];
    // A gathering from fewer sources must spread: not one large inflow (or one source paying
    // twice) beside small ones; and so must its scatter when it has fewer destinations too: one
    // large payment on beside a small everyday one is a forwarding hop, not a fan-out. (A
    // gathering from many new sources is the fan-in half by itself; AMLworld's may then pass
    // most of the money on in one payment.)
    const fewSources = sources.length < this.params.minCounterparties;
    const gatheredBySource = totalsByCounterparty(
      gathered.movements.map((x, i) => ({ party: x.fromAccount, base: gathered.baseAmounts[i] })),
    );
    if (fewSources && spreadShare(gatheredBySource) < this.params.minSpreadShare) return [];
    const fewDestinations = destinations.length < this.params.minCounterparties;
    const scatteredByDestination = totalsByCounterparty(
      keep.map(({ x, base }) => ({ party: x.toAccount, base })),
    );
    if (
      fewSources &&
      fewDestinations &&
      spreadShare(scatteredByDestination) < this.params.minSpreadShare
    )
      return [];
    if (inTotal < this.params.spikeFactor * gathered.usualPerWindow) return [];
    return [
      this.draft(
        hub,
        gathered,
        keep.map(({ x }) => x),
        destinations,
        outTotal,
        m.timestamp,
      ),
    ];
  }

  stateSize(): number {
    return this.ins.size() + this.outs.size() + this.episodes.size();
  }

  private draft(
    hub: string,
    gathered: Burst,
    scattered: Movement[],
    destinations: string[],
    outTotal: number,
    now: number,
  ): AlertDraft {
    const sources = gathered.counterparties;
    const inTotal = gathered.totalBase;
    const gatherStart = gathered.movements[0].timestamp;
    const base = (minor: number): string => formatBase(this.context.money, minor);
    const share = inTotal > 0 ? Math.round((outTotal / inTotal) * 1000) / 10 : 0;
    const parties: AlertParty[] = [
      { uid: hub, role: 'subject' },
      ...[...sources, ...destinations].map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    // Score: 0.5 at the gate, rising with the narrower side's breadth and with how close the
    // scattered total is to the gathered one.
    const breadth = Math.min(1, (Math.min(sources.length, destinations.length) - 2) / 8);
    const closeness = Math.max(0, 1 - Math.abs(1 - share / 100) / 0.5);
    return {
      fingerprint: this.episodes.fingerprint([hub], gatherStart, now),
      subject: hub,
      score: roundScore(0.5 + 0.35 * breadth + 0.15 * closeness),
      explanation:
        `Account ${hub} gathered ${totalText(gathered.movements)} (${base(inTotal)}) from ` +
        `${plural(sources.length, 'source')} new to it and then scattered ${totalText(scattered)} ` +
        `(${base(outTotal)}) to ${plural(destinations.length, 'other account')} between ` +
        `${instant(gatherStart)} and ${instant(now)} (${durationText(now - gatherStart)}), passing on ` +
        `${share}% of what came in; the rule looks ${durationText(this.windowMs)} back and fires at ` +
        `${this.params.minSources} sources and ${this.params.minDestinations} destinations when at least ` +
        `${base(this.minTotalBase)} is gathered and passes on at least ${Math.round(this.params.minRetained * 100)}% (or at ${this.params.minCounterparties} of each whatever the amounts).`,
      windowStart: gatherStart,
      windowEnd: now,
      movements: inTimeOrder([...gathered.movements, ...scattered]),
      parties,
      facts: {
        sources: sources.length,
        destinations: destinations.length,
        inBaseMinor: inTotal,
        outBaseMinor: outTotal,
        usualInBaseMinor: gathered.usualPerWindow,
      },
    };
  }
}

/**
 * Gather-scatter: one hub collects from several new sources and then pays at least a fifth of it out
 * to several other accounts (fan-in then fan-out, in that time order).
 */
export const gatherScatterDetector: ActivityDetector<GatherScatterParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '2.1.0',
  typology: 'gather-scatter',
  family: 'aml',
  specificity: 2,
  description:
    'One account collects from 2 or more sources new to it and then pays at least a fifth of it out to 2 or more other accounts within 14 days, gathering at least 10000.00 in the base currency (or 5 sources and 5 destinations whatever the amounts), at least 3 times its usual incoming volume. A payment out counts only when the hub had already gathered at least as much; with fewer than 5 sources, the sources other than the largest must carry 15% or more of the money, and so must the destinations other than the largest when there are fewer than 5.',
  source:
    'IBM AMLSim GatherScatter typology; IBM AMLworld gather-scatter pattern (Altman et al. 2023)',
  parameters: [
    {
      name: 'windowDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Window from first inflow to last outflow.',
    },
    {
      name: 'historyDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description:
        'History before the window: a source seen in it is known, not new; it also gives the usual volume.',
    },
    {
      name: 'minSources',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Distinct new sources needed.',
    },
    {
      name: 'minDestinations',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Distinct new destinations needed (sources paid back do not count).',
    },
    {
      name: 'minCounterparties',
      kind: 'integer',
      min: 2,
      max: 1000,
      description:
        'Sources and destinations at which the pattern fires whatever its total and share passed on.',
    },
    {
      name: 'minTotal',
      kind: 'decimal',
      description: 'Total a smaller gathering must reach, in the base currency (major units).',
    },
    {
      name: 'minSpreadShare',
      kind: 'number',
      min: 0,
      max: 1,
      description:
        'Fewer than minCounterparties sources: share of the money gathered from sources other than the largest one, at least; the same share of the scatter must go to destinations other than the largest when they are fewer than minCounterparties too.',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0,
      max: 10,
      description: 'Smallest share of the gathered amount paid out (smaller patterns).',
    },
    {
      name: 'spikeFactor',
      kind: 'number',
      min: 0,
      max: 1000,
      description:
        'The gathering must be at least this many times what the hub usually receives in such a window (0 = off).',
    },
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (config: DetectorsConfig): GatherScatterParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    windowDays: 14,
    historyDays: config.windowDays,
    minSources: 2,
    minDestinations: 2,
    minCounterparties: config.fanMinCounterparties,
    minTotal: '10000.00',
    minSpreadShare: 0.15,
    minRetained: 0.2,
    spikeFactor: 3,
  }),
  lookbackMs: (params) => (params.windowDays + params.historyDays) * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new GatherScatterEvaluator(params, context),
};
