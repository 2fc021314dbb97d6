import type { GraphStore } from '@app/graph-store';
import type { BaseMoney, Movement } from '@app/vocabulary';
import type { AccountEvent, Activity } from '../core/activity';
import { compareActivities } from '../core/activity';
import type { ActivityDetector, AlertDraft, DetectorParams, Evaluator } from '../core/detector';
import type { RuleInstance } from '../registry/detector.registry';
import { AlertCollector, toDetectedAlert } from './alert-collector';
import { assertWindow } from './batch-detection';
import { conversionProblem, UnconvertedMovements } from '../core/convertible';
import type { BatchResult, DetectionWindow, RuleRunStats } from './batch-detection';
import { accountEventOf } from './dataset';
import { movementPages, readersAtOnceOf } from './movement-pages';
import { StoreAccountDirectory } from './store-account-directory';
import { structuralInputFromStore } from './store-holders';

/** scanMovements requests in flight at once, unless a scan asks otherwise. */
export const DEFAULT_READERS_AT_ONCE = 2;

export interface StoreScanOptions extends DetectionWindow {
  /** Movements per scanMovements page. */
  pageSize?: number;
  /**
   * Store reads in flight at once (default 2): `scanMovements` of the shared pass, whose window
   * is read in slices side by side (see `movementPages`), and `getMovements` of the candidate
   * rules, whose next chunks are read while one is replayed. It pays on a store across a network.
   */
  readersAtOnce?: number;
  /** Most candidate accounts per candidate-based rule. */
  maxCandidates?: number;
  /**
   * Candidate accounts replayed together (their movements are held in memory at once); also
   * the accounts per read when gathering the window's account events.
   */
  chunkSize?: number;
  /** Instant that dates structural alerts (rings). */
  now: number;
  /**
   * Cancels the scan: checked before every store read (each rule's setup, each movement page,
   * each candidate chunk); an aborted scan rejects with the signal's reason and returns nothing.
   * With a signal, the scan also gives the event loop a turn at each of those points, so that a
   * server can answer requests (progress, cancel) while it runs, even on the in-memory store
   * whose reads never wait for I/O.
   */
  signal?: AbortSignal;
  /** Told after every movement page and every finished rule. */
  onProgress?: (progress: StoreScanProgress) => void;
}

/** How far a store scan has come. */
export interface StoreScanProgress {
  /** Rules whose alerts are complete. */
  rulesDone: number;
  rulesTotal: number;
  /** Movements of the window (look-back not counted) read so far by the shared pass. */
  movementsScanned: number;
}

interface ScanRule {
  detector: ActivityDetector;
  params: DetectorParams;
  money: BaseMoney;
  evaluator: Evaluator;
  replayStart: number;
  channels?: ReadonlySet<string>;
  collector: AlertCollector;
}

interface CandidateRule {
  detector: ActivityDetector;
  params: DetectorParams;
  money: BaseMoney;
  replayStart: number;
  direction: 'in' | 'out' | 'both';
  needsEvents: boolean;
  select?: (m: Movement) => readonly string[];
  candidates: Set<string>;
  truncated: boolean;
  collector: AlertCollector;
}

/**
 * The window's account events, merged into the movement scan: `feedBefore(activity)` feeds the
 * events that come before it in replay order (all that are left when it is undefined) to the
 * scan rules that read events, each from its own replay start.
 */
class EventFeed {
  private next = 0;

  constructor(
    private readonly events: readonly AccountEvent[],
    private readonly rules: readonly ScanRule[],
    private readonly collect: (rule: ScanRule, drafts: readonly AlertDraft[]) => void,
  ) {}

  feedBefore(upTo: Activity | undefined): void {
    if (this.rules.length === 0) return;
    for (; this.next < this.events.length; this.next += 1) {
      const event = this.events[this.next];
      if (upTo && compareActivities({ type: 'event', event }, upTo) >= 0) return;
      for (const rule of this.rules) {
        if (event.timestamp >= rule.replayStart)
          this.collect(rule, rule.evaluator.onEvent?.(event) ?? []);
      }
    }
  }
}

/**
 * Batch detection over the graph store without pulling the graph into memory:
 *
 * - rules with a `scan` plan share one paged `scanMovements` pass over the window plus the
 *   longest look-back (a channel filter is pushed down when every such rule has one);
 * - `fan` rules ask the store for candidates (`selectFanCandidates`) and replay only their
 *   movements, in chunks of accounts;
 * - `accounts` rules pick candidates during the scan, then replay their movements (and their
 *   events, `getAccountEvents`) in chunks, one read of each kind per chunk; when a rule reads
 *   events, an account with two events in its replay (one in the window) is a candidate too
 *   (two logins are enough for impossible travel);
 * - `scan` rules that read account events (`onEvent`: IP and card velocity from logins) get the
 *   window's events merged into the movement scan in replay order (`compareActivities`: events
 *   before movements at one instant). The events of the window and look-back are gathered
 *   first, account page by account page (`listVertices` + `getAccountEvents`), and held in
 *   memory for the pass: one entry per login, far fewer than the movements;
 * - structural rules read shared identifiers with the hub cap applied by the store.
 *
 * Every rule still runs its ordinary evaluator in time order, so the alerts equal those of
 * stream mode over the same data.
 */
export class StoreBatchDetection {
  constructor(private readonly store: GraphStore) {}

  async scan(instances: readonly RuleInstance[], options: StoreScanOptions): Promise<BatchResult> {
    assertWindow(options);
    const pageSize = options.pageSize ?? 5000;
    const maxCandidates = options.maxCandidates ?? 20_000;
    const chunkSize = options.chunkSize ?? 500;
    const directory = new StoreAccountDirectory(this.store);
    const scanRules: ScanRule[] = [];
    const candidateRules: CandidateRule[] = [];
    const stats: RuleRunStats[] = [];
    const all = new AlertCollector();
    let movements = 0;
    const unconverted = new UnconvertedMovements(instances[0]?.money);
    const checkpoint = async (): Promise<void> => {
      await this.pause(options.signal);
      options.onProgress?.({
        rulesDone: stats.length,
        rulesTotal: instances.length,
        movementsScanned: movements,
      });
    };

    for (const { detector, params, money } of instances) {
      await checkpoint();
      if (detector.kind === 'structural') {
        const collector = new AlertCollector();
        const shared = await this.store.findSharedIdentifiers({
          hubCap: detector.hubCap(params),
          kinds: detector.kinds(params),
        });
        const input = await structuralInputFromStore(this.store, shared, (first) =>
          detector
            .detect(first, params, options.now)
            .flatMap((draft) =>
              draft.parties.filter((p) => p.role !== 'identifier').map((p) => p.uid),
            ),
        );
        for (const draft of detector.detect(input, params, options.now))
          collector.add(toDetectedAlert(detector, draft));
        this.finish(detector.id, collector, all, stats);
        continue;
      }
      // Nothing is stored before 1970 (times are epoch ms, 0 or more): a look-back from a
      // window in 1970 starts there.
      const replayStart = Math.max(0, options.from - detector.lookbackMs(params));
      const plan = detector.batchPlan(params, money);
      const collector = new AlertCollector();
      if (plan.kind === 'scan') {
        scanRules.push({
          detector,
          params,
          money,
          evaluator: detector.createEvaluator(params, {
            accounts: directory,
            money,
            observedSince: replayStart,
          }),
          replayStart,
          channels: plan.channels ? new Set(plan.channels) : undefined,
          collector,
        });
      } else if (plan.kind === 'fan') {
        const found = await this.store.selectFanCandidates({
          direction: plan.direction,
          from: replayStart,
          to: options.to,
          minCounterparties: plan.minCounterparties,
          limit: maxCandidates,
        });
        candidateRules.push({
          detector,
          params,
          money,
          replayStart,
          direction: plan.direction,
          needsEvents: false,
          candidates: new Set(found.map((c) => c.accountId)),
          truncated: found.length >= maxCandidates,
          collector,
        });
      } else {
        candidateRules.push({
          detector,
          params,
          money,
          replayStart,
          direction: plan.direction,
          needsEvents: plan.needsEvents,
          select: plan.select,
          candidates: new Set(),
          truncated: false,
          collector,
        });
      }
    }

    const eventScanRules = scanRules.filter((r) => r.evaluator.onEvent !== undefined);
    const eventCandidateRules = candidateRules.filter((r) => r.needsEvents);
    let events: AccountEvent[] = [];
    if (eventScanRules.length > 0 || eventCandidateRules.length > 0) {
      events = await this.windowEvents(
        Math.min(
          options.from,
          ...eventScanRules.map((r) => r.replayStart),
          ...eventCandidateRules.map((r) => r.replayStart),
        ),
        options.to,
        chunkSize,
        options.signal,
      );
    }
    await directory.ensure(events.map((e) => e.accountId));
    const eventFeed = new EventFeed(events, eventScanRules, (rule, drafts) =>
      this.collect(rule.detector, drafts, rule.collector, options.from),
    );

    const selecting = candidateRules.filter((r) => r.select !== undefined);
    if (scanRules.length > 0 || selecting.length > 0) {
      const scanStart = Math.min(options.from, ...scanRules.map((r) => r.replayStart));
      const channelSets = scanRules.map((r) => r.channels);
      const pushDown =
        selecting.length === 0 &&
        channelSets.length > 0 &&
        channelSets.every((c) => c !== undefined)
          ? [...new Set(channelSets.flatMap((c) => [...(c ?? [])]))]
          : undefined;
      const pages = movementPages(this.store, {
        from: scanStart,
        to: options.to,
        channels: pushDown,
        pageSize,
        readersAtOnce: options.readersAtOnce ?? DEFAULT_READERS_AT_ONCE,
        signal: options.signal,
      });
      try {
        for (;;) {
          await checkpoint();
          const next = await pages.next();
          if (next.done === true) break;
          const page = next.value;
          await directory.ensure(page.flatMap((m) => [m.fromAccount, m.toAccount]));
          for (const m of page) {
            eventFeed.feedBefore({ type: 'movement', movement: m });
            // Counted in the window only, like `movements` (the look-back is checked too).
            if (m.timestamp >= options.from ? !unconverted.accepts(m) : !unconverted.convertible(m))
              continue;
            if (m.timestamp >= options.from) movements += 1;
            for (const rule of scanRules) {
              if (
                m.timestamp < rule.replayStart ||
                (rule.channels && !rule.channels.has(m.channel))
              )
                continue;
              this.collect(
                rule.detector,
                rule.evaluator.onMovement(m),
                rule.collector,
                options.from,
              );
            }
            if (m.timestamp < options.from) continue;
            for (const rule of selecting) {
              for (const uid of rule.select?.(m) ?? []) this.addCandidate(rule, uid, maxCandidates);
            }
          }
        }
      } finally {
        // A scan stopped early (cancelled, or a failed read) stops the slices read ahead.
        await pages.return(undefined);
      }
    }
    // Events after the last movement of the window.
    eventFeed.feedBefore(undefined);
    // After the candidates the movements selected, so that those keep their place under the cap.
    for (const rule of eventCandidateRules)
      this.addEventCandidates(rule, events, options, maxCandidates);
    for (const rule of scanRules) this.finish(rule.detector.id, rule.collector, all, stats);

    for (const rule of candidateRules) {
      await checkpoint();
      await this.replayCandidates(rule, options, chunkSize, directory, events);
      this.finish(
        rule.detector.id,
        rule.collector,
        all,
        stats,
        rule.candidates.size,
        rule.truncated,
      );
    }
    await checkpoint();
    const eventCount = events.filter((e) => e.timestamp >= options.from).length;
    return {
      alerts: all.alerts(),
      movements,
      events: eventCount,
      rules: stats,
      unconverted: unconverted.summary(),
    };
  }

  /**
   * Without a signal, nothing. With one: a turn of the event loop (a macrotask, so that I/O
   * callbacks such as HTTP requests run), then the signal's reason is thrown if it was aborted.
   */
  private async pause(signal: AbortSignal | undefined): Promise<void> {
    if (signal === undefined) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
  }

  /**
   * Accounts with an event in the window and at least two in the rule's replay: a pattern read
   * from events needs two activities, and one that involves a movement is already selected by
   * the rule's own `select` (two logins far apart, a login then a credential change…).
   */
  private addEventCandidates(
    rule: CandidateRule,
    events: readonly AccountEvent[],
    window: DetectionWindow,
    maxCandidates: number,
  ): void {
    const counts = new Map<string, number>();
    const inWindow = new Set<string>();
    for (const event of events) {
      if (event.timestamp < rule.replayStart) continue;
      counts.set(event.accountId, (counts.get(event.accountId) ?? 0) + 1);
      if (event.timestamp >= window.from) inWindow.add(event.accountId);
    }
    for (const account of [...inWindow].sort())
      if ((counts.get(account) ?? 0) >= 2) this.addCandidate(rule, account, maxCandidates);
  }

  private addCandidate(rule: CandidateRule, uid: string, maxCandidates: number): void {
    if (rule.candidates.size >= maxCandidates && !rule.candidates.has(uid)) rule.truncated = true;
    else rule.candidates.add(uid);
  }

  /**
   * Every account event (HAS_EVENT) in [from, to), in replay order: accounts are listed page
   * by page and each page's events read at once. The store has no global index of events by
   * time, so this costs one pass over the accounts (two reads per `pageSize` accounts).
   */
  private async windowEvents(
    from: number,
    to: number,
    pageSize: number,
    signal: AbortSignal | undefined,
  ): Promise<AccountEvent[]> {
    const events: AccountEvent[] = [];
    let cursor: string | undefined;
    do {
      await this.pause(signal);
      const page = await this.store.listVertices({ label: 'Account', cursor, limit: pageSize });
      if (page.items.length > 0)
        events.push(
          ...(await this.eventsOf(
            page.items.map((v) => v.uid),
            from,
            to,
          )),
        );
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return events
      .map((event): Activity => ({ type: 'event', event }))
      .sort(compareActivities)
      .flatMap((a) => (a.type === 'event' ? [a.event] : []));
  }

  private async replayCandidates(
    rule: CandidateRule,
    options: StoreScanOptions,
    chunkSize: number,
    directory: StoreAccountDirectory,
    events: readonly AccountEvent[],
  ): Promise<void> {
    const candidates = [...rule.candidates].sort();
    const chunks: string[][] = [];
    for (let i = 0; i < candidates.length; i += chunkSize)
      chunks.push(candidates.slice(i, i + chunkSize));
    // The next chunks' movements are read while this one is replayed: up to `readersAtOnce`
    // reads in flight, as in the shared pass. A failed read is thrown at its chunk's turn.
    const readersAtOnce = readersAtOnceOf(options.readersAtOnce ?? DEFAULT_READERS_AT_ONCE);
    const reads: Promise<Movement[]>[] = [];
    const read = (accountIds: readonly string[]): Promise<Movement[]> => {
      const reading = this.store.getMovements({
        accountIds,
        from: rule.replayStart,
        to: options.to,
        direction: rule.direction,
      });
      // Settled here too, so that a read ahead that fails while the scan stops is not unhandled.
      reading.catch(() => undefined);
      return reading;
    };
    for (let index = 0; index < chunks.length; index += 1) {
      await this.pause(options.signal);
      while (reads.length < readersAtOnce && index + reads.length < chunks.length)
        reads.push(read(chunks[index + reads.length]));
      const chunk = chunks[index];
      // Never empty here (at least one read is kept in flight); the fallback only satisfies the type.
      const moves = await (reads.shift() ?? read(chunk));
      await directory.ensure([...chunk, ...moves.flatMap((m) => [m.fromAccount, m.toAccount])]);
      const activities: Activity[] = moves
        .filter((movement) => conversionProblem(rule.money, movement) === undefined)
        .map((movement) => ({ type: 'movement', movement }));
      if (rule.needsEvents) {
        // The window's events were gathered once for every rule that reads them.
        const members = new Set(chunk);
        for (const event of events)
          if (event.timestamp >= rule.replayStart && members.has(event.accountId))
            activities.push({ type: 'event', event });
      }
      activities.sort(compareActivities);
      // Candidate rules keep per-account state, so each chunk can start from a fresh evaluator.
      const evaluator = rule.detector.createEvaluator(rule.params, {
        accounts: directory,
        money: rule.money,
        keyFilter: new Set(chunk),
        observedSince: rule.replayStart,
      });
      for (const activity of activities) {
        const drafts =
          activity.type === 'movement'
            ? evaluator.onMovement(activity.movement)
            : (evaluator.onEvent?.(activity.event) ?? []);
        this.collect(rule.detector, drafts, rule.collector, options.from);
      }
    }
  }

  /** Events (HAS_EVENT) of some accounts in [from, to), in one store read. */
  private async eventsOf(
    accountIds: readonly string[],
    from: number,
    to: number,
  ): Promise<AccountEvent[]> {
    const records = await this.store.getAccountEvents({ accountIds, from, to });
    return records.map(({ accountId, event }) => accountEventOf(accountId, event.uid, event.props));
  }

  private collect(
    detector: ActivityDetector,
    drafts: readonly AlertDraft[],
    collector: AlertCollector,
    from: number,
  ): void {
    for (const draft of drafts)
      if (draft.windowEnd >= from) collector.add(toDetectedAlert(detector, draft));
  }

  private finish(
    ruleId: string,
    collector: AlertCollector,
    all: AlertCollector,
    stats: RuleRunStats[],
    candidates?: number,
    truncated?: boolean,
  ): void {
    const alerts = collector.alerts();
    alerts.forEach((a) => all.add(a));
    stats.push({
      ruleId,
      alerts: alerts.length,
      raised: collector.raised,
      ...(candidates === undefined ? {} : { candidates, truncated: truncated ?? false }),
    });
  }
}
