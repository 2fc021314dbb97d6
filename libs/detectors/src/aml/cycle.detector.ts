import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import { isCashPoint } from '../core/account-directory';
import type {
  EvaluatorContext,
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { receivedCurrency, receivedMinor } from '../core/evaluator-helpers';
import { durationText, instant, money, MS_PER_DAY } from '../core/format';
import { roundScore } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type CycleParams = TransferFilterParams & {
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
  private readonly filter: TransferFilter;

  constructor(
    private readonly params: CycleParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.filter = new TransferFilter(params);
    this.outgoing = new KeyedWindows<Movement>(this.windowMs);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
  }

  onMovement(m: Movement): AlertDraft[] {
    // Cash through a branch or ATM is not the same money coming back, purchases are no hop, and
    // ordinary commerce and small change are left out (see TransferFilter).
    const accounts = this.context.accounts;
    if (
      !this.filter.accepts(m) ||
      isCashPoint(accounts, m.fromAccount) ||
      isCashPoint(accounts, m.toAccount)
    ) {
      return [];
    }
    const path = this.findCycleClosedBy(m);
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

    // Amounts are compared in the hop's own currency: what its sender received before.
    const hopOk = (previous: Movement, next: Movement): boolean =>
      next.currency === receivedCurrency(previous) &&
      next.amountMinor >= receivedMinor(previous) * (1 - maxHopLoss) &&
      next.amountMinor <= receivedMinor(previous) * (1 + maxHopGain);

    const closes = (): boolean => {
      const first = path[0];
      const last = path[path.length - 1];
      return (
        path.length + 1 >= minLength &&
        closing.timestamp > last.timestamp &&
        hopOk(last, closing) &&
        receivedCurrency(closing) === first.currency &&
        receivedMinor(closing) >= first.amountMinor * minRetained
      );
    };

    // Bounds on the first hop implied by the closing one: at most what came back / minRetained,
    // at least what came back shrunk by the largest gain over the longest cycle.
    const backMinor = receivedMinor(closing);
    const firstMax = minRetained > 0 ? backMinor / minRetained : Number.POSITIVE_INFINITY;
    const firstMin = closing.amountMinor / (1 + maxHopGain) ** Math.max(1, maxLength - 1);

    const walk = (account: string, after: number): boolean => {
      const window = this.outgoing.get(account, closing.timestamp);
      if (!window) return false;
      let found = false;
      window.forEachAfter(Math.max(after, earliest - 1), (next) => {
        if (budget <= 0 || next.timestamp >= closing.timestamp) return false;
        const previous = path[path.length - 1];
        if (previous) {
          if (!hopOk(previous, next)) return true;
        } else if (
          next.currency !== receivedCurrency(closing) ||
          next.amountMinor > firstMax ||
          next.amountMinor < firstMin
        ) {
          return true;
        }
        budget -= 1;
        path.push(next);
        if (next.toAccount === target) {
          if (closes()) {
            found = true;
            return false;
          }
        } else if (!visited.has(next.toAccount) && path.length + 1 < maxLength) {
          visited.add(next.toAccount);
          if (walk(next.toAccount, next.timestamp)) {
            found = true;
            return false;
          }
          visited.delete(next.toAccount);
        }
        path.pop();
        return true;
      });
      return found;
    };

    return walk(start, earliest - 1) ? [...path, closing] : undefined;
  }

  private draft(cycle: Movement[]): AlertDraft {
    const accounts = cycle.map((m) => m.fromAccount);
    const key = canonicalCycle(accounts);
    const first = cycle[0];
    const last = cycle[cycle.length - 1];
    const retained = receivedMinor(last) / first.amountMinor;
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
        `${money(receivedMinor(last), receivedCurrency(last))} came back (${Math.round(retained * 1000) / 10}% retained).`,
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
  version: '1.1.0',
  typology: 'cycle',
  family: 'aml',
  specificity: 2,
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
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (config: DetectorsConfig): CycleParams => ({
    ...DEFAULT_TRANSFER_FILTER,
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
  createEvaluator: (params, context) => new CycleEvaluator(params, context),
};
