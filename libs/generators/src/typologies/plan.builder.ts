import type { Channel, EventKind, Typology } from '@app/vocabulary';
import type { BankProfile } from '../profiles/bank-profile';
import type { FakerFactory } from '../random/faker.factory';
import type { RandomStreams, Rng } from '../random/prng';
import { addExternalAccountTo } from '../population/population.builder';
import {
  type AccountRec,
  DAY_MS,
  HOUR_MS,
  type PersonRec,
  type SimulationClock,
} from '../population/population.model';
import type { PopulationRegistry } from '../population/population.registry';
import type {
  InjectionPlan,
  NormalDecoys,
  PlannedInstance,
  PlannedMovement,
} from './injection.model';

/** Thresholds the injected patterns are built around (the detectors' settings by default). */
export interface PatternThresholds {
  /** Cash reporting threshold in minor units of USD (10,000.00 USD = 1,000,000). */
  cashThresholdMinor: number;
  /** Structuring deposits fall within this percent below the threshold. */
  structuringBandPercent: number;
  /** Inactivity, in days, after which an account counts as dormant. */
  dormantDays: number;
  /** Jurisdictions treated as high-risk; flows to them are injected, never generated normally. */
  highRiskJurisdictions: readonly string[];
}

export interface PlanContext {
  streams: RandomStreams;
  fakers: FakerFactory;
  profile: BankProfile;
  clock: SimulationClock;
  registry: PopulationRegistry;
  thresholds: PatternThresholds;
}

type Extra = Partial<
  Pick<PlannedMovement, 'identifierUid' | 'country' | 'latitude' | 'longitude' | 'reference'>
>;

/**
 * Collects injected instances with their movements and events, and hands out accounts so that
 * no account takes part in two instances (ground truth stays unambiguous). Accounts come from
 * the ordinary population, with their ordinary history, so injected patterns are not
 * recognisable by being new.
 */
export class PlanBuilder implements InjectionPlan {
  readonly instances: PlannedInstance[] = [];
  readonly movements: PlannedMovement[] = [];
  readonly events: InjectionPlan['events'] = [];
  readonly decoys: NormalDecoys = { payroll: new Map(), merchantDays: new Map() };
  private readonly claimed = new Set<number>();
  private readonly claimedPersons = new Set<number>();
  private readonly counters = new Map<string, number>();
  readonly personalPool: readonly number[];
  readonly businessPool: readonly number[];

  constructor(readonly ctx: PlanContext) {
    const seasoned = ctx.clock.windowStart - 30 * DAY_MS;
    const ordinary = (a: AccountRec): boolean =>
      a.normal &&
      a.props.status === 'active' &&
      a.props.currency === 'USD' &&
      a.props.openedAt < seasoned;
    this.personalPool = ctx.registry.accounts
      .filter((a) => a.props.accountType === 'personal' && ordinary(a))
      .map((a) => a.index);
    this.businessPool = ctx.registry.accounts
      .filter((a) => a.props.accountType === 'business' && ordinary(a))
      .map((a) => a.index);
  }

  get registry(): PopulationRegistry {
    return this.ctx.registry;
  }

  get clock(): SimulationClock {
    return this.ctx.clock;
  }

  account(index: number): AccountRec {
    const account = this.registry.accounts[index];
    if (!account) throw new RangeError(`account #${index} does not exist`);
    return account;
  }

  // --- instances -----------------------------------------------------------------------------

  /** Starts an instance; returns its index for `move` and `event`. */
  begin(typology: Typology, decoy: boolean, parameters: PlannedInstance['parameters']): number {
    const key = `${decoy ? 'decoy-' : ''}${typology}`;
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    this.instances.push({
      instanceId: `${key}-${String(n).padStart(4, '0')}`,
      typology,
      decoy,
      entities: [],
      parameters,
      movementIds: [],
      eventIds: [],
      windowFrom: Number.POSITIVE_INFINITY,
      windowTo: Number.NEGATIVE_INFINITY,
    });
    return this.instances.length - 1;
  }

  instance(index: number): PlannedInstance {
    const instance = this.instances[index];
    if (!instance) throw new RangeError(`instance #${index} does not exist`);
    return instance;
  }

  /** Adds vertex uids to an instance's entities (each once, in the order given). */
  entities(instance: number, uids: readonly string[]): void {
    const list = this.instance(instance).entities;
    for (const uid of uids) if (!list.includes(uid)) list.push(uid);
  }

  move(
    instance: number,
    from: AccountRec,
    to: AccountRec,
    amountMinor: number,
    timestamp: number,
    channel: Channel,
    extra: Extra = {},
  ): void {
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 1)
      throw new RangeError(
        `amount ${amountMinor} must be a whole number of minor units, at least 1`,
      );
    const end = this.clock.windowEnd;
    if (timestamp >= end)
      throw new RangeError(
        `movement at ${new Date(timestamp).toISOString()} is after the reference time`,
      );
    this.movements.push({
      from: from.index,
      to: to.index,
      amountMinor,
      timestamp,
      channel,
      ...extra,
      instance,
    });
  }

  event(
    instance: number,
    account: AccountRec,
    kind: EventKind,
    timestamp: number,
    extra: Omit<
      InjectionPlan['events'][number],
      'account' | 'kind' | 'timestamp' | 'instance'
    > = {},
  ): void {
    if (timestamp >= this.clock.windowEnd)
      throw new RangeError(
        `event at ${new Date(timestamp).toISOString()} is after the reference time`,
      );
    this.events.push({ account: account.index, kind, timestamp, ...extra, instance });
  }

  // --- accounts ------------------------------------------------------------------------------

  private claimFrom(
    rng: Rng,
    pool: readonly number[],
    accept: (a: AccountRec) => boolean = () => true,
  ): AccountRec | undefined {
    if (pool.length === 0) return undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      const index = pool[rng.int(0, pool.length - 1)];
      if (!this.claimed.has(index) && accept(this.account(index))) return this.take(index);
    }
    const start = rng.int(0, pool.length - 1);
    for (let k = 0; k < pool.length; k++) {
      const index = pool[(start + k) % pool.length];
      if (!this.claimed.has(index) && accept(this.account(index))) return this.take(index);
    }
    return undefined;
  }

  private take(index: number): AccountRec {
    this.claimed.add(index);
    return this.account(index);
  }

  /** Claims a specific account (decoys pick theirs by size, not at random). */
  claimAccount(account: number): void {
    this.claimed.add(account);
  }

  isClaimed(account: number): boolean {
    return this.claimed.has(account);
  }

  personal(rng: Rng, accept?: (a: AccountRec) => boolean): AccountRec | undefined {
    return this.claimFrom(rng, this.personalPool, accept);
  }

  business(rng: Rng, accept?: (a: AccountRec) => boolean): AccountRec | undefined {
    return this.claimFrom(rng, this.businessPool, accept);
  }

  /** Personal or business (one in four), for patterns either may run. */
  anyAccount(rng: Rng): AccountRec | undefined {
    return rng.chance(0.25)
      ? (this.business(rng) ?? this.personal(rng))
      : (this.personal(rng) ?? this.business(rng));
  }

  /** `count` distinct unclaimed personal accounts, or undefined (and nothing claimed) if too few. */
  personals(
    rng: Rng,
    count: number,
    accept?: (a: AccountRec) => boolean,
  ): AccountRec[] | undefined {
    const taken: AccountRec[] = [];
    for (let i = 0; i < count; i++) {
      const account = this.personal(rng, accept);
      if (!account) {
        for (const a of taken) this.claimed.delete(a.index);
        return undefined;
      }
      taken.push(account);
    }
    return taken;
  }

  release(accounts: readonly AccountRec[]): void {
    for (const account of accounts) this.claimed.delete(account.index);
  }

  holderPerson(account: AccountRec): PersonRec | undefined {
    const holder = account.holders.find((h) => h.kind === 'person' && h.role === 'holder');
    return holder ? this.registry.persons[holder.index] : undefined;
  }

  /** Claims a person (for ownership scenarios) so that two scenarios never share one. */
  claimPerson(rng: Rng, accept: (p: PersonRec) => boolean = () => true): PersonRec | undefined {
    const persons = this.registry.persons;
    for (let attempt = 0; attempt < 200 && persons.length > 0; attempt++) {
      const person = persons[rng.int(0, persons.length - 1)];
      if (!this.claimedPersons.has(person.index) && accept(person)) {
        this.claimedPersons.add(person.index);
        return person;
      }
    }
    return undefined;
  }

  external(rng: Rng, country: string): AccountRec {
    const existing = this.registry.externalByCountry.get(country);
    if (existing && existing.length > 0 && rng.chance(0.5)) return this.account(rng.pick(existing));
    return addExternalAccountTo(this.registry, rng, country);
  }

  /** Suppresses the account's normal activity in [from, to). */
  quiet(account: AccountRec, from: number, to: number): void {
    account.quiet.push([from, to]);
  }

  // --- time ----------------------------------------------------------------------------------

  /**
   * A start instant such that [start, start + duration) lies in the simulated period, at least
   * `minHistoryDays` after its start when the period is long enough.
   */
  start(rng: Rng, durationMs: number, minHistoryDays = 0): number {
    const { windowStart, windowEnd } = this.clock;
    const latest = windowEnd - durationMs - HOUR_MS;
    const earliest = Math.min(windowStart + minHistoryDays * DAY_MS, latest);
    return earliest >= latest ? Math.max(windowStart, latest) : rng.int(earliest, latest);
  }

  /** Sorted distinct instants: `count` points strictly increasing from `start`, each gap in [minGap, maxGap]. */
  timeline(rng: Rng, start: number, count: number, minGapMs: number, maxGapMs: number): number[] {
    const times: number[] = [];
    let t = start;
    for (let i = 0; i < count; i++) {
      times.push(t);
      t += rng.int(Math.max(1, minGapMs), Math.max(1, maxGapMs));
    }
    return times;
  }
}
