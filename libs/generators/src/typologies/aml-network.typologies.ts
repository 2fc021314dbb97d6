import type { Channel } from '@app/vocabulary';
import type { Rng } from '../random/prng';
import { type AccountRec, HOUR_MS, MINUTE_MS } from '../population/population.model';
import type { PlanBuilder } from './plan.builder';

/** Injects one instance of a typology; `n` is the instance number (0-based) for variants. */
export type Injector = (plan: PlanBuilder, rng: Rng, n: number) => void;

/** A log-normal amount in minor units with the given median in major units (at least 1.00). */
export function money(rng: Rng, median: number, sigma: number): number {
  return Math.max(100, Math.round(rng.logNormal(median, sigma) * 100));
}

/** Keeps 90% of an amount, rounding down to whole minor units (AMLSim's per-hop margin). */
export function keepNinetyPercent(amountMinor: number): number {
  return Math.max(1, Math.floor((amountMinor * 9) / 10));
}

function range(rng: Rng, bounds: readonly [number, number]): number {
  return rng.int(bounds[0], bounds[1]);
}

function uids(accounts: readonly AccountRec[]): string[] {
  return accounts.map((a) => a.uid);
}

const PAYMENT_CHANNELS: readonly Channel[] = ['wire', 'ach'];

/** One account pays 5+ beneficiaries within a few days (AMLSim fan-out). */
export const fanOut: Injector = (plan, rng) => {
  const k = range(rng, plan.ctx.profile.shapes.fanDegree);
  const origin = plan.anyAccount(rng);
  const beneficiaries = origin && plan.personals(rng, k);
  if (!origin || !beneficiaries) {
    if (origin) plan.release([origin]);
    return;
  }
  const channel = rng.pick(PAYMENT_CHANNELS);
  const base = money(rng, 3_000, 0.5);
  const times = plan.timeline(
    rng,
    plan.start(rng, k * 12 * HOUR_MS),
    k,
    10 * MINUTE_MS,
    12 * HOUR_MS,
  );
  const i = plan.begin('fan-out', false, { beneficiaries: k, channel });
  plan.entities(i, [origin.uid, ...uids(beneficiaries)]);
  beneficiaries.forEach((b, j) =>
    plan.move(i, origin, b, Math.round(base * rng.between(0.85, 1)), times[j], channel),
  );
};

/** 5+ originators pay one account within a few days (AMLSim fan-in). */
export const fanIn: Injector = (plan, rng) => {
  const k = range(rng, plan.ctx.profile.shapes.fanDegree);
  const destination = plan.anyAccount(rng);
  const originators = destination && plan.personals(rng, k);
  if (!destination || !originators) {
    if (destination) plan.release([destination]);
    return;
  }
  const channel = rng.pick(PAYMENT_CHANNELS);
  const base = money(rng, 2_500, 0.5);
  const times = plan.timeline(
    rng,
    plan.start(rng, k * 12 * HOUR_MS),
    k,
    10 * MINUTE_MS,
    12 * HOUR_MS,
  );
  const i = plan.begin('fan-in', false, { originators: k, channel });
  plan.entities(i, [destination.uid, ...uids(originators)]);
  originators.forEach((o, j) =>
    plan.move(i, o, destination, Math.round(base * rng.between(0.85, 1)), times[j], channel),
  );
};

/**
 * Money goes round n accounts and back to the first, each hop later than the previous and
 * keeping a 10% margin (amount × 0.9 per hop, AMLSim).
 */
export const cycle: Injector = (plan, rng) => {
  const n = range(rng, plan.ctx.profile.shapes.cycleLength);
  const members = plan.personals(rng, n);
  if (!members) return;
  const channel = rng.pick(PAYMENT_CHANNELS);
  const times = plan.timeline(rng, plan.start(rng, n * 36 * HOUR_MS), n, HOUR_MS, 36 * HOUR_MS);
  const i = plan.begin('cycle', false, { length: n, margin: 0.1, channel });
  plan.entities(i, uids(members));
  let amount = money(rng, 9_000, 0.5);
  for (let hop = 0; hop < n; hop++) {
    plan.move(i, members[hop], members[(hop + 1) % n], amount, times[hop], channel);
    amount = keepNinetyPercent(amount);
  }
};

/** Origin scatters to k intermediaries, which later all pay one destination (all scatters first). */
export const scatterGather: Injector = (plan, rng) => {
  const k = range(rng, plan.ctx.profile.shapes.scatterWidth);
  const accounts = plan.personals(rng, k + 2);
  if (!accounts) return;
  const [origin, destination, ...middle] = accounts as [AccountRec, AccountRec, ...AccountRec[]];
  const channel = rng.pick(PAYMENT_CHANNELS);
  const times = plan.timeline(
    rng,
    plan.start(rng, 2 * k * 8 * HOUR_MS),
    2 * k,
    15 * MINUTE_MS,
    8 * HOUR_MS,
  );
  const i = plan.begin('scatter-gather', false, { intermediaries: k, channel });
  plan.entities(i, [origin.uid, ...uids(middle), destination.uid]);
  const amounts = middle.map(() => money(rng, 2_500, 0.3));
  middle.forEach((m, j) => plan.move(i, origin, m, amounts[j], times[j], channel));
  middle.forEach((m, j) =>
    plan.move(i, m, destination, keepNinetyPercent(amounts[j]), times[k + j], channel),
  );
};

/** k originators pay one hub, which then pays k beneficiaries (all gathers first). */
export const gatherScatter: Injector = (plan, rng) => {
  const k = range(rng, plan.ctx.profile.shapes.scatterWidth);
  const accounts = plan.personals(rng, 2 * k + 1);
  if (!accounts) return;
  const hub = accounts[0];
  const originators = accounts.slice(1, k + 1);
  const beneficiaries = accounts.slice(k + 1);
  const channel = rng.pick(PAYMENT_CHANNELS);
  const times = plan.timeline(
    rng,
    plan.start(rng, 2 * k * 8 * HOUR_MS),
    2 * k,
    15 * MINUTE_MS,
    8 * HOUR_MS,
  );
  const i = plan.begin('gather-scatter', false, { originators: k, beneficiaries: k, channel });
  plan.entities(i, [hub.uid, ...uids(originators), ...uids(beneficiaries)]);
  const gathered = originators.map(() => money(rng, 2_500, 0.3));
  originators.forEach((o, j) => plan.move(i, o, hub, gathered[j], times[j], channel));
  const share = Math.floor(keepNinetyPercent(gathered.reduce((a, b) => a + b, 0)) / k);
  beneficiaries.forEach((b, j) =>
    plan.move(i, hub, b, Math.max(1, share - rng.int(0, 99)), times[k + j], channel),
  );
};

/** Every sender pays every receiver (complete bipartite), time-ordered. */
export const bipartite: Injector = (plan, rng) => {
  const m = range(rng, plan.ctx.profile.shapes.bipartiteSide);
  const r = range(rng, plan.ctx.profile.shapes.bipartiteSide);
  const accounts = plan.personals(rng, m + r);
  if (!accounts) return;
  const senders = accounts.slice(0, m);
  const receivers = accounts.slice(m);
  const channel = rng.pick(PAYMENT_CHANNELS);
  const pairs = rng.shuffle(senders.flatMap((s) => receivers.map((t) => [s, t] as const)));
  const times = plan.timeline(
    rng,
    plan.start(rng, pairs.length * 4 * HOUR_MS),
    pairs.length,
    5 * MINUTE_MS,
    4 * HOUR_MS,
  );
  const i = plan.begin('bipartite', false, { senders: m, receivers: r, channel });
  plan.entities(i, [...uids(senders), ...uids(receivers)]);
  pairs.forEach(([s, t], j) => plan.move(i, s, t, money(rng, 1_500, 0.4), times[j], channel));
};

/** Three layers; every account of a layer pays every account of the next, layer by layer. */
export const stack: Injector = (plan, rng) => {
  const widths = [0, 1, 2].map(() => range(rng, plan.ctx.profile.shapes.stackWidth));
  const total = widths.reduce((a, b) => a + b, 0);
  const accounts = plan.personals(rng, total);
  if (!accounts) return;
  const layers = [
    accounts.slice(0, widths[0]),
    accounts.slice(widths[0], (widths[0] ?? 0) + (widths[1] ?? 0)),
    accounts.slice((widths[0] ?? 0) + (widths[1] ?? 0)),
  ];
  const [first, second, third] = layers as [AccountRec[], AccountRec[], AccountRec[]];
  const channel = rng.pick(PAYMENT_CHANNELS);
  const count = first.length * second.length + second.length * third.length;
  const times = plan.timeline(
    rng,
    plan.start(rng, count * 3 * HOUR_MS),
    count,
    5 * MINUTE_MS,
    3 * HOUR_MS,
  );
  const i = plan.begin('stack', false, { layers: 3, widths: widths.map(String), channel });
  plan.entities(i, uids(accounts));
  let t = 0;
  const received = new Map<number, number>();
  for (const s of first) {
    for (const m of second) {
      const amount = money(rng, 2_000, 0.3);
      received.set(m.index, (received.get(m.index) ?? 0) + amount);
      plan.move(i, s, m, amount, times[t++], channel);
    }
  }
  for (const m of second) {
    const share = Math.max(
      1,
      Math.floor(keepNinetyPercent(received.get(m.index) ?? 0) / third.length),
    );
    for (const d of third) plan.move(i, m, d, share, times[t++], channel);
  }
};

/** A random walk of transfers inside a small group, each hop later and a little smaller. */
export const randomPattern: Injector = (plan, rng) => {
  const n = range(rng, plan.ctx.profile.shapes.randomAccounts);
  const members = plan.personals(rng, n);
  if (!members) return;
  const transfers = n + 2;
  const channel = rng.pick(PAYMENT_CHANNELS);
  const times = plan.timeline(
    rng,
    plan.start(rng, transfers * 48 * HOUR_MS),
    transfers,
    2 * HOUR_MS,
    48 * HOUR_MS,
  );
  const i = plan.begin('random', false, { accounts: n, transfers, channel });
  // Visit every member once in random order, then wander among them.
  const order = [0, ...rng.shuffle(members.map((_, k) => k).slice(1))];
  let current = 0;
  let amount = money(rng, 5_000, 0.4);
  for (let step = 0; step < transfers; step++) {
    let next = order[step + 1] ?? rng.int(0, n - 2);
    if (step + 1 >= order.length && next >= current) next++;
    plan.move(i, members[current], members[next], amount, times[step], channel);
    amount = Math.max(1, Math.floor((amount * 95) / 100));
    current = next;
  }
  plan.entities(i, uids(members));
};
