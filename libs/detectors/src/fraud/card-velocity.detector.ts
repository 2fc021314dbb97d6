import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import type { AccountEvent } from '../core/activity';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { inTimeOrder, tracks } from '../core/evaluator-helpers';
import { instant, MS_PER_DAY } from '../core/format';
import { scoreAbove } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';

export type CardVelocityParams = {
  /** Accounts (users) on one card or IP within 24 hours that fire. */
  minAccountsPerIdentifier: number;
  /** Cards used by one account within 24 hours that fire. */
  minCardsPerAccount: number;
  /** Identifier kinds watched for many users (prefix of the identifier uid). */
  sharedKinds: readonly string[];
};

const RULE_ID = 'fraud.card-velocity';

interface Use {
  timestamp: number;
  account: string;
  identifier: string;
  movement?: Movement;
  event?: AccountEvent;
}

function kindOf(identifierUid: string): string {
  const colon = identifierUid.indexOf(':');
  return colon < 0 ? '' : identifierUid.slice(0, colon);
}

class CardVelocityEvaluator implements Evaluator {
  private readonly byIdentifier = new KeyedWindows<Use>(MS_PER_DAY - 1);
  private readonly cardsByAccount = new KeyedWindows<Use>(MS_PER_DAY - 1);
  private readonly episodes = new EpisodeTracker(RULE_ID, MS_PER_DAY);
  private readonly sharedKinds: ReadonlySet<string>;

  constructor(
    private readonly params: CardVelocityParams,
    private readonly context: EvaluatorContext,
  ) {
    this.sharedKinds = new Set(params.sharedKinds);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (m.identifierUid === undefined) return [];
    return this.use({
      timestamp: m.timestamp,
      account: m.fromAccount,
      identifier: m.identifierUid,
      movement: m,
    });
  }

  onEvent(e: AccountEvent): AlertDraft[] {
    if (e.identifierUid === undefined) return [];
    return this.use({
      timestamp: e.timestamp,
      account: e.accountId,
      identifier: e.identifierUid,
      event: e,
    });
  }

  stateSize(): number {
    return this.byIdentifier.size() + this.cardsByAccount.size() + this.episodes.size();
  }

  private use(u: Use): AlertDraft[] {
    const drafts: AlertDraft[] = [];
    const kind = kindOf(u.identifier);
    if (this.sharedKinds.has(kind) && tracks(this.context, u.identifier)) {
      const uses = this.byIdentifier.push(u.identifier, u).values();
      const accounts = [...new Set(uses.map((x) => x.account))].sort();
      if (accounts.length >= this.params.minAccountsPerIdentifier) {
        const parties: AlertParty[] = [
          { uid: u.identifier, role: 'subject' },
          ...accounts.map((uid): AlertParty => ({ uid, role: 'member' })),
        ];
        drafts.push(
          this.draft(
            u.identifier,
            uses,
            parties,
            accounts.length,
            this.params.minAccountsPerIdentifier,
            `${kind === 'ip' ? 'IP address' : kind} ${u.identifier} was used by ${accounts.length} accounts`,
          ),
        );
      }
    }
    if (kind === 'card' && tracks(this.context, u.account)) {
      const uses = this.cardsByAccount.push(u.account, u).values();
      const cards = [...new Set(uses.map((x) => x.identifier))].sort();
      if (cards.length >= this.params.minCardsPerAccount) {
        const parties: AlertParty[] = [
          { uid: u.account, role: 'subject' },
          ...cards.map((uid): AlertParty => ({ uid, role: 'identifier' })),
        ];
        drafts.push(
          this.draft(
            u.account,
            uses,
            parties,
            cards.length,
            this.params.minCardsPerAccount,
            `Account ${u.account} used ${cards.length} different cards`,
          ),
        );
      }
    }
    return drafts;
  }

  private draft(
    key: string,
    uses: readonly Use[],
    parties: AlertParty[],
    count: number,
    min: number,
    what: string,
  ): AlertDraft {
    const start = uses[0].timestamp;
    const end = uses[uses.length - 1].timestamp;
    const movements = inTimeOrder(uses.flatMap((x) => (x.movement ? [x.movement] : [])));
    const events = uses.flatMap((x) => (x.event ? [x.event] : []));
    return {
      fingerprint: this.episodes.fingerprint([key], start, end),
      subject: key,
      score: scoreAbove(count, min, min * 3),
      explanation: `${what} within 24 hours (${instant(start)} to ${instant(end)}, ${uses.length} uses); the rule fires at ${min}.`,
      windowStart: start,
      windowEnd: end,
      movements,
      events,
      parties,
      facts: { distinct: count, uses: uses.length },
    };
  }
}

/** Card and IP velocity: one card or IP used by many accounts a day, or one account using many cards. */
export const cardVelocityDetector: ActivityDetector<CardVelocityParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'card-velocity',
  family: 'fraud',
  description:
    'One card or IP used by 10 or more accounts within 24 hours, or one account using 10 or more cards within 24 hours.',
  source:
    'Card-testing and credential-stuffing indicators (Visa/Mastercard fraud guidance); DOMAIN.md section 3',
  parameters: [
    {
      name: 'minAccountsPerIdentifier',
      kind: 'integer',
      min: 2,
      max: 100000,
      description: 'Accounts on one card or IP within 24 hours.',
    },
    {
      name: 'minCardsPerAccount',
      kind: 'integer',
      min: 2,
      max: 100000,
      description: 'Cards of one account within 24 hours.',
    },
    {
      name: 'sharedKinds',
      kind: 'stringList',
      description: 'Identifier kinds watched for many users (card, ip).',
    },
  ],
  defaults: (_config: DetectorsConfig): CardVelocityParams => ({
    minAccountsPerIdentifier: 10,
    minCardsPerAccount: 10,
    sharedKinds: ['card', 'ip'],
  }),
  lookbackMs: () => MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new CardVelocityEvaluator(params, context),
};
