import { Inject, Injectable, Optional } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import {
  accountEventOf,
  AlertRepository,
  compareActivities,
  conversionProblem,
  DetectorRegistry,
  MOVEMENT_RISK_HOOK,
  StoreAccountDirectory,
  StoreIdentifierUses,
  StreamDetectionEngine,
  timestampOf,
} from '@app/detectors';
import type {
  AccountEvent,
  Activity,
  AlertRisk,
  DetectedAlert,
  MovementRiskHook,
  MovementRiskHookFactory,
} from '@app/detectors';
import { GraphStore } from '@app/graph-store';
import {
  Clock,
  ConflictError,
  ids,
  InvalidInputError,
  movementEdge,
  sameEdgeValues,
  StreamUnavailableError,
} from '@app/vocabulary';
import type { FieldProblem, GraphEdge } from '@app/vocabulary';
import { ApiMetrics } from '../metrics/api-metrics';
import { assertTimely } from './activity-time';
import { SerialQueue } from './serial-queue';

/** Movements per store read while warming up or catching up. */
const PAGE = 5000;
/** Accounts per page when gathering account events at warm-up. */
const ACCOUNT_PAGE = 500;
/**
 * Stored movements fed between two turns of the event loop while catching up: the warm-up of a
 * large store takes seconds to minutes, and health checks, other endpoints and a shutdown are
 * served meanwhile (outside load review: a warm-up that never yielded held `/health/live` for
 * 20 s on the medium bank and ignored SIGTERM for 18 minutes on a dense one).
 */
const FEED_BETWEEN_TURNS = 250;

/** One turn of the event loop: the I/O and timers that came meanwhile are served first. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/**
 * Requests that may wait for the engine before more are refused with 503: a few seconds of work
 * at most (a batch of 500 movements takes well under a second), not minutes (outside load
 * review: 1,000 waiting batches kept the API busy for about 700 s).
 */
const MAX_WAITING = 32;

/** One activity to score, with the request field that names it in errors ("" or "movements.3"). */
export interface ScoreItem {
  activity: Activity;
  field: string;
}

export interface ScoredActivity {
  id: string;
  alerts: DetectedAlert[];
  /** The learned model's score of a movement (RISK_MODEL_FILE); absent without a model. */
  risk?: AlertRisk;
}

export interface ScoreOutcome {
  results: ScoredActivity[];
  evaluatedRules: number;
  recorded: boolean;
}

/** The live engine and how far into the store's history it has read. */
interface EngineState {
  engine: StreamDetectionEngine;
  directory: StoreAccountDirectory;
  /** The learned risk model fed alongside the rules, when one is configured. */
  risk?: MovementRiskHook;
  /** Identifier uses read from the store for the model, per account met (with a model only). */
  identifierUses?: StoreIdentifierUses;
  /** The longest look-back of the per-event rules: how much history the windows need. */
  horizonMs: number;
  /** The last activity fed for good (store history or a recorded activity). */
  last?: Activity;
  /** Where the next read of stored movements resumes (the last movement fed). */
  after?: { timestamp: number; movementId: string };
  /** Whether the stored account events of the horizon were read (once, on first use). */
  warmedUp: boolean;
  /** Account events read at warm-up and not fed yet, in replay order. */
  pendingEvents: AccountEvent[];
}

const frozen = (activity: Activity): Activity =>
  activity.type === 'movement'
    ? { type: 'movement', movement: Object.freeze({ ...activity.movement }) }
    : { type: 'event', event: Object.freeze({ ...activity.event }) };

const idOf = (activity: Activity): string =>
  activity.type === 'movement' ? activity.movement.movementId : activity.event.eventId;

const describe = (activity: Activity): string =>
  `${activity.type} ${idOf(activity)} at ${new Date(timestampOf(activity)).toISOString()}`;

function withRisk(id: string, alerts: DetectedAlert[], risk?: AlertRisk): ScoredActivity {
  return risk ? { id, alerts, risk } : { id, alerts };
}

/**
 * Real-time scoring: each movement or account event goes through the per-event engine (the
 * same rule evaluators as the batch scan, so the same alerts and explanations) against the
 * current state of the store.
 *
 * "Current state": the engine is created on first use and warmed up from the store: every
 * stored movement (and account event) of the rules' longest look-back before the first scored
 * activity, replayed in time order, page by page (memory stays bounded by the rules' windows;
 * time by the look-back). Before each request it also catches up with movements stored since
 * (by other writers), up to the first scored activity. A recorded activity is written to the
 * store and fed for good; the store read resumes after it, so it is never fed twice.
 *
 * Without `record`, the activities are fed inside `StreamDetectionEngine.trial`: every change
 * they make to the rules' windows is journaled and undone before the answer, so nothing of
 * them stays in the engine (and nothing is written to the store). The cost is proportional to
 * what the rules touch, not to the state, so it stays in the milliseconds on a warm engine. A
 * batch is one trial: its items see the items before them, as a stream would.
 *
 * Order: the engine reads activities in time order (`compareActivities`: time, events before
 * movements at one instant, then id). An activity that sorts at or before the last one fed for
 * good is refused with 409 (ConflictError) naming both: score history with
 * POST /api/v1/alerts/scan instead. A batch must itself be in that order (400 otherwise).
 * Because of that order, an activity dated more than MAX_CLOCK_SKEW_MS after the injected clock
 * is refused with 400 before it reaches the engine: recorded, it would make every ordinary
 * activity "not after" it. A past one holds back nothing: it is refused with 409 on its own
 * when the engine has read later ones, and otherwise the next activities are simply after it.
 *
 * With a learned model (RISK_MODEL_FILE), every movement fed (history, recorded or tried) also
 * goes through the model's features in the same order, and each scored movement gets the
 * model's score and reasons; alerts it raises carry them too. For the shared-identifier
 * features, the identifier uses around every account the engine meets (history or scored) are
 * read from the store once per account (StoreIdentifierUses) and given to the model first.
 *
 * Requests pass through the engine one at a time (SerialQueue). If feeding fails half-way,
 * the engine is dropped and warmed up again on the next request. Reading the stored history
 * lets the event loop turn every FEED_BETWEEN_TURNS movements and between store pages, so the
 * rest of the API is served during a long warm-up, and a shutdown stops it (503).
 */
@Injectable()
export class RealTimeScoringService implements BeforeApplicationShutdown {
  private readonly queue = new SerialQueue(MAX_WAITING);
  private state: EngineState | undefined;
  /** Set when the app shuts down: a warm-up in progress stops at its next turn (503). */
  private stopping = false;

  constructor(
    private readonly registry: DetectorRegistry,
    private readonly store: GraphStore,
    private readonly alerts: AlertRepository,
    private readonly metrics: ApiMetrics,
    private readonly clock: Clock,
    @Optional()
    @Inject(MOVEMENT_RISK_HOOK)
    private readonly riskHooks?: MovementRiskHookFactory | null,
  ) {}

  /** A warm-up or catch-up in progress stops at its next turn, so a shutdown does not wait for it. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async score(items: readonly ScoreItem[], record: boolean): Promise<ScoreOutcome> {
    // Refused before the request waits for the engine.
    assertTimely(
      items.map(({ activity, field }) => ({ timestamp: timestampOf(activity), field })),
      this.clock.now(),
    );
    this.assertConvertible(items);
    const outcome = await this.queue.run(() => this.scoreNow(items, record));
    for (const result of outcome.results)
      for (const alert of result.alerts) this.metrics.alertsRaised('score', alert.ruleId);
    return outcome;
  }

  private async scoreNow(items: readonly ScoreItem[], record: boolean): Promise<ScoreOutcome> {
    this.assertOrdered(items);
    const state = this.state ?? this.create();
    this.state = state;
    await this.assertAccountsKnown(state, items);
    const first = items[0].activity;
    try {
      await this.catchUp(state, first);
      await this.feedIdentifierUses(
        state,
        items.flatMap(({ activity }) =>
          activity.type === 'movement'
            ? [activity.movement.fromAccount, activity.movement.toAccount]
            : [],
        ),
      );
    } catch (error) {
      this.state = undefined;
      throw error;
    }
    if (state.last && compareActivities(state.last, first) >= 0) {
      if (record) await this.assertNotRecordedAlready(items);
      const problem: FieldProblem = {
        field: items[0].field === '' ? 'timestamp' : `${items[0].field}.timestamp`,
        rule: `must be after ${describe(state.last)}, the latest activity the real-time engine has read`,
      };
      throw new ConflictError(
        `${describe(first)} is not after ${describe(state.last)}, the latest activity the real-time engine has read; it takes activities in time order. Score past activities with POST /api/v1/alerts/scan.`,
        { problems: [problem] },
      );
    }
    const activities = items.map((item) => frozen(item.activity));
    const evaluatedRules = state.engine.rules().length;
    if (!record) {
      const risk = state.risk;
      const results = state.engine.trial((feed) => {
        const run = (): ScoredActivity[] =>
          activities.map((activity) => {
            if (activity.type === 'event')
              return { id: idOf(activity), alerts: feed.onEvent(activity.event) };
            const alerts = feed.onMovement(activity.movement);
            return withRisk(idOf(activity), alerts, risk?.onMovement(activity.movement, alerts));
          });
        return risk ? risk.trial(run) : run();
      });
      return { results, evaluatedRules, recorded: false };
    }
    await this.assertNotBookedOtherwise(items);
    await this.write(activities);
    let results: ScoredActivity[];
    try {
      results = activities.map((activity) => {
        if (activity.type === 'event') {
          const alerts = state.engine.onEvent(activity.event);
          this.advance(state, activity);
          return { id: idOf(activity), alerts };
        }
        const alerts = state.engine.onMovement(activity.movement);
        const risk = state.risk?.onMovement(activity.movement, alerts);
        this.advance(state, activity);
        return withRisk(idOf(activity), alerts, risk);
      });
    } catch (error) {
      this.state = undefined;
      throw error;
    }
    const raised = results.flatMap((r) => r.alerts);
    if (raised.length > 0) await this.alerts.save(raised);
    return { results, evaluatedRules, recorded: true };
  }

  private create(): EngineState {
    const instances = this.registry.instantiate();
    const directory = new StoreAccountDirectory(this.store);
    let horizonMs = 0;
    for (const { detector, params } of instances)
      if (detector.kind === 'activity')
        horizonMs = Math.max(horizonMs, detector.lookbackMs(params));
    return {
      engine: new StreamDetectionEngine(instances, directory),
      directory,
      ...(this.riskHooks
        ? {
            risk: this.riskHooks.create(directory),
            identifierUses: new StoreIdentifierUses(this.store),
          }
        : {}),
      horizonMs,
      warmedUp: false,
      pendingEvents: [],
    };
  }

  /**
   * Refuses movements whose amounts have no rate into the base currency on their date (400
   * naming the field): the rules could not judge them, and the engine would pass them over.
   */
  private assertConvertible(items: readonly ScoreItem[]): void {
    const problems: FieldProblem[] = [];
    let message = '';
    for (const { activity, field } of items) {
      if (activity.type !== 'movement') continue;
      const problem = conversionProblem(this.registry.money, activity.movement);
      if (problem === undefined) continue;
      message ||= problem.error.message;
      problems.push({
        field: field === '' ? problem.field : `${field}.${problem.field}`,
        rule: problem.error.problems[0]?.rule ?? 'must have a rate into the base currency',
      });
    }
    if (problems.length > 0) throw new InvalidInputError(message, problems);
  }

  private assertOrdered(items: readonly ScoreItem[]): void {
    const problems: FieldProblem[] = [];
    for (let i = 1; i < items.length; i += 1) {
      if (compareActivities(items[i - 1].activity, items[i].activity) >= 0)
        problems.push({
          field: `${items[i].field}.timestamp`,
          rule: 'must come after the item before it (time order; at one instant events first, then by id)',
        });
    }
    if (problems.length > 0)
      throw new InvalidInputError(
        'The items of a batch must be in time order and distinct: the engine reads them as one sequence',
        problems,
      );
  }

  /** Refuses activities on accounts the store does not have (400 naming the field). */
  private async assertAccountsKnown(
    state: EngineState,
    items: readonly ScoreItem[],
  ): Promise<void> {
    const named: { field: string; uid: string }[] = [];
    for (const { activity, field } of items) {
      const at = (name: string): string => (field === '' ? name : `${field}.${name}`);
      if (activity.type === 'movement') {
        named.push({ field: at('fromAccount'), uid: activity.movement.fromAccount });
        named.push({ field: at('toAccount'), uid: activity.movement.toAccount });
      } else {
        named.push({ field: at('accountId'), uid: activity.event.accountId });
      }
    }
    await state.directory.ensure(named.map((n) => n.uid));
    const missing = named.filter((n) => state.directory.get(n.uid) === undefined);
    if (missing.length === 0) return;
    // Not remembered as missing: the account may be imported before the next request.
    state.directory.forget(missing.map((n) => n.uid));
    throw new InvalidInputError(
      `Unknown account${missing.length === 1 ? '' : 's'}: ${[...new Set(missing.map((n) => n.uid))].join(', ')}`,
      missing.map((n) => ({
        field: n.field,
        rule: 'must be an account in the store (import the account first)',
      })),
    );
  }

  /**
   * Feeds, for good, the stored movements (and, on the first use, the stored account events)
   * that come before `upTo` and after what was already read, from at most the look-back
   * horizon before it. Alerts these raise are history: the batch scan reports them.
   */
  private async catchUp(state: EngineState, upTo: Activity): Promise<void> {
    const horizonStart = timestampOf(upTo) - state.horizonMs;
    if (!state.warmedUp) {
      state.pendingEvents = await this.storedEvents(horizonStart, timestampOf(upTo));
      state.warmedUp = true;
    }
    for (;;) {
      const page = await this.store.scanMovements({
        from: Math.max(horizonStart, 0),
        to: timestampOf(upTo) + 1,
        after: state.after,
        limit: PAGE,
      });
      const before = page
        .map((movement): Activity => ({ type: 'movement', movement }))
        .filter((activity) => compareActivities(activity, upTo) < 0);
      const accounts = before.flatMap((a) =>
        a.type === 'movement' ? [a.movement.fromAccount, a.movement.toAccount] : [],
      );
      await state.directory.ensure(accounts);
      await this.feedIdentifierUses(state, accounts);
      let fed = 0;
      for (const activity of before) {
        fed += 1;
        if (fed % FEED_BETWEEN_TURNS === 0) await this.turn();
        this.feedEventsBefore(state, activity);
        if (state.last && compareActivities(state.last, activity) >= 0) continue;
        if (activity.type === 'movement') {
          const movement = Object.freeze({ ...activity.movement });
          // Rules first, always; then the model (optional chaining would skip the rules too).
          const alerts = state.engine.onMovement(movement);
          state.risk?.onMovement(movement, alerts);
        }
        this.advance(state, activity);
      }
      if (page.length < PAGE || before.length < page.length) break;
      await this.turn();
    }
    this.feedEventsBefore(state, upTo);
  }

  /**
   * Gives the model the stored identifier uses around accounts it has not met yet (their first
   * uses are kept, so a movement still counts only uses that began before it).
   */
  private async feedIdentifierUses(state: EngineState, accounts: readonly string[]): Promise<void> {
    if (!state.identifierUses || !state.risk?.onIdentifierUses) return;
    const uses = await state.identifierUses.load(accounts);
    if (uses.length > 0) state.risk.onIdentifierUses(uses);
  }

  private feedEventsBefore(state: EngineState, upTo: Activity): void {
    let fed = 0;
    for (const event of state.pendingEvents) {
      const activity: Activity = { type: 'event', event };
      if (compareActivities(activity, upTo) >= 0) break;
      fed += 1;
      if (state.last && compareActivities(state.last, activity) >= 0) continue;
      state.engine.onEvent(Object.freeze({ ...event }));
      state.last = activity;
    }
    if (fed > 0) state.pendingEvents = state.pendingEvents.slice(fed);
  }

  /**
   * Lets the event loop turn; refuses to go on once the app shuts down (the engine is then
   * dropped, as after any failure half-way, and nothing was written).
   */
  private async turn(): Promise<void> {
    await nextTurn();
    if (this.stopping)
      throw new StreamUnavailableError(
        'The API is shutting down; the real-time engine stopped reading the stored history. Send the request again to another instance or after the restart.',
      );
  }

  private advance(state: EngineState, activity: Activity): void {
    state.last = activity;
    if (activity.type === 'movement')
      state.after = {
        timestamp: activity.movement.timestamp,
        movementId: activity.movement.movementId,
      };
  }

  /**
   * Account events of [from, to), in replay order. The store has no index of events by time,
   * so this lists the accounts page by page (once, at warm-up).
   */
  private async storedEvents(from: number, to: number): Promise<AccountEvent[]> {
    const events: AccountEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.listVertices({ label: 'Account', cursor, limit: ACCOUNT_PAGE });
      if (page.items.length > 0) {
        const records = await this.store.getAccountEvents({
          accountIds: page.items.map((v) => v.uid),
          from: Math.max(from, 0),
          to,
        });
        for (const { accountId, event } of records)
          events.push(accountEventOf(accountId, event.uid, event.props));
      }
      cursor = page.nextCursor;
      await this.turn();
    } while (cursor !== undefined);
    return events
      .map((event): Activity => ({ type: 'event', event }))
      .sort(compareActivities)
      .flatMap((a) => (a.type === 'event' ? [a.event] : []));
  }

  /** Writes recorded activities: movements as TRANSFERRED edges, events as Event + HAS_EVENT. */
  private async write(activities: readonly Activity[]): Promise<void> {
    const edges: GraphEdge[] = [];
    const events: AccountEvent[] = [];
    for (const activity of activities) {
      if (activity.type === 'movement') edges.push(movementEdge(activity.movement));
      else events.push(activity.event);
    }
    if (events.length > 0) {
      await this.store.upsertVertices(
        events.map(({ eventId, accountId: _account, ...props }) => ({
          label: 'Event' as const,
          uid: eventId,
          props,
        })),
      );
      for (const event of events)
        edges.push({
          label: 'HAS_EVENT',
          eid: ids.structural('HAS_EVENT', event.accountId, event.eventId),
          from: event.accountId,
          to: event.eventId,
          props: {},
        });
    }
    if (edges.length === 0) return;
    // A booked movement never changes; another writer may have stored one since the check.
    const { kept = [] } = await this.store.upsertEdges(edges, { keepStored: true });
    if (kept.length > 0) {
      throw new ConflictError(
        `${kept.join(', ')} ${kept.length === 1 ? 'was' : 'were'} stored by another writer with other values while this request was written, and ${kept.length === 1 ? 'is' : 'are'} kept as stored; send a correction under a movementId of its own.`,
      );
    }
  }

  /**
   * A request to record movements that are all stored already with the same values is a retry
   * (a client that timed out and sent it again): refused with 409 saying so, so that the client
   * can tell it from a real conflict; nothing changes. (Otherwise it got "X is not after X".)
   */
  private async assertNotRecordedAlready(items: readonly ScoreItem[]): Promise<void> {
    if (items.some(({ activity }) => activity.type !== 'movement')) return;
    const edges = items.flatMap(({ activity }) =>
      activity.type === 'movement' ? [movementEdge(activity.movement)] : [],
    );
    const stored = new Map(
      (await this.store.getEdges(edges.map((e) => e.eid))).map((e) => [e.eid, e]),
    );
    const same = edges.every((edge) => {
      const found = stored.get(edge.eid);
      return found !== undefined && sameEdgeValues(found, edge);
    });
    if (!same) return;
    throw new ConflictError(
      `${edges.map((e) => e.eid).join(', ')} ${edges.length === 1 ? 'was' : 'were'} recorded already with these same values (a retry?); nothing changed. Its alerts are in GET /api/v1/alerts.`,
      {
        problems: items.map(({ field }) => ({
          field: field === '' ? 'movementId' : `${field}.movementId`,
          rule: 'was recorded already with these same values: nothing to record again',
        })),
      },
    );
  }

  /**
   * A movement is booked once: recording a movementId that the graph holds with other values
   * (another amount, time or account) is refused with 409 before anything is written, instead of
   * rewriting the booked movement under the alerts that cite it. The same movement sent again
   * is fine.
   */
  private async assertNotBookedOtherwise(items: readonly ScoreItem[]): Promise<void> {
    const problems: FieldProblem[] = [];
    const clashing: string[] = [];
    const movements = items.flatMap(({ activity, field }) =>
      activity.type === 'movement' ? [{ edge: movementEdge(activity.movement), field }] : [],
    );
    if (movements.length === 0) return;
    // One read for the whole request.
    const stored = new Map(
      (await this.store.getEdges(movements.map(({ edge }) => edge.eid))).map((e) => [e.eid, e]),
    );
    for (const { edge, field } of movements) {
      const found = stored.get(edge.eid);
      if (found === undefined || sameEdgeValues(found, edge)) continue;
      clashing.push(edge.eid);
      problems.push({
        field: field === '' ? 'movementId' : `${field}.movementId`,
        rule: `names a movement stored already with other values (${edge.eid}); a booked movement is not changed: send a correction under a movementId of its own`,
      });
    }
    if (problems.length > 0) {
      throw new ConflictError(
        `${clashing.sort().join(', ')} ${clashing.length === 1 ? 'is' : 'are'} stored already with other values; nothing was recorded.`,
        { problems: problems.sort((a, b) => (a.field < b.field ? -1 : 1)) },
      );
    }
  }
}
