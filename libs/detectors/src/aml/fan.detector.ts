import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import { isCashPoint } from '../core/account-directory';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { durationText, instant, MS_PER_DAY, totalText } from '../core/format';
import { scoreAbove } from '../core/scoring';
import { TimeWindow } from '../core/time-window';

export type FanParams = {
  windowDays: number;
  /** Distinct counterparties needed to fire ("more than 4" = 5). */
  minCounterparties: number;
  /** Channels left out (e.g. card payments into a merchant). Empty by default. */
  ignoredChannels: readonly string[];
};

type Direction = 'in' | 'out';

interface KeyState {
  window: TimeWindow<Movement>;
  /** Movements per counterparty inside the window. */
  counts: Map<string, number>;
}

class FanEvaluator implements Evaluator {
  private readonly states = new Map<string, KeyState>();
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly ignored: ReadonlySet<string>;
  private seen = 0;

  constructor(
    ruleId: string,
    private readonly direction: Direction,
    private readonly params: FanParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.episodes = new EpisodeTracker(ruleId, this.windowMs);
    this.ignored = new Set(params.ignoredChannels);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (this.ignored.has(m.channel) || m.fromAccount === m.toAccount) return [];
    const key = this.direction === 'out' ? m.fromAccount : m.toAccount;
    const other = this.direction === 'out' ? m.toAccount : m.fromAccount;
    if (!tracks(this.context, key) || isCashPoint(this.context.accounts, key)) return [];
    this.seen += 1;
    if (this.seen % 4096 === 0) this.sweep(m.timestamp);

    let state = this.states.get(key);
    if (!state) {
      state = { window: new TimeWindow<Movement>(), counts: new Map() };
      this.states.set(key, state);
    }
    this.evict(state, m.timestamp);
    state.window.push(m);
    state.counts.set(other, (state.counts.get(other) ?? 0) + 1);

    const counterparties = state.counts.size;
    if (counterparties < this.params.minCounterparties) return [];
    const movements = state.window.values();
    const start = movements[0].timestamp;
    const fingerprint = this.episodes.fingerprint([key], start, m.timestamp);
    const others = [...state.counts.keys()].sort();
    const parties: AlertParty[] = [
      { uid: key, role: 'subject' },
      ...others.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const verb = this.direction === 'out' ? 'sent' : 'received';
    const preposition = this.direction === 'out' ? 'to' : 'from';
    return [
      {
        fingerprint,
        subject: key,
        score: scoreAbove(
          counterparties,
          this.params.minCounterparties,
          this.params.minCounterparties * 3,
        ),
        explanation:
          `Account ${key} ${verb} ${movements.length} payments ${preposition} ${counterparties} distinct ` +
          `counterparties within ${durationText(this.windowMs)} (${instant(start)} to ${instant(m.timestamp)}), ` +
          `totalling ${totalText(movements)}; the rule fires at ${this.params.minCounterparties} or more.`,
        windowStart: start,
        windowEnd: m.timestamp,
        movements,
        parties,
        facts: { counterparties, transactions: movements.length, direction: this.direction },
      },
    ];
  }

  stateSize(): number {
    let total = this.episodes.size();
    for (const state of this.states.values()) total += state.window.length;
    return total;
  }

  private evict(state: KeyState, now: number): void {
    state.window.evictBefore(now - this.windowMs, (old) => {
      const other = this.direction === 'out' ? old.toAccount : old.fromAccount;
      const left = (state.counts.get(other) ?? 1) - 1;
      if (left <= 0) state.counts.delete(other);
      else state.counts.set(other, left);
    });
  }

  private sweep(now: number): void {
    for (const [key, state] of this.states) {
      this.evict(state, now);
      if (state.window.length === 0) this.states.delete(key);
    }
  }
}

function fanDetector(direction: Direction): ActivityDetector<FanParams> {
  const id = direction === 'out' ? 'aml.fan-out' : 'aml.fan-in';
  return {
    kind: 'activity',
    id,
    version: '1.0.0',
    typology: direction === 'out' ? 'fan-out' : 'fan-in',
    family: 'aml',
    description:
      direction === 'out'
        ? 'One account pays many distinct counterparties within the window (more than 4 in 30 days by default).'
        : 'One account is paid by many distinct counterparties within the window (more than 4 in 30 days by default).',
    source: `Flagright transaction-rules library (${direction === 'out' ? 'fan-out' : 'fan-in'}: more than 4 counterparties in 30 days); IBM AMLSim ${direction === 'out' ? 'FanOut' : 'FanIn'} typology`,
    parameters: [
      {
        name: 'windowDays',
        kind: 'integer',
        min: 1,
        max: 366,
        description: 'Rolling window in days.',
      },
      {
        name: 'minCounterparties',
        kind: 'integer',
        min: 2,
        max: 100000,
        description: 'Distinct counterparties needed to fire.',
      },
      { name: 'ignoredChannels', kind: 'stringList', description: 'Channels that do not count.' },
    ],
    defaults: (config: DetectorsConfig): FanParams => ({
      windowDays: config.windowDays,
      minCounterparties: config.fanMinCounterparties,
      ignoredChannels: [],
    }),
    lookbackMs: (params) => params.windowDays * MS_PER_DAY,
    batchPlan: (params) => ({
      kind: 'fan',
      direction,
      minCounterparties: params.minCounterparties,
    }),
    createEvaluator: (params, context) => new FanEvaluator(id, direction, params, context),
  };
}

/** Fan-out: one account paying many distinct counterparties in the window. */
export const fanOutDetector = fanDetector('out');
/** Fan-in: one account paid by many distinct counterparties in the window. */
export const fanInDetector = fanDetector('in');
