import { MemoryAccountDirectory } from '@app/detectors';
import type { DetectedAlert, IdentifierUse } from '@app/detectors';
import { CHANNELS, familyOf } from '@app/vocabulary';
import type { BaseMoney, Movement, PricedAmount, Typology } from '@app/vocabulary';
import { seededRandom } from '../model/seeded-random';
import { account, DAY, payment, T0 } from '../testing/synthetic-bank';
import { FEATURE_NAMES } from './feature-set';
import { MAX_RECENT_PER_ACCOUNT, MovementFeatureExtractor } from './feature-extractor';
import type { FeatureContext } from './feature-extractor';
import { MAX_IDENTIFIERS_PER_ACCOUNT, MAX_USERS_PER_IDENTIFIER } from './identifier-uses';

/*
 * The extractor keeps running totals per account. This suite checks them against a reference
 * written the slow, obvious way: every account keeps the list of its movements (the last
 * MAX_RECENT_PER_ACCOUNT, the front dropped when older than 7 days), and every feature is
 * recomputed from that list, from its definition, for every movement.
 */

const HOUR = 3_600_000;
const WINDOW = 7 * DAY;

interface Past {
  at: number;
  counterparty: string;
  out: boolean;
  base: number;
  currency: string;
}

interface PastState {
  recent: Past[];
  firstSeen: number;
  lastSeen: number;
  lastOutCurrency?: string;
  lastOutChannel?: string;
  lastAlertAt?: number;
}

const big = (values: Past[]): bigint => values.reduce((sum, p) => sum + BigInt(p.base), 0n);

class ReferenceFeatures {
  private readonly states = new Map<string, PastState>();
  /** Every cycle the cycle search reported: when, and all its accounts. */
  private readonly cycles: { at: number; accounts: string[] }[] = [];
  /** Every identifier use fed, as it came (repeats included). */
  private readonly uses: IdentifierUse[] = [];

  constructor(private readonly context: FeatureContext) {}

  onIdentifierUse(use: IdentifierUse): void {
    this.uses.push(use);
  }

  /**
   * From the definitions: an account's identifiers are its MAX_IDENTIFIERS_PER_ACCOUNT earliest
   * (earliest first use of each); of those first used before `at`, an identifier that more than
   * MAX_USERS_PER_IDENTIFIER accounts had first used before `at` is a hub and links no one; the
   * others link every other account that first used them before `at`.
   */
  private linked(uid: string, at: number): Set<string> {
    const earliest = (pairs: [string, number][]): Map<string, number> => {
      const first = new Map<string, number>();
      for (const [key, t] of pairs) first.set(key, Math.min(first.get(key) ?? t, t));
      return first;
    };
    const mine = [
      ...earliest(
        this.uses.filter((u) => u.accountId === uid).map((u) => [u.identifierUid, u.firstSeen]),
      ),
    ]
      .sort(([a, ta], [b, tb]) => ta - tb || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, MAX_IDENTIFIERS_PER_ACCOUNT)
      .filter(([, t]) => t < at);
    const others = new Set<string>();
    for (const [identifier] of mine) {
      const users = [
        ...earliest(
          this.uses
            .filter((u) => u.identifierUid === identifier)
            .map((u) => [u.accountId, u.firstSeen]),
        ),
      ].filter(([, t]) => t < at);
      if (users.length > MAX_USERS_PER_IDENTIFIER) continue;
      for (const [user] of users) if (user !== uid) others.add(user);
    }
    return others;
  }

  onMovement(m: Movement, alerts: readonly DetectedAlert[]): Record<string, number> {
    const features = this.compute(m, alerts);
    this.update(m, alerts);
    return features;
  }

  private state(uid: string, at: number): PastState | undefined {
    const s = this.states.get(uid);
    while (s && s.recent.length > 0 && s.recent[0].at <= at - WINDOW) s.recent.shift();
    return s;
  }

  private suspicious(a: DetectedAlert): boolean {
    return (
      familyOf(a.typology) === 'aml' && !(this.context.reportingRules ?? []).includes(a.ruleId)
    );
  }

  private compute(m: Movement, alerts: readonly DetectedAlert[]): Record<string, number> {
    const at = m.timestamp;
    const base = this.context.money.of(m);
    const sender = this.state(m.fromAccount, at);
    const receiver = this.state(m.toAccount, at);
    const s = sender?.recent ?? [];
    const r = receiver?.recent ?? [];
    const outs = s.filter((p) => p.out);
    const ins = s.filter((p) => !p.out);
    const distinct = (list: Past[]): number => new Set(list.map((p) => p.counterparty)).size;
    const n = outs.length;
    const sum = big(outs);
    const mean = n > 0 ? Number(sum) / n : 0;
    const squares = outs.reduce((t, p) => t + BigInt(p.base) * BigInt(p.base), 0n);
    const recent48h = ins.filter((p) => p.at > at - 2 * DAY);
    const inflow = Number(big(recent48h));
    const info = (uid: string): { openedAt?: number; country?: string } =>
      this.context.accounts.get(uid) ?? {};
    const age = (uid: string, st: PastState | undefined): number =>
      Math.max(0, (at - Math.min(info(uid).openedAt ?? at, st?.firstSeen ?? at)) / DAY);
    const idle = (st: PastState | undefined, ageDays: number): number =>
      Math.min(400, Math.max(0, st ? (at - st.lastSeen) / DAY : ageDays));
    const hits = alerts.filter(
      (a) => this.suspicious(a) && a.movements.some((e) => e.movementId === m.movementId),
    );
    const countries = [info(m.fromAccount).country, info(m.toAccount).country];
    const alertedLastWeek = (st: PastState | undefined): number =>
      st?.lastAlertAt !== undefined && st.lastAlertAt > at - WINDOW ? 1 : 0;
    const inCycleLastWeek = (uid: string): number =>
      this.cycles.some((c) => c.at > at - WINDOW && c.accounts.includes(uid)) ? 1 : 0;
    const senderAge = age(m.fromAccount, sender);
    const receiverAge = age(m.toAccount, receiver);
    return {
      amountLog10: Math.log10(1 + base / 100),
      crossCurrency: m.receivedCurrency !== undefined && m.receivedCurrency !== m.currency ? 1 : 0,
      channel: (CHANNELS as readonly string[]).indexOf(m.channel),
      senderOutCount7d: n,
      senderOutDistinct7d: distinct(outs),
      senderInCount7d: ins.length,
      senderInDistinct7d: distinct(ins),
      receiverInCount7d: r.filter((p) => !p.out).length,
      receiverInDistinct7d: distinct(r.filter((p) => !p.out)),
      receiverOutCount7d: r.filter((p) => p.out).length,
      receiverOutDistinct7d: distinct(r.filter((p) => p.out)),
      senderOutCount1d: outs.filter((p) => p.at > at - DAY).length,
      receiverInCount1d: r.filter((p) => !p.out && p.at > at - DAY).length,
      senderOutMeanLog10: mean > 0 ? Math.log10(1 + mean / 100) : 0,
      amountToSenderMean: mean > 0 ? base / mean : 0,
      senderOutAmountCv:
        mean > 0 ? Math.sqrt(Number(BigInt(n) * squares - sum * sum)) / Number(sum) : 0,
      senderInflow48hRatio: base > 0 ? Math.min(10, inflow / base) : 0,
      passThrough48h: recent48h.some((p) => Math.abs(p.base - base) <= 0.1 * Math.max(p.base, base))
        ? 1
        : 0,
      senderCurrencyChange:
        sender?.lastOutCurrency !== undefined && sender.lastOutCurrency !== m.currency ? 1 : 0,
      senderChannelChange:
        sender?.lastOutChannel !== undefined && sender.lastOutChannel !== m.channel ? 1 : 0,
      senderCurrencies7d: new Set(s.map((p) => p.currency)).size,
      newCounterparty: outs.some((p) => p.counterparty === m.toAccount) ? 0 : 1,
      senderAgeDays: senderAge,
      receiverAgeDays: receiverAge,
      senderIdleDays: idle(sender, senderAge),
      receiverIdleDays: idle(receiver, receiverAge),
      jurisdictionRisk: [...countries, m.country].filter(
        (c) => c !== undefined && this.context.highRiskJurisdictions.includes(c),
      ).length,
      crossBorder:
        countries[0] !== undefined && countries[1] !== undefined && countries[0] !== countries[1]
          ? 1
          : 0,
      roundAmount: m.amountMinor % 10_000 === 0 ? 1 : 0,
      ruleHits: hits.length,
      ruleMaxScore: Math.max(0, ...hits.map((a) => a.score)),
      partiesAlerted7d: alertedLastWeek(sender) + alertedLastWeek(receiver),
      cycleClosedAccounts: Math.max(
        0,
        ...hits.filter((a) => a.typology === 'cycle').map((a) => a.parties.length),
      ),
      partiesInCycle7d: inCycleLastWeek(m.fromAccount) + inCycleLastWeek(m.toAccount),
      returnPayment7d: r.some((p) => p.out && p.counterparty === m.fromAccount) ? 1 : 0,
      senderSharedAccounts: this.linked(m.fromAccount, at).size,
      receiverSharedAccounts: this.linked(m.toAccount, at).size,
      partiesShareIdentifier: this.linked(m.fromAccount, at).has(m.toAccount) ? 1 : 0,
    };
  }

  private update(m: Movement, alerts: readonly DetectedAlert[]): void {
    const base = this.context.money.of(m);
    const alerted = new Set(
      alerts.filter((a) => this.suspicious(a)).flatMap((a) => a.parties.map((p) => p.uid)),
    );
    for (const a of alerts)
      if (this.suspicious(a) && a.typology === 'cycle')
        this.cycles.push({ at: m.timestamp, accounts: a.parties.map((p) => p.uid) });
    for (const [uid, counterparty, out] of [
      [m.fromAccount, m.toAccount, true],
      [m.toAccount, m.fromAccount, false],
    ] as const) {
      const s = this.states.get(uid) ?? {
        recent: [],
        firstSeen: m.timestamp,
        lastSeen: m.timestamp,
      };
      s.recent.push({ at: m.timestamp, counterparty, out, base, currency: m.currency });
      if (s.recent.length > MAX_RECENT_PER_ACCOUNT) s.recent.shift();
      s.lastSeen = m.timestamp;
      if (out) {
        s.lastOutCurrency = m.currency;
        s.lastOutChannel = m.channel;
      }
      if (alerted.has(uid)) s.lastAlertAt = m.timestamp;
      this.states.set(uid, s);
    }
  }
}

/** USD as it is, EUR at 1.1 rounded to whole cents: whole base units, two currencies. */
class TwoCurrencyMoney implements BaseMoney {
  readonly currency = 'USD';
  of(amount: PricedAmount): number {
    return this.convert(amount.amountMinor, amount.currency);
  }
  convert(minor: number, currency: string): number {
    return currency === 'USD' ? minor : Math.round(minor * 1.1);
  }
}

const ACCOUNTS = ['a:0', 'a:1', 'a:2', 'a:3', 'a:4', 'a:5', 'a:kp', 'a:unknown'];

function context(): FeatureContext {
  return {
    accounts: new MemoryAccountDirectory([
      ...ACCOUNTS.slice(0, 6).map((uid, i) => account(uid, i % 2 === 0 ? 'US' : 'GB', 3 + i * 40)),
      account('a:kp', 'KP', 2),
    ]),
    money: new TwoCurrencyMoney(),
    highRiskJurisdictions: ['KP'],
    reportingRules: ['aml.cash-aggregation'],
  };
}

/**
 * A seeded stream of movements among a few accounts, in time order, made to land on the
 * edges: times exactly 24 hours, 48 hours and 7 days after earlier ones (and a millisecond
 * either side), equal timestamps, bursts longer than the per-account cap, amounts exactly 10%
 * apart, very large amounts, two currencies, and rule alerts on some movements.
 */
function edgyStream(seed: number, size: number): { movement: Movement; alerts: DetectedAlert[] }[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const slots: { at: number; from?: string }[] = [];
  let t = T0;
  while (slots.length < size) {
    const draw = random();
    if (draw < 0.01) {
      // A burst from one account: more movements than an account keeps.
      const from = pick(ACCOUNTS);
      for (let k = 0; k < MAX_RECENT_PER_ACCOUNT + 20; k += 1)
        slots.push({ at: t + k * 60_000, from });
      t += (MAX_RECENT_PER_ACCOUNT + 20) * 60_000;
    } else if (draw < 0.45 && slots.length > 0) {
      const earlier = pick(slots).at;
      const edge = pick([DAY, 2 * DAY, WINDOW]) + pick([-1, 0, 0, 0, 1]);
      slots.push({ at: earlier + edge });
    } else {
      t += pick([0, 1, 60_000, HOUR, 5 * HOUR, DAY / 2, 3 * DAY, 9 * DAY]);
      slots.push({ at: t });
    }
  }
  slots.sort((a, b) => a.at - b.at);
  const amounts = [1_000, 900, 1_100, 1_111, 1_112, 10_000, 9_000, 11_111, 11_112, 0.01];
  return slots.slice(0, size).map((slot, i) => {
    const id = `m${i}`;
    const at = slot.at;
    const from = slot.from ?? pick(ACCOUNTS);
    let to = pick(ACCOUNTS);
    if (random() < 0.97 && to === from) to = ACCOUNTS[(ACCOUNTS.indexOf(from) + 1) % 8];
    const roll = random();
    const major =
      roll < 0.6
        ? pick(amounts)
        : roll < 0.63
          ? 2 ** 45 + Math.floor(random() * 1000)
          : Math.round(random() * 5_000_00) / 100;
    const movement = payment(id, from, to, major, at, {
      currency: random() < 0.2 ? 'EUR' : 'USD',
      channel: pick(CHANNELS),
      ...(random() < 0.1 ? { receivedCurrency: 'GBP' } : {}),
      ...(random() < 0.1 ? { country: pick(['KP', 'US']) } : {}),
    });
    // A cycle alert names every account of the cycle: the two of this movement and others.
    const cycle = [to, pick(ACCOUNTS), ...(random() < 0.5 ? [pick(ACCOUNTS)] : []), from];
    const alerts: DetectedAlert[] =
      random() < 0.08
        ? [
            alert(random() < 0.7 ? id : 'elsewhere', [from], 'aml.fan-out', random()),
            ...(random() < 0.3 ? [alert(id, [to], 'aml.cash-aggregation', 0.9)] : []),
          ]
        : random() < 0.05
          ? [alert(random() < 0.8 ? id : 'elsewhere', [...new Set(cycle)], 'aml.cycle', 0.7)]
          : [];
    return { movement, alerts };
  });
}

const TYPOLOGY_OF: Readonly<Record<string, Typology>> = {
  'aml.cash-aggregation': 'structuring',
  'aml.cycle': 'cycle',
};

function alert(
  movementId: string,
  parties: string[],
  ruleId: string,
  score: number,
): DetectedAlert {
  return {
    alertId: `alert:${ruleId}:${movementId}`,
    ruleId,
    ruleVersion: '1',
    typology: TYPOLOGY_OF[ruleId] ?? 'fan-out',
    severity: 'high',
    fingerprint: movementId,
    subject: parties[0],
    score,
    explanation: '',
    windowStart: T0,
    windowEnd: T0,
    movements: [payment(movementId, parties[0], 'a:x', 1, T0)],
    parties: parties.map((uid) => ({ uid, role: 'subject' })),
    facts: {},
  };
}

const named = (row: Float64Array): Record<string, number> =>
  Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, row[i]]));

/** An identifier use and when it reaches the extractor (-Infinity: before everything). */
interface Arrival {
  use: IdentifierUse;
  arrives: number;
}

/**
 * Identifier uses around the stream's accounts, made to land on the edges: first uses exactly
 * at a movement's time (not before it: must not count) and a millisecond before; a public Wi-Fi
 * that more than MAX_USERS_PER_IDENTIFIER accounts first use during the stream (a hub from then
 * on); an account with more identifiers than an account keeps; uses sent again with a later or
 * an earlier first use. `late`: each use arrives up to two days after its first use, in a
 * shuffled order (the stream); otherwise all arrive first (batch).
 */
function edgyUses(
  seed: number,
  stream: { movement: Movement }[],
  late: boolean,
): { arrivals: Arrival[]; hubFrom: number } {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const times = stream.map((s) => s.movement.timestamp);
  const start = times[0] - 3 * DAY;
  const end = times[times.length - 1];
  const when = (): number => {
    const roll = random();
    if (roll < 0.3) return pick(times) - (random() < 0.5 ? 0 : 1);
    return start + Math.floor(random() * (end - start));
  };
  const uses: IdentifierUse[] = [];
  const use = (accountId: string, identifierUid: string, firstSeen: number): void => {
    uses.push({ accountId, identifierUid, firstSeen });
  };
  // Small identifiers shared by a few accounts, some of them accounts that never move money.
  for (let d = 0; d < 8; d += 1) {
    const users = new Set([pick(ACCOUNTS), pick(ACCOUNTS), pick([...ACCOUNTS, 'a:quiet'])]);
    for (const uid of users) use(uid, `device:d${d}`, when());
  }
  // A public Wi-Fi: the stream's accounts and more than the hub cap of others, over the span.
  for (const uid of ACCOUNTS) use(uid, 'ip:wifi', when());
  for (let k = 0; k < MAX_USERS_PER_IDENTIFIER + 10; k += 1) use(`a:guest${k}`, 'ip:wifi', when());
  // One account with more identifiers than an account keeps, each shared with another account.
  for (let k = 0; k < MAX_IDENTIFIERS_PER_ACCOUNT + 8; k += 1) {
    use('a:0', `email:e${k}`, when());
    use(pick(ACCOUNTS), `email:e${k}`, when());
  }
  // Repeats (a USES edge sent again) on the small identifiers: later or earlier first use.
  for (const u of uses.slice(0, 40))
    if (!u.identifierUid.startsWith('ip:') && random() < 0.5)
      uses.push({ ...u, firstSeen: u.firstSeen + (random() < 0.5 ? DAY : -DAY) });
  const wifi = uses
    .filter((u) => u.identifierUid === 'ip:wifi')
    .map((u) => u.firstSeen)
    .sort((a, b) => a - b);
  const arrivals = uses.map((u) => ({
    use: u,
    arrives: late ? u.firstSeen + Math.floor(random() * 2 * DAY) : Number.NEGATIVE_INFINITY,
  }));
  // Shuffled, then (stream) by arrival: the order of arrival is not the order of first use.
  for (let i = arrivals.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [arrivals[i], arrivals[j]] = [arrivals[j], arrivals[i]];
  }
  if (late) arrivals.sort((a, b) => a.arrives - b.arrives);
  return { arrivals, hubFrom: wifi[MAX_USERS_PER_IDENTIFIER] };
}

/** Feeds both; returns how many movements were compared and how many hit each edge. */
function compare(
  stream: { movement: Movement; alerts: DetectedAlert[] }[],
  trials: () => boolean,
  arrivals: readonly Arrival[] = [],
): { compared: number; cappedSeen: boolean; seen: Record<string, number> } {
  const ctx = context();
  const fast = new MovementFeatureExtractor(ctx);
  const reference = new ReferenceFeatures(ctx);
  let cappedSeen = false;
  // How often the cycle and identifier features were not 0, so the suite knows it tested them.
  const seen: Record<string, number> = {
    cycleClosedAccounts: 0,
    partiesInCycle7d: 0,
    returnPayment7d: 0,
    senderSharedAccounts: 0,
    receiverSharedAccounts: 0,
    partiesShareIdentifier: 0,
  };
  let next = 0;
  stream.forEach(({ movement, alerts }, i) => {
    while (next < arrivals.length && arrivals[next].arrives < movement.timestamp) {
      fast.onIdentifierUse(arrivals[next].use);
      reference.onIdentifierUse(arrivals[next].use);
      next += 1;
    }
    if (trials())
      fast.trial(() =>
        fast.onMovement(
          {
            ...movement,
            movementId: `probe${i}`,
            amountMinor: 77_700,
            timestamp: movement.timestamp + DAY,
          },
          alerts,
        ),
      );
    const expected = reference.onMovement(movement, alerts);
    const actual = named(fast.onMovement(movement, alerts));
    if (expected.senderOutCount7d + expected.senderInCount7d === MAX_RECENT_PER_ACCOUNT)
      cappedSeen = true;
    expect(Object.keys(expected)).toEqual(FEATURE_NAMES);
    for (const name of Object.keys(seen)) if (expected[name] > 0) seen[name] += 1;
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      expect({ movement: i, ...actual }).toEqual({ movement: i, ...expected });
  });
  return { compared: stream.length, cappedSeen, seen };
}

describe('MovementFeatureExtractor against a recomputation from every past movement', () => {
  it.each([1, 2, 3])(
    'gives exactly the reference values on a seeded stream full of window edges (seed %i)',
    (seed) => {
      const stream = edgyStream(seed, 4_000);
      const random = seededRandom(seed + 100);
      const { arrivals } = edgyUses(seed, stream, false);
      const { compared, cappedSeen, seen } = compare(stream, () => random() < 0.1, arrivals);
      expect(compared).toBe(4_000);
      expect(cappedSeen).toBe(true);
      expect(seen.cycleClosedAccounts).toBeGreaterThan(20);
      expect(seen.partiesInCycle7d).toBeGreaterThan(100);
      expect(seen.returnPayment7d).toBeGreaterThan(100);
      expect(seen.senderSharedAccounts).toBeGreaterThan(1_000);
      expect(seen.receiverSharedAccounts).toBeGreaterThan(1_000);
      expect(seen.partiesShareIdentifier).toBeGreaterThan(100);
    },
  );

  it.each([4, 5])(
    'gives the reference values when identifier uses arrive late and shuffled, as on a stream (seed %i)',
    (seed) => {
      const stream = edgyStream(seed, 3_000);
      const random = seededRandom(seed + 100);
      const { arrivals, hubFrom } = edgyUses(seed, stream, true);
      // The Wi-Fi turns into a hub during the stream, so both sides of that moment are tested.
      const times = stream.map((s) => s.movement.timestamp);
      expect(times.filter((at) => at <= hubFrom).length).toBeGreaterThan(100);
      expect(times.filter((at) => at > hubFrom).length).toBeGreaterThan(100);
      const { seen } = compare(stream, () => random() < 0.1, arrivals);
      expect(seen.senderSharedAccounts).toBeGreaterThan(500);
      expect(seen.partiesShareIdentifier).toBeGreaterThan(50);
    },
  );

  it('lands on the edges it is meant to test (the stream is not too tame)', () => {
    const stream = edgyStream(1, 4_000);
    const times = stream.map((s) => s.movement.timestamp);
    const set = new Set(times);
    const hits = (gap: number): number => times.filter((at) => set.has(at - gap)).length;
    expect(hits(DAY)).toBeGreaterThan(50);
    expect(hits(2 * DAY)).toBeGreaterThan(50);
    expect(hits(WINDOW)).toBeGreaterThan(50);
    expect(times.filter((at, i) => i > 0 && times[i - 1] === at).length).toBeGreaterThan(50);
  });

  it('stays exact when movements arrive out of time order (late payments, clock skew)', () => {
    const stream = edgyStream(9, 3_000);
    const random = seededRandom(99);
    // Swap about one movement in ten with one a few places later.
    for (let i = 0; i + 5 < stream.length; i += 1)
      if (random() < 0.1) {
        const j = i + 1 + Math.floor(random() * 5);
        [stream[i], stream[j]] = [stream[j], stream[i]];
      }
    expect(
      stream.some((s, i) => i > 0 && s.movement.timestamp < stream[i - 1].movement.timestamp),
    ).toBe(true);
    const { arrivals } = edgyUses(9, stream, false);
    const { compared, seen } = compare(stream, () => random() < 0.1, arrivals);
    expect(compared).toBe(3_000);
    expect(seen.partiesShareIdentifier).toBeGreaterThan(50);
  });

  it('computes the dispersion as the two-pass definition does, to the last few digits', () => {
    const x = new MovementFeatureExtractor(context());
    const amounts = [123.45, 999.99, 1_000, 77, 45_000.01, 3];
    amounts.forEach((major, i) =>
      x.onMovement(payment(`p${i}`, 'a:0', 'a:1', major, T0 + i * HOUR)),
    );
    const row = named(x.onMovement(payment('last', 'a:0', 'a:2', 10, T0 + 10 * HOUR)));
    const values = amounts.map((a) => Math.round(a * 100));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(row.senderOutAmountCv).toBeCloseTo(sd / mean, 12);
  });

  it('refuses a base money that does not give whole minor units, before changing any state', () => {
    const ctx = context();
    const x = new MovementFeatureExtractor({
      ...ctx,
      money: { currency: 'USD', of: (a) => a.amountMinor / 3, convert: (minor) => minor / 3 },
    });
    expect(() => x.onMovement(payment('p', 'a:0', 'a:1', 1, T0))).toThrow(/whole minor units/);
    expect(x.stateSize()).toEqual({ accounts: 0, movements: 0 });
  });
});
