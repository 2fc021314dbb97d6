import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import type { ActivityDetector, AlertDraft, AlertParty, Evaluator } from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { durationText, instant, money, MS_PER_DAY } from '../core/format';
import { roundScore } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';

export type CycleParams = {
  windowDays: number;
  /** Fewest accounts in a cycle (2 would flag every repaid loan). */
  minLength: number;
  /** Most accounts in a cycle. */
  maxLength: number;
  /** The closing amount must be at least this share of the first amount. */
  minRetained: number;
  /** Largest share one hop may lose against the previous hop (AMLSim keeps 10% per hop). */
  maxHopLoss: number;
  /** A hop may carry at most this share more than the previous hop. */
  maxHopGain: number;
  /** Search effort cap per closing movement (paths tried), so hubs cannot stall a stream. */
  maxExpansions: number;
};

const RULE_ID = 'aml.cycle';

/** The cycle's accounts rotated to start at the smallest id: one key per cycle, whatever the start. */
export function canonicalCycle(accounts: readonly string[]): string {
  let best = 0;
  for (let i = 1; i < accounts.length; i += 1) if (accounts[i] < accounts[best]) best = i;
  return [...accounts.slice(best), ...accounts.slice(0, best)].join('>');
}

class CycleEvaluator implements Evaluator {
  /** Recent movements by sender (the out-edges the search walks). */
  private readonly outgoing: KeyedWindows<Movement>;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;

  constructor(private readonly params: CycleParams) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.outgoing = new KeyedWindows<Movement>(this.windowMs);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
  }

  onMovement(m: Movement): AlertDraft[] {
    const path = m.fromAccount === m.toAccount ? undefined : this.findCycleClosedBy(m);
    this.outgoing.push(m.fromAccount, m);
    return path ? [this.draft(path)] : [];
  }

  stateSize(): number {
    return this.outgoing.size() + this.episodes.size();
  }

  /**
   * Depth-first search for a time-respecting path from the receiver of `closing` back to its
   * sender: timestamps strictly increase along the path and stay inside the window that ends
   * with `closing`; each hop's amount stays within the loss/gain tolerance of the previous one.
   * Paths are tried in time order, so the answer is deterministic.
   */
  private findCycleClosedBy(closing: Movement): Movement[] | undefined {
    const { minLength, maxLength, minRetained, maxHopLoss, maxHopGain } = this.params;
    const start = closing.toAccount;
    const target = closing.fromAccount;
    const earliest = closing.timestamp - this.windowMs;
    let budget = this.params.maxExpansions;
    const path: Movement[] = [];
    const visited = new Set<string>([start]);

    const hopOk = (previous: Movement, next: Movement): boolean =>
      next.currency === previous.currency &&
      next.amountMinor >= previous.amountMinor * (1 - maxHopLoss) &&
      next.amountMinor <= previous.amountMinor * (1 + maxHopGain);

    const closes = (): boolean => {
      const first = path[0];
      const last = path[path.length - 1];
      return (
        path.length + 1 >= minLength &&
        closing.timestamp > last.timestamp &&
        hopOk(last, closing) &&
        closing.amountMinor >= first.amountMinor * minRetained
      );
    };

    const walk = (account: string, after: number): boolean => {
      const window = this.outgoing.get(account, closing.timestamp);
      if (!window) return false;
      for (const next of window.values()) {
        if (budget <= 0) return false;
        if (
          next.timestamp <= after ||
          next.timestamp < earliest ||
          next.timestamp >= closing.timestamp
        )
          continue;
        const previous = path[path.length - 1];
        if (previous ? !hopOk(previous, next) : next.currency !== closing.currency) continue;
        budget -= 1;
        path.push(next);
        if (next.toAccount === target) {
          if (closes()) return true;
        } else if (
          !visited.has(next.toAccount) &&
          next.toAccount !== target &&
          path.length + 1 < maxLength
        ) {
          visited.add(next.toAccount);
          if (walk(next.toAccount, next.timestamp)) return true;
          visited.delete(next.toAccount);
        }
        path.pop();
      }
      return false;
    };

    return walk(start, earliest - 1) ? [...path, closing] : undefined;
  }

  private draft(cycle: Movement[]): AlertDraft {
    const accounts = cycle.map((m) => m.fromAccount);
    const key = canonicalCycle(accounts);
    const first = cycle[0];
    const last = cycle[cycle.length - 1];
    const retained = last.amountMinor / first.amountMinor;
    const fingerprint = this.episodes.fingerprint([key], first.timestamp, last.timestamp);
    const parties: AlertParty[] = accounts.map((uid, i): AlertParty => ({
      uid,
      role: i === 0 ? 'subject' : 'member',
    }));
    const span = last.timestamp - first.timestamp;
    return {
      fingerprint,
      subject: first.fromAccount,
      // Shorter spans and higher retention look more deliberate.
      score: roundScore(0.55 + 0.25 * retained + 0.2 * (1 - span / this.windowMs)),
      explanation:
        `Money went around a cycle of ${accounts.length} accounts (${[...accounts, first.fromAccount].join(' -> ')}) ` +
        `in strictly increasing time from ${instant(first.timestamp)} to ${instant(last.timestamp)} ` +
        `(${durationText(span)}): ${money(first.amountMinor, first.currency)} left and ` +
        `${money(last.amountMinor, last.currency)} came back (${Math.round(retained * 1000) / 10}% retained).`,
      windowStart: first.timestamp,
      windowEnd: last.timestamp,
      movements: cycle,
      parties,
      facts: {
        length: accounts.length,
        firstMinor: first.amountMinor,
        lastMinor: last.amountMinor,
        cycle: key,
      },
    };
  }
}

/**
 * Time-respecting cycles: funds leave an account and return to it through other accounts, each
 * hop later than the one before, within the window, keeping most of the amount.
 */
export const cycleDetector: ActivityDetector<CycleParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'cycle',
  family: 'aml',
  description:
    'Funds that return to their origin through other accounts with strictly increasing timestamps inside the window, losing at most a small margin per hop.',
  source:
    'IBM AMLSim CycleTypology (amount x 0.9 per hop) and IBM AMLworld cycle pattern (Altman et al. 2023)',
  parameters: [
    {
      name: 'windowDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Longest time from first to closing hop.',
    },
    {
      name: 'minLength',
      kind: 'integer',
      min: 2,
      max: 12,
      description: 'Fewest accounts in a cycle.',
    },
    {
      name: 'maxLength',
      kind: 'integer',
      min: 2,
      max: 12,
      description: 'Most accounts in a cycle.',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Share of the first amount the closing hop must bring back.',
    },
    {
      name: 'maxHopLoss',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Largest share one hop may lose.',
    },
    {
      name: 'maxHopGain',
      kind: 'number',
      min: 0,
      max: 10,
      description: 'Largest share one hop may gain.',
    },
    {
      name: 'maxExpansions',
      kind: 'integer',
      min: 1,
      max: 1000000,
      description: 'Paths tried per closing movement.',
    },
  ],
  defaults: (config: DetectorsConfig): CycleParams => ({
    windowDays: config.windowDays,
    minLength: 3,
    maxLength: config.cycleMaxLength,
    minRetained: config.cycleMinRetained,
    maxHopLoss: 0.25,
    maxHopGain: 0.05,
    maxExpansions: 20000,
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params) => new CycleEvaluator(params),
};
