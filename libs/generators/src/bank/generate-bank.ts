import {
  currencyExponent,
  type EventVertex,
  type GraphEdge,
  type GraphVertex,
  type GroundTruthRecord,
  ids,
  type MovementEdge,
  type TransferredProps,
} from '@app/vocabulary';
import {
  NormalActivityGenerator,
  type RawEvent,
  type RawMovement,
} from '../behaviour/normal-activity.generator';
import { USD_RATES } from '../population/geography';
import { buildPopulation } from '../population/population.builder';
import { type AccountRec, DAY_MS, SOURCE } from '../population/population.model';
import type { PopulationRegistry } from '../population/population.registry';
import { FakerFactory } from '../random/faker.factory';
import { RandomStreams } from '../random/prng';
import type { PlanBuilder } from '../typologies/plan.builder';
import { planInjections } from '../typologies/typology.planner';
import { type GenerateBankOptions, type ResolvedOptions, resolveOptions } from './bank-options';
import type { DatasetChunk, InMemoryDataset } from './dataset.model';

/**
 * Version of the generation logic. The same seed, profile, reference time, days and version
 * give byte-identical output; bump it whenever a change alters what is generated.
 */
export const GENERATOR_VERSION = '1.1.0';

/** Everything decided before the first movement: parties, structures and the injection plan. */
export interface BankWorld {
  options: ResolvedOptions;
  population: PopulationRegistry;
  plan: PlanBuilder;
  normal: NormalActivityGenerator;
}

export function buildWorld(options: GenerateBankOptions): BankWorld {
  const resolved = resolveOptions(options);
  const streams = new RandomStreams(resolved.seed);
  const fakers = new FakerFactory(streams);
  const base = { streams, fakers, profile: resolved.profile, clock: resolved.clock };
  const population = buildPopulation({
    ...base,
    highRiskJurisdictions: resolved.thresholds.highRiskJurisdictions,
  });
  const plan = planInjections({ ...base, registry: population, thresholds: resolved.thresholds });
  const normal = new NormalActivityGenerator({
    ...base,
    population,
    plan,
    thresholds: resolved.thresholds,
  });
  return { options: resolved, population, plan, normal };
}

/**
 * Generates a synthetic bank as a stream of chunks (see {@link DatasetChunk} for the order).
 * Memory stays bounded: parties and structures are held, movements are produced one simulated
 * day at a time and never accumulated.
 */
export async function* generateBank(options: GenerateBankOptions): AsyncGenerator<DatasetChunk> {
  yield* generateWorld(buildWorld(options));
}

/** The chunks of a world built with {@link buildWorld} (consumes it: identifiers are freed). */
export async function* generateWorld(world: BankWorld): AsyncGenerator<DatasetChunk> {
  for (const chunk of new DatasetEmitter(world).chunks()) {
    yield chunk;
    // Let timers and I/O run between chunks (progress bars, sockets), even for in-memory use.
    if (chunk.stage !== 'population') await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The whole dataset in memory. Meant for the tiny and small profiles (tests, API seeding). */
export async function generateBankInMemory(options: GenerateBankOptions): Promise<InMemoryDataset> {
  const dataset: InMemoryDataset = { vertices: [], edges: [], groundTruth: [] };
  for await (const chunk of generateBank(options)) {
    for (const vertex of chunk.vertices) dataset.vertices.push(vertex);
    for (const edge of chunk.edges) dataset.edges.push(edge);
    for (const record of chunk.groundTruth) dataset.groundTruth.push(record);
  }
  return dataset;
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** 0..n-1 in a scrambled but fixed order: k -> (k * m + c) mod n with m coprime to n. */
export function* scrambledOrder(n: number): Generator<number> {
  if (n === 0) return;
  let m = Math.floor(n * 0.6180339887) | 1;
  while (gcd(m, n) !== 1) m += 2;
  const c = Math.floor(n / 3);
  for (let k = 0; k < n; k++) yield (k * m + c) % n;
}

/** Converts an amount between currencies at the fixed synthetic rates, in whole minor units. */
export function convertMinor(amountMinor: number, from: string, to: string): number {
  const rate = (USD_RATES[to] ?? 1) / (USD_RATES[from] ?? 1);
  return Math.max(
    0,
    Math.round(amountMinor * rate * 10 ** (currencyExponent(to) - currencyExponent(from))),
  );
}

class DatasetEmitter {
  private movementCount = 0;
  private eventCount = 0;
  private readonly accounts: readonly AccountRec[];

  constructor(private readonly world: BankWorld) {
    this.accounts = world.population.accounts;
  }

  *chunks(): Generator<DatasetChunk> {
    yield* this.population();
    yield* this.movements();
    yield this.groundTruth();
  }

  // --- population ----------------------------------------------------------------------------

  /**
   * Parties, accounts and identifiers, then HOLDS, OWNS, CONTROLS and USES edges, built chunk by
   * chunk. Each list is written in a scrambled order (a bijection of its indices), so that
   * things created last (injected scenarios) are not at the end of the files.
   */
  private *population(): Generator<DatasetChunk> {
    const { population } = this.world;
    const size = this.world.options.chunkSize;
    const accounts = this.accounts;
    let holds = 0;
    let uses = 0;
    for (const a of accounts) {
      holds += a.holders.length;
      uses += a.identifiers.length + a.extraUses.length;
    }
    const vertexCount =
      population.persons.length +
      population.companies.length +
      accounts.length +
      population.identifiers.length;
    const total =
      Math.ceil(vertexCount / size) +
      Math.ceil((holds + population.relations.length + uses) / size);
    let done = 0;
    let vertices: GraphVertex[] = [];
    let edges: GraphEdge[] = [];
    const vertexChunk = (): DatasetChunk => {
      const chunk: DatasetChunk = {
        stage: 'population',
        vertices,
        edges: [],
        groundTruth: [],
        progress: { done: Math.min(++done, total), total },
      };
      vertices = [];
      return chunk;
    };
    const edgeChunk = (): DatasetChunk => {
      const chunk: DatasetChunk = {
        stage: 'population',
        vertices: [],
        edges,
        groundTruth: [],
        progress: { done: Math.min(++done, total), total },
      };
      edges = [];
      return chunk;
    };
    for (const i of scrambledOrder(population.persons.length)) {
      const p = population.persons[i];
      vertices.push({ label: 'Person', uid: p.uid, props: p.props });
      if (vertices.length >= size) yield vertexChunk();
    }
    for (const i of scrambledOrder(population.companies.length)) {
      const c = population.companies[i];
      vertices.push({ label: 'Company', uid: c.uid, props: c.props });
      if (vertices.length >= size) yield vertexChunk();
    }
    const accountOrder = [...scrambledOrder(accounts.length)];
    for (const i of accountOrder) {
      const a = accounts[i];
      vertices.push({ label: 'Account', uid: a.uid, props: a.props });
      if (vertices.length >= size) yield vertexChunk();
    }
    for (const i of scrambledOrder(population.identifiers.length)) {
      const identifier = population.identifiers[i];
      vertices.push({
        label: 'Identifier',
        uid: identifier.uid,
        props: { kind: identifier.kind, value: identifier.value },
      });
      if (vertices.length >= size) yield vertexChunk();
    }
    if (vertices.length > 0) yield vertexChunk();
    for (const i of accountOrder) {
      const a = accounts[i];
      for (const holder of a.holders) {
        const party =
          holder.kind === 'person'
            ? population.persons[holder.index]
            : population.companies[holder.index];
        if (!party) continue;
        edges.push({
          label: 'HOLDS',
          eid: ids.structural('HOLDS', party.uid, a.uid),
          from: party.uid,
          to: a.uid,
          props: { role: holder.role, since: a.props.openedAt },
        });
        if (edges.length >= size) yield edgeChunk();
      }
    }
    for (const relation of [...population.relations].sort(byKey((x) => x.eid))) {
      edges.push(relation);
      if (edges.length >= size) yield edgeChunk();
    }
    for (const i of accountOrder) {
      for (const edge of this.uses(accounts[i])) {
        edges.push(edge);
        if (edges.length >= size) yield edgeChunk();
      }
    }
    if (edges.length > 0) yield edgeChunk();
    // Identifier records and lists are no longer needed once written (logins and card payments
    // use the device and card ids the behaviour generator took at the start); free them for the
    // long movement stage, whose garbage collection cost grows with the live heap.
    population.identifiers.length = 0;
    for (const account of accounts) account.identifiers = [];
    for (const person of population.persons) person.identifiers = [];
  }

  /** USES edges of one account: ordinary identifiers with generated times, then explicit ones. */
  private uses(account: AccountRec): GraphEdge[] {
    if (account.identifiers.length === 0 && account.extraUses.length === 0) return [];
    const { clock } = this.world.options;
    const rng = this.world.plan.ctx.streams.for('uses', account.index);
    const lastActive = this.world.normal.lastActive.get(account.index);
    const spans = new Map<number, { firstSeen: number; lastSeen: number }>();
    for (const identifier of account.identifiers) {
      if (spans.has(identifier)) continue;
      const firstSeen = Math.min(
        clock.windowEnd - 1,
        account.props.openedAt + rng.int(0, 2 * DAY_MS),
      );
      const lastSeen =
        lastActive !== undefined
          ? Math.max(firstSeen, lastActive)
          : Math.max(firstSeen, clock.windowEnd - 1 - rng.int(0, 10 * DAY_MS));
      spans.set(identifier, { firstSeen, lastSeen });
    }
    for (const use of account.extraUses) {
      const known = spans.get(use.identifier);
      spans.set(
        use.identifier,
        known
          ? {
              firstSeen: Math.min(known.firstSeen, use.firstSeen),
              lastSeen: Math.max(known.lastSeen, use.lastSeen),
            }
          : { firstSeen: use.firstSeen, lastSeen: use.lastSeen },
      );
    }
    const edges: GraphEdge[] = [];
    for (const [identifier, span] of spans) {
      const uid = this.world.population.identifiers[identifier]?.uid;
      if (uid)
        edges.push({
          label: 'USES',
          eid: ids.structural('USES', account.uid, uid),
          from: account.uid,
          to: uid,
          props: span,
        });
    }
    return edges.sort(byKey((e) => e.eid));
  }

  // --- movements and events ------------------------------------------------------------------

  private *movements(): Generator<DatasetChunk> {
    const { clock } = this.world.options;
    const planned = this.world.plan.movements
      .map((m, order) => ({ m, order }))
      .sort((a, b) => a.m.timestamp - b.m.timestamp || a.order - b.order);
    const plannedEvents = this.world.plan.events
      .map((e, order) => ({ e, order }))
      .sort((a, b) => a.e.timestamp - b.e.timestamp || a.order - b.order);
    let mp = 0;
    let ep = 0;
    // History before the period: dormant and closed accounts, and injected histories.
    const history: RawMovement[] = [...this.world.normal.history()];
    while (mp < planned.length && (planned[mp]?.m.timestamp ?? 0) < clock.windowStart)
      history.push((planned[mp++] as { m: RawMovement }).m);
    yield this.dayChunk(history, [], 0);
    for (let d = 0; d < clock.days; d++) {
      const dayEnd = clock.windowStart + (d + 1) * DAY_MS;
      const normal = this.world.normal.day(d);
      const movements = normal.movements;
      const events = normal.events;
      while (mp < planned.length && (planned[mp]?.m.timestamp ?? 0) < dayEnd)
        movements.push((planned[mp++] as { m: RawMovement }).m);
      while (ep < plannedEvents.length && (plannedEvents[ep]?.e.timestamp ?? 0) < dayEnd)
        events.push((plannedEvents[ep++] as { e: RawEvent }).e);
      yield this.dayChunk(movements, events, d + 1);
    }
  }

  private dayChunk(movements: RawMovement[], events: RawEvent[], done: number): DatasetChunk {
    // Array.prototype.sort is stable: equal instants keep their generation order (deterministic).
    events.sort((a, b) => a.timestamp - b.timestamp);
    movements.sort((a, b) => a.timestamp - b.timestamp);
    const vertices: GraphVertex[] = [];
    const edges: GraphEdge[] = [];
    for (const event of events) {
      const vertex = this.eventVertex(event);
      const account = this.accounts[event.account];
      vertices.push(vertex);
      edges.push({
        label: 'HAS_EVENT',
        eid: ids.structural('HAS_EVENT', account.uid, vertex.uid),
        from: account.uid,
        to: vertex.uid,
        props: {},
      });
      if (event.instance >= 0) this.world.plan.instance(event.instance).eventIds.push(vertex.uid);
      this.widen(event.instance, event.timestamp);
    }
    for (const movement of movements) edges.push(this.movementEdge(movement));
    return {
      stage: 'movements',
      vertices,
      edges,
      groundTruth: [],
      progress: { done, total: this.world.options.clock.days },
    };
  }

  private eventVertex(event: RawEvent): EventVertex {
    const props: EventVertex['props'] = { kind: event.kind, timestamp: event.timestamp };
    if (event.country !== undefined) props.country = event.country;
    if (event.latitude !== undefined) props.latitude = event.latitude;
    if (event.longitude !== undefined) props.longitude = event.longitude;
    if (event.identifierUid !== undefined) props.identifierUid = event.identifierUid;
    return { label: 'Event', uid: ids.event(SOURCE, ++this.eventCount), props };
  }

  private movementEdge(m: RawMovement): MovementEdge {
    const from = this.accounts[m.from];
    const to = this.accounts[m.to];
    // Planned amounts are in the bank customer's currency. When a foreign external account
    // sends, the planned number is what arrives; the sender paid its equivalent in its own
    // currency. Otherwise the sender pays the planned amount and the receiver gets it converted.
    const foreignSender =
      from.props.accountType === 'external' && from.props.currency !== to.props.currency;
    const props: TransferredProps = {
      amountMinor: foreignSender
        ? Math.max(1, convertMinor(m.amountMinor, to.props.currency, from.props.currency))
        : m.amountMinor,
      currency: from.props.currency,
      timestamp: m.timestamp,
      channel: m.channel,
    };
    if (to.props.currency !== from.props.currency) {
      props.receivedAmountMinor = foreignSender
        ? m.amountMinor
        : convertMinor(m.amountMinor, from.props.currency, to.props.currency);
      props.receivedCurrency = to.props.currency;
    }
    if (m.identifierUid !== undefined) props.identifierUid = m.identifierUid;
    if (m.country !== undefined) props.country = m.country;
    if (m.latitude !== undefined) props.latitude = m.latitude;
    if (m.longitude !== undefined) props.longitude = m.longitude;
    if (m.reference !== undefined) props.reference = m.reference;
    const edge: MovementEdge = {
      label: 'TRANSFERRED',
      eid: ids.movement(SOURCE, ++this.movementCount),
      from: from.uid,
      to: to.uid,
      props,
    };
    if (m.instance >= 0) {
      const instance = this.world.plan.instance(m.instance);
      instance.movementIds.push(edge.eid);
      // Decoys marked during normal generation learn their accounts as they happen.
      if (instance.decoy) {
        if (!instance.entities.includes(from.uid)) instance.entities.push(from.uid);
        if (!instance.entities.includes(to.uid)) instance.entities.push(to.uid);
      }
      this.widen(m.instance, m.timestamp);
    }
    return edge;
  }

  private widen(instance: number, timestamp: number): void {
    if (instance < 0) return;
    const planned = this.world.plan.instance(instance);
    planned.windowFrom = Math.min(planned.windowFrom, timestamp);
    planned.windowTo = Math.max(planned.windowTo, timestamp);
  }

  // --- ground truth --------------------------------------------------------------------------

  /**
   * One record per instance and decoy. `entities` lists the instance's accounts, parties and
   * identifiers first (for money patterns the key account first: the fan-out source, the
   * structuring collector, the takeover victim, the ownership target…), then the uids of its
   * Event vertices (logins, credential and contact changes) in time order.
   */
  private groundTruth(): DatasetChunk {
    const records: GroundTruthRecord[] = [];
    const marked = this.world.plan.decoys;
    const markedDuringGeneration = new Set([
      ...marked.payroll.values(),
      ...[...marked.merchantDays.values()].map(([, i]) => i),
    ]);
    for (const [index, instance] of this.world.plan.instances.entries()) {
      // A payroll or market-day decoy whose day did not come (short periods) is left out.
      if (markedDuringGeneration.has(index) && instance.movementIds.length === 0) continue;
      const record: GroundTruthRecord = {
        instanceId: instance.instanceId,
        typology: instance.typology,
        decoy: instance.decoy,
        source: 'generator',
        entities: [
          ...instance.entities,
          ...instance.eventIds.filter((uid) => !instance.entities.includes(uid)),
        ],
        movements: instance.movementIds,
        ...(Number.isFinite(instance.windowFrom)
          ? { window: { from: instance.windowFrom, to: instance.windowTo } }
          : {}),
        parameters: instance.parameters,
        ...(instance.expectedOwnership ? { expectedOwnership: instance.expectedOwnership } : {}),
      };
      records.push(record);
    }
    return {
      stage: 'ground-truth',
      vertices: [],
      edges: [],
      groundTruth: records,
      progress: { done: 1, total: 1 },
    };
  }
}
