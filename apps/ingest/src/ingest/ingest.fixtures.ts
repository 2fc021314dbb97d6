import { MemoryGraphStore } from '@app/graph-store';
import type { UpsertEdgeOptions, UpsertResult } from '@app/graph-store';
import { loadAllSettings, StreamingConfig } from '@app/settings';
import { conversionProblem } from '@app/detectors';
import type { AccountEvent, IdentifierUse } from '@app/detectors';
import type { StreamAlert } from '@app/streaming';
import { GraphUnavailableError, shippedBaseMoney } from '@app/vocabulary';
import type {
  AccountVertex,
  GraphEdge,
  GraphVertex,
  Movement,
  PersonVertex,
} from '@app/vocabulary';
import { MovementDetector } from './movement-detector';

/** Test data and helpers shared by the ingest specs (unit and integration). */

export function streamingConfig(env: Record<string, string> = {}): StreamingConfig {
  return loadAllSettings({
    PULSAR_NACK_REDELIVERY_DELAY_MS: '10',
    PULSAR_MAX_REDELIVER_COUNT: '3',
    ...env,
  }).streaming;
}

export function person(n: number): PersonVertex {
  return {
    label: 'Person',
    uid: `person:test:${n}`,
    props: { name: `Person ${n}`, isPep: false, isSanctioned: false },
  };
}

export function account(n: number): AccountVertex {
  return {
    label: 'Account',
    uid: `account:b1:${n}`,
    props: {
      accountType: 'personal',
      currency: 'EUR',
      openedAt: 1_600_000_000_000,
      status: 'active',
      bankId: 'b1',
      country: 'DE',
    },
  };
}

export function holds(p: number, a: number): GraphEdge {
  return {
    label: 'HOLDS',
    eid: `HOLDS:person:test:${p}>account:b1:${a}`,
    from: `person:test:${p}`,
    to: `account:b1:${a}`,
    props: { role: 'holder' },
  };
}

export function movement(n: number, from: number, to: number, amountMinor = 10_000): Movement {
  return {
    movementId: `mv:test:${n}`,
    fromAccount: `account:b1:${from}`,
    toAccount: `account:b1:${to}`,
    amountMinor,
    currency: 'EUR',
    // One minute apart from 2025-01-01, within about two years: the worker refuses movements
    // dated more than 7 days ahead of its clock, and integration tests use large n.
    timestamp: 1_735_689_600_000 + (n % 1_000_000) * 60_000,
    channel: 'wire',
  };
}

/**
 * A detector that raises one alert for every movement of at least `threshold`, and records the
 * events it is fed.
 */
export class ThresholdDetector extends MovementDetector {
  readonly seen: string[] = [];
  readonly events: string[] = [];
  /** Identifier uses given to detection, as `account>identifier@firstSeen`. */
  readonly identifierUses: string[] = [];

  override onIdentifierUses(uses: readonly IdentifierUse[]): void {
    for (const u of uses)
      this.identifierUses.push(`${u.accountId}>${u.identifierUid}@${u.firstSeen}`);
  }

  onEvent(e: AccountEvent): Promise<StreamAlert[]> {
    this.events.push(`${e.accountId}>${e.eventId}`);
    return Promise.resolve([]);
  }

  constructor(private readonly threshold: number) {
    super();
  }

  /** As the real detector: the built-in FX table in USD (EUR, GBP… convert; CLP does not). */
  override conversionProblem(m: Movement): string | undefined {
    const problem = conversionProblem(shippedBaseMoney('USD'), m);
    return problem && `${problem.field}: ${problem.error.message}`;
  }

  onMovement(m: Movement): Promise<StreamAlert[]> {
    this.seen.push(m.movementId);
    if (m.amountMinor < this.threshold) return Promise.resolve([]);
    return Promise.resolve([
      {
        alertId: `alert:test.big:${m.movementId}`,
        ruleId: 'test.big',
        ruleVersion: '1',
        typology: 'structuring',
        severity: 'high',
        score: 0.9,
        explanation: `movement ${m.movementId} is big`,
        fingerprint: m.movementId,
        subject: m.fromAccount,
        windowStart: m.timestamp,
        windowEnd: m.timestamp,
        movementIds: [m.movementId],
        parties: [{ uid: m.fromAccount, role: 'subject' }],
      },
    ]);
  }
}

/**
 * The memory graph store, with failures on demand (a test double of the `GraphStore` port):
 * while `down`, every write, read and ping fails with `GraphUnavailableError` as JanusGraph's
 * adapter reports an unreachable server; `failEdgeWrite` makes an edge write fail with any error
 * when it holds a given edge (a poison message).
 */
export class FlakyGraphStore extends MemoryGraphStore {
  down = false;
  /** Calls refused while down. */
  refused = 0;
  failEdgeWrite?: (batch: readonly GraphEdge[]) => Error | undefined;
  /** While set, vertex writes wait for it (a slow graph). */
  hold?: Promise<void>;
  /** While set, edge and movement writes wait for it (a write stuck on a lock). */
  holdEdges?: Promise<void>;
  /** Vertex write calls started so far. */
  vertexWrites = 0;
  /** Edge write calls started so far. */
  edgeWrites = 0;

  private check(): void {
    if (this.down) {
      this.refused += 1;
      throw new GraphUnavailableError(
        'JanusGraph is not reachable at ws://127.0.0.1:1/gremlin (ECONNREFUSED)',
      );
    }
  }

  override async upsertVertices(batch: readonly GraphVertex[]): Promise<UpsertResult> {
    this.check();
    this.vertexWrites += 1;
    if (this.hold) await this.hold;
    return super.upsertVertices(batch);
  }

  override async upsertEdges(
    batch: readonly GraphEdge[],
    options?: UpsertEdgeOptions,
  ): Promise<UpsertResult> {
    this.check();
    this.edgeWrites += 1;
    if (this.holdEdges) await this.holdEdges;
    const poison = this.failEdgeWrite?.(batch);
    if (poison) throw poison;
    return super.upsertEdges(batch, options);
  }

  override async getVertices(uids: readonly string[]): Promise<GraphVertex[]> {
    this.check();
    return super.getVertices(uids);
  }

  override async ping(): Promise<void> {
    this.check();
    return super.ping();
  }
}

/**
 * A detector with state per paying account, like the real rules: every third movement of an
 * account (in the order it is fed) raises an alert naming those three movements. Its alerts
 * change when one account's movements are split between workers or fed out of order.
 */
export class EveryThirdDetector extends MovementDetector {
  private readonly recent = new Map<string, string[]>();

  onEvent(): Promise<StreamAlert[]> {
    return Promise.resolve([]);
  }

  onMovement(m: Movement): Promise<StreamAlert[]> {
    const list = [...(this.recent.get(m.fromAccount) ?? []), m.movementId];
    if (list.length < 3) {
      this.recent.set(m.fromAccount, list);
      return Promise.resolve([]);
    }
    this.recent.set(m.fromAccount, []);
    return Promise.resolve([
      {
        alertId: `alert:test.third:${list.join('+')}`,
        ruleId: 'test.third',
        ruleVersion: '1',
        typology: 'structuring',
        severity: 'medium',
        score: 0.5,
        explanation: `three movements from ${m.fromAccount}`,
        fingerprint: list.join('+'),
        subject: m.fromAccount,
        windowStart: m.timestamp,
        windowEnd: m.timestamp,
        movementIds: list,
        parties: [{ uid: m.fromAccount, role: 'subject' }],
      },
    ]);
  }
}

/** Polls until `check` holds (the worker settles messages asynchronously). */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A logger that keeps lines, to assert on correlation ids. */
export class RecordingLogger {
  readonly lines: { level: string; entry: unknown }[] = [];
  log(entry: unknown): void {
    this.lines.push({ level: 'log', entry });
  }
  warn(entry: unknown): void {
    this.lines.push({ level: 'warn', entry });
  }
  error(entry: unknown): void {
    this.lines.push({ level: 'error', entry });
  }
  debug(entry: unknown): void {
    this.lines.push({ level: 'debug', entry });
  }
}
