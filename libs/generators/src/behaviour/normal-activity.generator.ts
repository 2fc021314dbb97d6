import type { Channel, EventKind } from '@app/vocabulary';
import type { BankProfile } from '../profiles/bank-profile';
import { AliasTable } from '../random/alias-table';
import type { RandomStreams, Rng } from '../random/prng';
import {
  type AccountRec,
  type CompanyRec,
  DAY_MS,
  HOUR_MS,
  LOCAL_UTC_OFFSET_MS,
  MINUTE_MS,
  type Population,
  type SimulationClock,
} from '../population/population.model';
import type { InjectionPlan, PlannedEvent, PlannedMovement } from '../typologies/injection.model';
import type { PatternThresholds } from '../typologies/plan.builder';
import { structuringBandFloor } from '../typologies/aml-rules.typologies';

/** A generated movement before it gets its id; `instance` >= 0 marks a decoy it belongs to. */
export type RawMovement = PlannedMovement;
export type RawEvent = PlannedEvent;

export interface NormalDay {
  movements: RawMovement[];
  events: RawEvent[];
}

export interface NormalActivityContext {
  streams: RandomStreams;
  profile: BankProfile;
  clock: SimulationClock;
  population: Population;
  plan: InjectionPlan;
  thresholds: PatternThresholds;
}

type Category =
  'card' | 'p2p' | 'atm' | 'deposit' | 'business' | 'merchantCash' | 'externalIn' | 'externalOut';

/** Share of discretionary (unscheduled) movements per activity. */
const CATEGORY_SHARES: Readonly<Record<Category, number>> = {
  card: 0.46,
  p2p: 0.13,
  atm: 0.09,
  deposit: 0.04,
  business: 0.12,
  merchantCash: 0.04,
  externalIn: 0.06,
  externalOut: 0.06,
};

/** Weekly rhythm, Sunday first; normalised to a mean of 1 below. */
const WEEKDAY: Readonly<Record<Category, readonly number[]>> = {
  card: [1.1, 0.9, 0.9, 0.95, 1.0, 1.15, 1.3],
  p2p: [1.0, 0.9, 0.9, 0.9, 1.0, 1.3, 1.1],
  atm: [0.9, 0.9, 0.9, 0.95, 1.0, 1.25, 1.2],
  deposit: [0.3, 1.2, 1.2, 1.2, 1.2, 1.3, 0.6],
  business: [0.05, 1.3, 1.3, 1.3, 1.3, 1.3, 0.15],
  merchantCash: [0.2, 1.4, 1.2, 1.2, 1.2, 1.3, 0.5],
  externalIn: [0.4, 1.15, 1.15, 1.15, 1.15, 1.15, 0.7],
  externalOut: [0.4, 1.15, 1.15, 1.15, 1.15, 1.15, 0.7],
};

/** Daily rhythm: relative weight of each local hour 0-23. */
const SHOPPING_HOURS = [
  1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 5, 6, 9, 8, 6, 5, 6, 8, 9, 8, 6, 4, 3, 2,
];
const WAKING_HOURS = [
  0.5, 0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.5, 3, 4, 4, 4, 5, 5, 4, 4, 4, 5, 6, 6, 5, 4, 3, 1,
];
const OFFICE_HOURS = [0, 0, 0, 0, 0, 0, 0, 0.5, 3, 5, 5, 5, 4, 5, 5, 5, 4, 3, 1, 0, 0, 0, 0, 0];
const BRANCH_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 5, 5, 6, 6, 5, 5, 4, 1, 0, 0, 0, 0, 0, 0];

const HOURS: Readonly<Record<Category, readonly number[]>> = {
  card: SHOPPING_HOURS,
  p2p: WAKING_HOURS,
  atm: SHOPPING_HOURS,
  deposit: BRANCH_HOURS,
  business: OFFICE_HOURS,
  merchantCash: BRANCH_HOURS,
  externalIn: OFFICE_HOURS,
  externalOut: WAKING_HOURS,
};

const CATEGORIES = Object.keys(CATEGORY_SHARES) as Category[];

function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}

/**
 * Everyday banking, one simulated day at a time: salaries and bills on their dates, card
 * spending, transfers between friends and family, cash at ATMs and branches, supplier
 * payments, transfers to and from other banks and abroad, and logins. Rates follow a weekly and
 * a daily rhythm; amounts are log-normal, in whole minor units. Each day draws from its own
 * random stream, so days can be generated one after the other without holding the period.
 */
export class NormalActivityGenerator {
  private readonly accounts: readonly AccountRec[];
  private readonly primary: Int32Array;
  private readonly homeCountry: string[];
  private readonly deviceUid: (string | undefined)[];
  private readonly cardUid: (string | undefined)[];
  private readonly tables = new Map<Category, { table: AliasTable; members: number[] }>();
  private readonly merchantTable: { table: AliasTable; members: number[] };
  private readonly loginTable: { table: AliasTable; members: number[] };
  private readonly perDay: Readonly<Record<Category, number>>;
  private readonly weekday: Readonly<Record<Category, readonly number[]>>;
  private readonly hourTables: Readonly<Record<Category, Float64Array>>;
  private readonly employers: CompanyRec[];
  private readonly billBuckets: number[][];
  private readonly domesticExternal: number[];
  private readonly bandFloor: number;
  private readonly payrollDone = new Set<number>();
  /** Last activity of dormant and closed accounts (their history lies before the period). */
  readonly lastActive = new Map<number, number>();
  private readonly historyMovements: RawMovement[];

  constructor(private readonly ctx: NormalActivityContext) {
    const { population } = ctx;
    this.accounts = population.accounts;
    this.primary = new Int32Array(population.persons.length).fill(-1);
    for (const person of population.persons) {
      const index = person.accounts.find((a) => {
        const account = this.accounts[a];
        return account !== undefined && account.normal && account.props.accountType === 'personal';
      });
      if (index !== undefined) this.primary[person.index] = index;
    }
    this.homeCountry = this.accounts.map((account) => {
      const holder = account.holders.find((h) => h.role === 'holder');
      if (holder?.kind === 'person')
        return population.persons[holder.index]?.props.residence ?? account.props.country;
      return account.props.country;
    });
    const uidOf = (identifier: number): string | undefined =>
      population.identifiers[identifier]?.uid;
    this.deviceUid = this.accounts.map((account) => {
      const device = account.identifiers.find((i) => population.identifiers[i]?.kind === 'device');
      return device === undefined ? undefined : uidOf(device);
    });
    this.cardUid = this.accounts.map((account) =>
      account.card >= 0 ? uidOf(account.card) : undefined,
    );

    const personal = this.accounts.filter((a) => a.normal && a.props.accountType === 'personal');
    const usdPersonal = personal.filter((a) => a.props.currency === 'USD');
    const holderOf = (a: AccountRec): number =>
      a.holders.find((h) => h.kind === 'person')?.index ?? -1;
    const companyOf = (a: AccountRec): CompanyRec | undefined => {
      const holder = a.holders.find((h) => h.kind === 'company');
      return holder ? population.companies[holder.index] : undefined;
    };
    const business = this.accounts.filter((a) => a.normal && a.props.accountType === 'business');
    const merchants = business.filter((a) => companyOf(a)?.role === 'merchant');
    const table = (
      members: AccountRec[],
      weight: (a: AccountRec) => number,
    ): { table: AliasTable; members: number[] } => ({
      table: new AliasTable(members.map(weight)),
      members: members.map((a) => a.index),
    });
    this.tables.set(
      'card',
      table(
        personal.filter((a) => a.card >= 0),
        (a) => a.activity,
      ),
    );
    this.tables.set(
      'p2p',
      table(
        personal.filter((a) => (population.persons[holderOf(a)]?.contacts.length ?? 0) > 0),
        (a) => a.activity,
      ),
    );
    this.tables.set(
      'atm',
      table(usdPersonal, (a) => a.activity),
    );
    this.tables.set(
      'deposit',
      table(usdPersonal, (a) => a.activity),
    );
    this.tables.set(
      'business',
      table(
        business.filter((a) => (companyOf(a)?.suppliers.length ?? 0) > 0),
        (a) => a.activity + 0.05,
      ),
    );
    this.tables.set(
      'merchantCash',
      table(
        merchants.filter((a) => a.props.currency === 'USD'),
        (a) => a.activity + 0.05,
      ),
    );
    this.tables.set(
      'externalIn',
      table(personal, (a) => a.activity),
    );
    this.tables.set(
      'externalOut',
      table(personal, (a) => a.activity),
    );
    this.merchantTable = table(merchants, (a) => a.activity);
    this.loginTable = table([...personal, ...business], (a) => a.activity + 0.1);
    this.domesticExternal = population.externalByCountry.get('US') ?? [];
    this.bandFloor = structuringBandFloor(
      ctx.thresholds.cashThresholdMinor,
      ctx.thresholds.structuringBandPercent,
    );

    // Scheduled movements: payroll, bills, remittances.
    this.employers = population.companies.filter(
      (c) => c.employees.length > 0 && c.accounts.length > 0,
    );
    this.billBuckets = Array.from({ length: 29 }, () => []);
    for (const person of population.persons) {
      const primary = this.primary[person.index] ?? -1;
      if (primary >= 0) this.billBuckets[this.accounts[primary]?.billDay ?? 1]?.push(person.index);
    }
    const days = ctx.clock.days;
    const months = days / 30.44;
    let scheduled = 0;
    for (const company of this.employers) {
      const runs = company.payroll === 'monthly' ? months : days / 14;
      scheduled += runs * company.employees.filter((p) => (this.primary[p] ?? -1) >= 0).length;
    }
    for (const person of population.persons) {
      const primary = this.accounts[this.primary[person.index] ?? -1];
      if (!primary) continue;
      scheduled +=
        months *
        ((primary.rent ? 1 : 0) + (primary.utility ? 1 : 0) + (person.remitsTo >= 0 ? 1 : 0));
    }
    const target = (ctx.profile.movementsPer90Days * days) / 90;
    const discretionary = Math.max(0.35 * target, target - scheduled);
    const perDay = {} as Record<Category, number>;
    const weekday = {} as Record<Category, readonly number[]>;
    const hours = {} as Record<Category, Float64Array>;
    for (const category of CATEGORIES) {
      perDay[category] = this.tables.get(category)?.table.empty
        ? 0
        : (discretionary * CATEGORY_SHARES[category]) / days;
      const factors = WEEKDAY[category];
      const mean = factors.reduce((a, b) => a + b, 0) / factors.length;
      weekday[category] = factors.map((f) => f / mean);
      hours[category] = cumulative(HOURS[category]);
    }
    this.perDay = perDay;
    this.weekday = weekday;
    this.hourTables = hours;
    this.historyMovements = this.buildHistory();
  }

  // --- checks --------------------------------------------------------------------------------

  private quietAt(account: AccountRec, t: number): boolean {
    for (const [from, to] of account.quiet) if (t >= from && t < to) return true;
    return false;
  }

  /** The account may send or receive a normal movement at t. */
  private active(index: number, t: number): boolean {
    const account = this.accounts[index];
    if (!account) return false;
    const type = account.props.accountType;
    if (type === 'external' || type === 'cash-point') return true;
    return (
      account.normal &&
      t >= account.props.openedAt &&
      (account.quiet.length === 0 || !this.quietAt(account, t))
    );
  }

  private localTime(rng: Rng, dayStart: number, category: Category): number {
    const table = this.hourTables[category];
    const total = table[table.length - 1] ?? 1;
    const point = rng.float() * total;
    let hour = 0;
    while (hour < table.length - 1 && (table[hour] ?? 0) <= point) hour++;
    return this.at(dayStart, hour * HOUR_MS + rng.int(0, HOUR_MS - 1));
  }

  /** Instant of a local time of day on the UTC day `dayStart` (wrapped into that day). */
  private at(dayStart: number, localMs: number): number {
    return dayStart + ((((localMs - LOCAL_UTC_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS);
  }

  /** A cash amount that stays out of the structuring band (ordinary customers do not structure). */
  private cashAmount(rng: Rng, median: number, sigma: number): number {
    for (;;) {
      const amount = Math.max(1_000, Math.round(rng.logNormal(median, sigma)) * 100);
      if (amount < this.bandFloor || amount >= this.ctx.thresholds.cashThresholdMinor)
        return amount;
    }
  }

  private located(
    rng: Rng,
    account: AccountRec,
  ): Pick<RawMovement, 'country' | 'latitude' | 'longitude'> {
    return {
      country: this.homeCountry[account.index] ?? account.props.country,
      latitude: Math.round((account.city.latitude + rng.between(-0.05, 0.05)) * 10_000) / 10_000,
      longitude: Math.round((account.city.longitude + rng.between(-0.05, 0.05)) * 10_000) / 10_000,
    };
  }

  // --- history -------------------------------------------------------------------------------

  /** Old movements of dormant and closed accounts, before the period (nothing after). */
  history(): readonly RawMovement[] {
    return this.historyMovements;
  }

  private buildHistory(): RawMovement[] {
    const rng = this.ctx.streams.for('normal', 'history');
    const { windowEnd } = this.ctx.clock;
    const atms = this.ctx.population.atms;
    const out: RawMovement[] = [];
    for (const account of this.accounts) {
      const status = account.props.status;
      if (status === 'active' || account.props.accountType !== 'personal') continue;
      const quietDays = this.ctx.thresholds.dormantDays + rng.int(30, 900);
      const last = Math.max(
        account.props.openedAt + 30 * DAY_MS,
        windowEnd - quietDays * DAY_MS - rng.int(0, DAY_MS - 1),
      );
      this.lastActive.set(account.index, last);
      const count = rng.int(1, 3);
      for (let k = count - 1; k >= 0; k--) {
        const t = Math.max(account.props.openedAt + HOUR_MS, last - k * rng.int(3, 40) * DAY_MS);
        if (atms.length > 0 && rng.chance(0.5)) {
          out.push({
            from: account.index,
            to: rng.pick(atms),
            amountMinor: rng.int(2, 15) * 2_000,
            timestamp: t,
            channel: 'cash',
            instance: -1,
          });
        } else if (this.domesticExternal.length > 0) {
          out.push({
            from: rng.pick(this.domesticExternal),
            to: account.index,
            amountMinor: Math.round(rng.logNormal(400, 0.8) * 100) + 100,
            timestamp: t,
            channel: 'ach',
            instance: -1,
          });
        }
      }
    }
    return out;
  }

  // --- one day -------------------------------------------------------------------------------

  day(d: number): NormalDay {
    const rng = this.ctx.streams.for('normal', 'day', d);
    const dayStart = this.ctx.clock.windowStart + d * DAY_MS;
    const date = new Date(dayStart);
    const weekday = date.getUTCDay();
    const movements: RawMovement[] = [];
    const events: RawEvent[] = [];
    this.payroll(rng, dayStart, date, movements);
    this.bills(rng, dayStart, date.getUTCDate(), movements);
    for (const category of CATEGORIES) {
      const count = rng.poisson(
        (this.perDay[category] ?? 0) * (this.weekday[category]?.[weekday] ?? 1),
      );
      for (let k = 0; k < count; k++) this.discretionary(rng, category, d, dayStart, movements);
    }
    this.logins(rng, dayStart, events);
    return { movements, events };
  }

  private payroll(rng: Rng, dayStart: number, date: Date, out: RawMovement[]): void {
    const weekday = date.getUTCDay();
    const dom = date.getUTCDate();
    // Monthly payday: the 25th, or the Friday before when it falls on a weekend.
    const monthly =
      (weekday >= 1 && weekday <= 5 && dom === 25) || (weekday === 5 && (dom === 23 || dom === 24));
    const friday = weekday === 5;
    const week = Math.floor(dayStart / (7 * DAY_MS));
    for (const company of this.employers) {
      const pays =
        company.payroll === 'monthly' ? monthly : friday && (week + company.index) % 2 === 0;
      if (!pays) continue;
      const payer = company.accounts[0];
      const decoy = this.ctx.plan.decoys.payroll.get(company.index);
      const tag = decoy !== undefined && !this.payrollDone.has(company.index) ? decoy : -1;
      const start = this.at(dayStart, 6 * HOUR_MS + rng.int(0, 30) * MINUTE_MS);
      let paid = 0;
      company.employees.forEach((personIndex, k) => {
        const to = this.primary[personIndex] ?? -1;
        const person = this.ctx.population.persons[personIndex];
        const t = start + k * 1_000;
        if (
          to < 0 ||
          !person ||
          !this.active(payer, t) ||
          !this.active(to, t) ||
          t >= this.ctx.clock.windowEnd
        )
          return;
        const amount =
          company.payroll === 'monthly'
            ? person.salaryMinor
            : Math.round((person.salaryMinor * 12) / 26);
        out.push({
          from: payer,
          to,
          amountMinor: amount,
          timestamp: t,
          channel: 'ach',
          reference: 'salary',
          instance: tag,
        });
        paid++;
      });
      if (tag >= 0 && paid > 0) this.payrollDone.add(company.index);
    }
  }

  private bills(rng: Rng, dayStart: number, dom: number, out: RawMovement[]): void {
    if (dom > 28) return;
    const persons = this.ctx.population.persons;
    for (const personIndex of this.billBuckets[dom] ?? []) {
      const from = this.primary[personIndex] ?? -1;
      const account = this.accounts[from];
      if (!account) continue;
      if (account.rent) {
        const t = this.at(dayStart, rng.int(0, 6 * HOUR_MS - 1));
        if (this.active(from, t) && this.active(account.rent.to, t)) {
          out.push({
            from,
            to: account.rent.to,
            amountMinor: account.rent.amountMinor,
            timestamp: t,
            channel: 'ach',
            reference: 'rent',
            instance: -1,
          });
        }
      }
      if (account.utility) {
        const t = this.at(dayStart, rng.int(0, 6 * HOUR_MS - 1));
        const amount = Math.round(account.utility.amountMinor * rng.between(0.8, 1.25));
        if (this.active(from, t) && this.active(account.utility.to, t)) {
          out.push({
            from,
            to: account.utility.to,
            amountMinor: amount,
            timestamp: t,
            channel: 'ach',
            reference: 'utility',
            instance: -1,
          });
        }
      }
      const person = persons[personIndex];
      if (person && person.remitsTo >= 0) {
        const t = this.localTime(rng, dayStart, 'externalOut');
        if (this.active(from, t)) {
          out.push({
            from,
            to: person.remitsTo,
            amountMinor: Math.round(rng.logNormal(350, 0.5) * 100),
            timestamp: t,
            channel: 'wire',
            reference: 'family support',
            instance: -1,
          });
        }
      }
    }
  }

  private draw(rng: Rng, category: Category): number {
    const entry = this.tables.get(category);
    if (!entry || entry.table.empty) return -1;
    return entry.members[entry.table.draw(rng)] ?? -1;
  }

  private discretionary(
    rng: Rng,
    category: Category,
    d: number,
    dayStart: number,
    out: RawMovement[],
  ): void {
    const from = this.draw(rng, category);
    const account = this.accounts[from];
    if (!account) return;
    const t = this.localTime(rng, dayStart, category);
    // One object shape for every movement (no spreads): this loop runs millions of times.
    const push = (m: Omit<RawMovement, 'timestamp' | 'instance'>, instance = -1): void => {
      if (!this.active(m.from, t) || !this.active(m.to, t) || m.from === m.to) return;
      out.push({
        from: m.from,
        to: m.to,
        amountMinor: m.amountMinor,
        timestamp: t,
        channel: m.channel,
        identifierUid: m.identifierUid,
        country: m.country,
        latitude: m.latitude,
        longitude: m.longitude,
        reference: m.reference,
        instance,
      });
    };
    switch (category) {
      case 'card': {
        if (this.merchantTable.table.empty) return;
        const to = this.merchantTable.members[this.merchantTable.table.draw(rng)];
        const amount = Math.round(Math.min(3_000, Math.max(1, rng.logNormal(32, 0.9))) * 100);
        const decoy = this.ctx.plan.decoys.merchantDays.get(to);
        const card = this.cardUid[from];
        push(
          {
            from,
            to,
            amountMinor: amount,
            channel: 'card',
            ...(card ? { identifierUid: card } : {}),
            ...this.located(rng, account),
          },
          decoy && decoy[0] === d ? decoy[1] : -1,
        );
        return;
      }
      case 'p2p': {
        const holder = account.holders.find((h) => h.kind === 'person');
        const person = holder ? this.ctx.population.persons[holder.index] : undefined;
        if (!person || person.contacts.length === 0) return;
        const to = this.primary[rng.pick(person.contacts)] ?? -1;
        if (to < 0) return;
        const amount = rng.chance(0.5)
          ? rng.int(1, 30) * 1_000
          : Math.round(Math.max(1, rng.logNormal(60, 1)) * 100);
        push({
          from,
          to,
          amountMinor: amount,
          channel: 'internal',
          ...(rng.chance(0.4)
            ? { reference: rng.pick(['dinner', 'rent share', 'gift', 'thanks', 'tickets']) }
            : {}),
        });
        return;
      }
      case 'atm': {
        const atms = this.ctx.population.atms;
        if (atms.length === 0) return;
        push({
          from,
          to: rng.pick(atms),
          amountMinor: rng.int(2, 25) * 2_000,
          channel: 'cash',
          reference: 'atm withdrawal',
        });
        return;
      }
      case 'deposit': {
        const weekend = new Date(dayStart).getUTCDay() % 6 === 0;
        const points =
          weekend || rng.chance(0.4) ? this.ctx.population.atms : this.ctx.population.branches;
        if (points.length === 0) return;
        push({
          from: rng.pick(points),
          to: from,
          amountMinor: this.cashAmount(rng, 400, 0.8),
          channel: 'cash',
          reference: 'cash deposit',
        });
        return;
      }
      case 'merchantCash': {
        const branches = this.ctx.population.branches;
        if (branches.length === 0) return;
        push({
          from: rng.pick(branches),
          to: from,
          amountMinor: this.cashAmount(rng, 2_500, 0.6),
          channel: 'cash',
          reference: 'cash deposit',
        });
        return;
      }
      case 'business': {
        const holder = account.holders.find((h) => h.kind === 'company');
        const company = holder ? this.ctx.population.companies[holder.index] : undefined;
        if (!company || company.suppliers.length === 0) return;
        const channel: Channel = rng.weighted([
          ['ach', 55],
          ['wire', 35],
          ['cheque', 10],
        ] as const);
        const amount = Math.round(Math.min(250_000, Math.max(50, rng.logNormal(3_500, 1.1))) * 100);
        push({
          from,
          to: rng.pick(company.suppliers),
          amountMinor: amount,
          channel,
          reference: 'invoice',
        });
        return;
      }
      case 'externalIn': {
        if (this.domesticExternal.length === 0) return;
        push({
          from: rng.pick(this.domesticExternal),
          to: from,
          amountMinor: Math.round(Math.max(5, rng.logNormal(500, 1)) * 100),
          channel: 'ach',
          reference: 'transfer',
        });
        return;
      }
      case 'externalOut': {
        if (this.domesticExternal.length === 0) return;
        push({
          from,
          to: rng.pick(this.domesticExternal),
          amountMinor: Math.round(Math.max(5, rng.logNormal(300, 1)) * 100),
          channel: 'ach',
          reference: 'bill payment',
        });
        return;
      }
    }
  }

  private logins(rng: Rng, dayStart: number, out: RawEvent[]): void {
    if (this.loginTable.table.empty) return;
    const count = rng.poisson(
      (this.ctx.profile.loginsPerAccountPerWeek * this.loginTable.members.length) / 7,
    );
    for (let k = 0; k < count; k++) {
      const index = this.loginTable.members[this.loginTable.table.draw(rng)];
      const account = this.accounts[index];
      const t = this.localTime(rng, dayStart, 'p2p');
      if (!account || !this.active(index, t)) continue;
      const device = this.deviceUid[index];
      const place = this.located(rng, account);
      const event = (kind: EventKind, at: number): void => {
        if (at < dayStart + DAY_MS)
          out.push({
            account: index,
            kind,
            timestamp: at,
            ...place,
            ...(device ? { identifierUid: device } : {}),
            instance: -1,
          });
      };
      event('login', t);
      // Ordinary security housekeeping, never followed by a draining transfer.
      if (rng.chance(0.008)) event('credential-change', t + rng.int(MINUTE_MS, 10 * MINUTE_MS));
      if (rng.chance(0.004)) event('contact-change', t + rng.int(2 * MINUTE_MS, 15 * MINUTE_MS));
    }
  }
}
