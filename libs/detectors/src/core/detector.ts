import type { DetectorsConfig } from '@app/settings';
import type {
  BaseMoney,
  FlagRole,
  IdentifierKind,
  Movement,
  Severity,
  Typology,
} from '@app/vocabulary';
import type { AccountDirectory } from './account-directory';
import type { AccountEvent } from './activity';

/** A parameter value of a rule: numbers (amounts are integer minor units), flags, lists. */
export type ParamValue = number | string | boolean | readonly string[];

/** Resolved parameters of one rule, by name. */
export type DetectorParams = Readonly<Record<string, ParamValue>>;

/** Describes one parameter so that overrides can be checked and documented. */
export interface ParameterSpec {
  name: string;
  kind: 'integer' | 'number' | 'boolean' | 'string' | 'decimal' | 'stringList';
  description: string;
  min?: number;
  max?: number;
  /** Allowed values of a string parameter. */
  values?: readonly string[];
}

/** A party of an alert and why it is there (vocabulary FLAG_ROLES). */
export interface AlertParty {
  uid: string;
  role: FlagRole;
}

/**
 * What one evaluator reports when its rule fires. The engine adds the rule metadata
 * (id, version, typology, severity) and turns it into a {@link DetectedAlert}.
 */
export interface AlertDraft {
  /** Deterministic dedupe key: rule + key entity + episode start (see EpisodeTracker). */
  fingerprint: string;
  /** The key entity the alert is about (an account, a beneficiary, a ring's first member). */
  subject: string;
  score: number;
  /** One sentence with the actual numbers, amounts formatted with formatMinorUnits. */
  explanation: string;
  windowStart: number;
  windowEnd: number;
  /** Evidence movements in time order. */
  movements: readonly Movement[];
  /** Evidence events (logins, credential changes) in time order, when the rule uses them. */
  events?: readonly AccountEvent[];
  /** Vertices to flag, subject first. */
  parties: readonly AlertParty[];
  /** Numbers behind the explanation, for the API and the evaluation report. */
  facts: Readonly<Record<string, number | string>>;
}

/** One feature behind a learned model's score, in an analyst's words. */
export interface AlertRiskReason {
  feature: string;
  /** Change of the model's log-odds this feature made (positive raises the score). */
  effect: number;
  text: string;
}

/**
 * What a learned risk model (RISK_MODEL_FILE) says about the movement that raised the alert.
 * Set by a MovementRiskHook; absent when no model is configured.
 */
export interface AlertRisk {
  modelVersion: string;
  /** Probability of laundering estimated by the model, 0 to 1. */
  score: number;
  threshold: number;
  /** The features that raised the score most, strongest first. */
  reasons: AlertRiskReason[];
}

/** An alert as detection produces it (before it is stored). */
export interface DetectedAlert extends AlertDraft {
  alertId: string;
  ruleId: string;
  ruleVersion: string;
  typology: Typology;
  severity: Severity;
  /** The learned model's score of the movement that raised it, when a model is configured. */
  risk?: AlertRisk;
}

/**
 * The incremental evaluator of one rule: fed movements (and account events) in time order,
 * it keeps bounded state (sliding windows with eviction) and reports alerts as soon as the
 * rule fires. Batch mode replays stored movements through a fresh evaluator, stream mode keeps
 * one alive; both therefore raise the same alerts by construction.
 */
export interface Evaluator {
  onMovement(movement: Movement): AlertDraft[];
  onEvent?(event: AccountEvent): AlertDraft[];
  /** Entries held in state (windows, indexes); lets tests and benchmarks check boundedness. */
  stateSize(): number;
}

export interface EvaluatorContext {
  accounts: AccountDirectory;
  /**
   * Amounts in the base currency, at each movement's date: every amount comparison of a rule
   * (similarity, retained share, decay, thresholds) goes through it.
   */
  money: BaseMoney;
  /**
   * When set, only these keys (accounts) may be tracked and alerted on: batch mode over the
   * store replays only the movements of candidate accounts, so other keys would see partial
   * data. Stream mode leaves it unset.
   */
  keyFilter?: ReadonlySet<string>;
  /**
   * Since when the evaluator sees every movement (batch: the start of the replay, look-back
   * included). Unset in stream mode: the first activity fed marks it. Rules that reason about
   * absence (dormancy) need it.
   */
  observedSince?: number;
}

/**
 * How batch mode over the graph store finds the movements a rule needs, without pulling the
 * whole graph: a paged scan of the window (optionally by channel), or candidates selected by
 * the store (`selectFanCandidates`) whose movements are then fetched.
 */
export type BatchPlan =
  | { kind: 'scan'; channels?: readonly string[]; needsEvents?: false }
  /** Candidates from `selectFanCandidates`; per-key state as for 'accounts'. */
  | { kind: 'fan'; direction: 'in' | 'out'; minCounterparties: number; needsEvents?: false }
  | {
      /**
       * Candidate accounts picked from the window scan; their movements (in `direction`) and,
       * when needed, their events are then fetched and replayed. Only for rules whose state
       * is per account, so candidates can be replayed in independent chunks.
       */
      kind: 'accounts';
      direction: 'in' | 'out' | 'both';
      select: (movement: Movement) => readonly string[];
      /** Whether the rule reads the candidates' events (HAS_EVENT). */
      needsEvents: boolean;
    };

interface RuleMetadata<P extends DetectorParams> {
  /** Stable rule id such as `aml.structuring`. */
  readonly id: string;
  /** Bumped whenever the logic or defaults change; stored on every alert. */
  readonly version: string;
  readonly typology: Typology;
  readonly family: 'aml' | 'fraud';
  /** What the rule looks for, in one or two sentences. */
  readonly description: string;
  /** Regulation or public rule library the rule follows. */
  readonly source: string;
  /**
   * 'suspicion' (default): the alert suggests laundering or fraud. 'reporting': the alert
   * marks a reporting obligation (e.g. an aggregated currency transaction report), which
   * ordinary customers trigger too; evaluations keep such rules out of precision.
   */
  readonly purpose?: 'suspicion' | 'reporting';
  /**
   * How specific the pattern is (default 0). When two alerts show the same movements, case
   * consolidation keeps the more specific one (a mule chain over a layering walk).
   */
  readonly specificity?: number;
  readonly parameters: readonly ParameterSpec[];
  /** Defaults, taken from the `detectors` settings where a setting exists. */
  defaults(config: DetectorsConfig): P;
}

/** A rule that reads movements and events in time order (every rule except rings). */
export interface ActivityDetector<
  P extends DetectorParams = DetectorParams,
> extends RuleMetadata<P> {
  readonly kind: 'activity';
  /** History needed before a batch window so that the evaluator starts warm. */
  lookbackMs(params: P): number;
  /** `money` converts amounts for a candidate filter that compares them (base currency). */
  batchPlan(params: P, money: BaseMoney): BatchPlan;
  createEvaluator(params: P, context: EvaluatorContext): Evaluator;
}

/** Two or more accounts that share identifiers (input of structural rules). */
export interface SharedIdentifierInput {
  identifierUid: string;
  kind: IdentifierKind;
  accountIds: readonly string[];
}

/** What structural rules read: shared identifiers and, when known, the holders of accounts. */
export interface StructuralInput {
  shared: readonly SharedIdentifierInput[];
  /**
   * Holders (Person/Company uids) per account. Accounts with a common holder are one customer,
   * so their shared identifiers link nothing. Accounts missing here count as their own customer.
   */
  holders?: ReadonlyMap<string, readonly string[]>;
}

/** A rule over the graph's structure rather than over a stream of movements (fraud rings). */
export interface StructuralDetector<
  P extends DetectorParams = DetectorParams,
> extends RuleMetadata<P> {
  readonly kind: 'structural';
  /** Hub cap handed to the store's `findSharedIdentifiers`. */
  hubCap(params: P): number;
  /** Identifier kinds to consider (all when undefined). */
  kinds(params: P): readonly IdentifierKind[] | undefined;
  /** `now` dates the alerts (rings have no movements to date them by). */
  detect(input: StructuralInput, params: P, now: number): AlertDraft[];
}

export type Detector<P extends DetectorParams = DetectorParams> =
  ActivityDetector<P> | StructuralDetector<P>;
