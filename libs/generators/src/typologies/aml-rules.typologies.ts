import type { Channel } from '@app/vocabulary';
import { formatMinorUnits } from '@app/vocabulary';
import type { Rng } from '../random/prng';
import { type AccountRec, DAY_MS, HOUR_MS, MINUTE_MS } from '../population/population.model';
import { type Injector, money } from './aml-network.typologies';
import type { PlanBuilder } from './plan.builder';

export const STRUCTURING_SUBTYPES = ['one-account', 'many-branches', 'many-depositors'] as const;
export type StructuringSubtype = (typeof STRUCTURING_SUBTYPES)[number];

/** Lowest amount of the structuring band: the threshold minus the band percent. */
export function structuringBandFloor(thresholdMinor: number, bandPercent: number): number {
  return thresholdMinor - Math.floor((thresholdMinor * bandPercent) / 100);
}

/** A cash amount just below the threshold, in whole dollars (as structurers count notes). */
function bandAmount(plan: PlanBuilder, rng: Rng): number {
  const { cashThresholdMinor, structuringBandPercent } = plan.ctx.thresholds;
  const floor = structuringBandFloor(cashThresholdMinor, structuringBandPercent);
  const low = Math.ceil(floor / 100);
  const high = Math.floor((cashThresholdMinor - 1) / 100);
  return rng.int(low, Math.max(low, high)) * 100;
}

/** Branch opening hours, 09:00-17:00 local (14:00-22:00 UTC). */
function branchTime(rng: Rng, day: number): number {
  return day + 14 * HOUR_MS + rng.int(0, 8 * HOUR_MS - 1);
}

function dayOf(timestamp: number): number {
  return Math.floor(timestamp / DAY_MS) * DAY_MS;
}

/**
 * Cash deposits just below the reporting threshold, several within a few days. Sub-types:
 * `one-account` (one customer, one branch), `many-branches` (one account fed at several
 * branches), `many-depositors` (several customers each deposit below the threshold and pass
 * the cash on to one collector account, which receives more than the threshold in total).
 */
export const structuring: Injector = (plan, rng, n) => {
  const subtype = STRUCTURING_SUBTYPES[n % STRUCTURING_SUBTYPES.length];
  const branches = plan.registry.branches.map((b) => plan.account(b));
  if (branches.length === 0) return;
  const deposits = rng.int(
    plan.ctx.profile.shapes.structuringDeposits[0],
    plan.ctx.profile.shapes.structuringDeposits[1],
  );
  const { cashThresholdMinor, structuringBandPercent } = plan.ctx.thresholds;
  const base = {
    subtype,
    deposits,
    threshold: formatMinorUnits(cashThresholdMinor, 'USD'),
    bandPercent: structuringBandPercent,
  };
  const spreadDays = subtype === 'many-depositors' ? 2 : rng.int(2, 4);
  const firstDay = dayOf(plan.start(rng, (spreadDays + 1) * DAY_MS));
  const dayFor = (k: number): number =>
    firstDay + Math.min(spreadDays - 1, Math.floor((k * spreadDays) / deposits)) * DAY_MS;

  if (subtype === 'many-depositors') {
    const accounts = plan.personals(rng, deposits + 1);
    if (!accounts) return;
    const [collector, ...depositors] = accounts as [AccountRec, ...AccountRec[]];
    const i = plan.begin('structuring', false, base);
    plan.entities(i, [collector.uid, ...depositors.map((d) => d.uid)]);
    depositors.forEach((depositor, k) => {
      const amount = bandAmount(plan, rng);
      const depositAt = branchTime(rng, dayFor(k));
      plan.move(i, rng.pick(branches), depositor, amount, depositAt, 'cash', {
        reference: 'cash deposit',
      });
      const forwarded = amount - rng.int(0, 5) * 100;
      plan.move(
        i,
        depositor,
        collector,
        forwarded,
        depositAt + rng.int(20 * MINUTE_MS, 5 * HOUR_MS),
        'internal',
      );
    });
    return;
  }

  const account = plan.personal(rng);
  if (!account) return;
  const usedBranches =
    subtype === 'one-account'
      ? [rng.pick(branches)]
      : rng.sample(branches, Math.min(branches.length, deposits));
  const i = plan.begin('structuring', false, { ...base, branches: usedBranches.length });
  plan.entities(i, [account.uid]);
  for (let k = 0; k < deposits; k++) {
    const branch = usedBranches[k % usedBranches.length];
    plan.move(i, branch, account, bandAmount(plan, rng), branchTime(rng, dayFor(k)) + k, 'cash', {
      reference: 'cash deposit',
    });
  }
};

/** A large inflow leaves again almost entirely within hours (pass-through / funnel). */
export const passThrough: Injector = (plan, rng) => {
  const account = plan.anyAccount(rng);
  if (!account) return;
  const inflow = money(rng, 25_000, 0.6);
  const retained = rng.between(0.01, 0.05);
  const outflows = rng.int(1, 3);
  const hours = rng.int(2, 36);
  const start = plan.start(rng, (hours + 2) * HOUR_MS);
  const source = plan.external(rng, rng.pick(['US', 'GB', 'HK', 'AE']));
  const sinks = Array.from({ length: outflows }, () =>
    plan.external(rng, rng.pick(['CH', 'SG', 'CY', 'LU', 'MX', 'CN'])),
  );
  const i = plan.begin('pass-through', false, {
    outflows,
    hours,
    retainedPercent: Math.round(retained * 1000) / 10,
  });
  plan.entities(i, [account.uid, source.uid, ...sinks.map((s) => s.uid)]);
  plan.move(i, source, account, inflow, start, 'wire');
  const out = Math.floor(inflow * (1 - retained));
  const times = plan.timeline(
    rng,
    start + rng.int(30 * MINUTE_MS, hours * HOUR_MS),
    outflows,
    5 * MINUTE_MS,
    HOUR_MS,
  );
  let left = out;
  sinks.forEach((sink, k) => {
    const amount = k === outflows - 1 ? left : Math.floor(out / outflows);
    left -= amount;
    plan.move(i, account, sink, amount, times[k], 'wire');
  });
};

/**
 * An account silent for more than the dormancy period (its last movements lie before the
 * simulated period) suddenly moves large amounts.
 */
export const dormantReactivation: Injector = (plan, rng) => {
  const account = plan.personal(
    rng,
    (a) =>
      a.props.openedAt < plan.clock.windowStart - (plan.ctx.thresholds.dormantDays + 400) * DAY_MS,
  );
  if (!account) return;
  account.normal = false; // silent until the reactivation
  const reactivation = plan.start(rng, 5 * DAY_MS, Math.min(30, Math.floor(plan.clock.days / 2)));
  const inactiveDays = plan.ctx.thresholds.dormantDays + rng.int(10, 400);
  const lastActive = reactivation - inactiveDays * DAY_MS - rng.int(0, DAY_MS - 1);
  // History: ordinary small movements before the silence, not part of the pattern.
  const atm = plan.registry.atms[0];
  const employer = plan.external(rng, 'US');
  const history = rng.int(2, 4);
  for (let h = history - 1; h >= 0; h--) {
    const at = lastActive - h * rng.int(5, 25) * DAY_MS;
    if (atm !== undefined && h % 2 === 1)
      plan.move(-1, account, plan.account(atm), rng.int(2, 15) * 2_000, at, 'cash');
    else plan.move(-1, employer, account, money(rng, 600, 0.4), at, 'ach');
  }
  const source = plan.external(rng, rng.pick(['US', 'PA', 'AE']));
  const sinks = [
    plan.external(rng, rng.pick(['US', 'HK', 'CY'])),
    plan.external(rng, rng.pick(['SG', 'CH', 'MX'])),
  ];
  const inflow = money(rng, 30_000, 0.5);
  const i = plan.begin('dormant-reactivation', false, {
    inactiveDays,
    dormantDays: plan.ctx.thresholds.dormantDays,
  });
  plan.entities(i, [account.uid, source.uid, ...sinks.map((s) => s.uid)]);
  const times = plan.timeline(rng, reactivation, 3, 2 * HOUR_MS, 36 * HOUR_MS);
  plan.move(i, source, account, inflow, times[0], 'wire');
  plan.move(i, account, sinks[0], Math.floor(inflow * 0.6), times[1], 'wire');
  plan.move(i, account, sinks[1], Math.floor(inflow * 0.35), times[2], 'wire');
};

/** 10+ outgoing transfers in a week, nearly all in round thousands. */
export const roundAmounts: Injector = (plan, rng) => {
  const account = plan.anyAccount(rng);
  if (!account) return;
  const transfers = rng.int(10, 14);
  const roundCount = transfers - rng.int(0, 1);
  const start = plan.start(rng, 7 * DAY_MS);
  plan.quiet(account, start - DAY_MS, start + 8 * DAY_MS);
  const counterparties = Array.from({ length: transfers }, () =>
    rng.chance(0.5)
      ? plan.external(rng, rng.pick(['US', 'MX', 'HK', 'AE']))
      : plan.account(rng.pick(plan.personalPool)),
  );
  const times = plan.timeline(rng, start, transfers, 2 * HOUR_MS, 12 * HOUR_MS);
  const i = plan.begin('round-amounts', false, { transfers, roundTransfers: roundCount });
  plan.entities(i, [account.uid]);
  for (let k = 0; k < transfers; k++) {
    const amount = k < roundCount ? rng.int(1, 9) * 100_000 : money(rng, 800, 0.5);
    const channel: Channel = rng.chance(0.5) ? 'wire' : 'ach';
    plan.move(i, account, counterparties[k], amount, times[k], channel);
  }
};

/** Wires to or from accounts in a high-risk jurisdiction (never generated by normal behaviour). */
export const highRiskJurisdiction: Injector = (plan, rng, n) => {
  const list = plan.ctx.thresholds.highRiskJurisdictions;
  if (list.length === 0) return;
  const country = list[n % list.length];
  const account = plan.anyAccount(rng);
  if (!account) return;
  const direction = rng.chance(0.7) ? 'out' : 'in';
  const transfers = rng.int(2, 4);
  const counterparty = plan.external(rng, country);
  const times = plan.timeline(
    rng,
    plan.start(rng, transfers * 5 * DAY_MS),
    transfers,
    6 * HOUR_MS,
    5 * DAY_MS,
  );
  const i = plan.begin('high-risk-jurisdiction', false, { country, direction, transfers });
  plan.entities(i, [account.uid, counterparty.uid]);
  for (let k = 0; k < transfers; k++) {
    const amount = money(rng, 12_000, 0.6);
    if (direction === 'out') plan.move(i, account, counterparty, amount, times[k], 'wire');
    else plan.move(i, counterparty, account, amount, times[k], 'wire');
  }
};

/** One day with many more payments than the account's own history (and above 100 a day). */
export const velocitySpike: Injector = (plan, rng) => {
  const account = plan.personal(rng, (a) => a.activity >= 0.5);
  if (!account) return;
  const count = plan.ctx.profile.shapes.velocitySpikeMovements;
  const day = dayOf(plan.start(rng, 2 * DAY_MS, Math.min(30, Math.floor(plan.clock.days / 2))));
  const begin = day + rng.int(10, 14) * HOUR_MS;
  const times = plan.timeline(rng, begin, count, 20_000, Math.floor((8 * HOUR_MS) / count));
  const payees =
    plan.personalPool.length > 0
      ? rng
          .sample(plan.personalPool, Math.min(40, plan.personalPool.length))
          .filter((p) => p !== account.index)
      : [];
  if (payees.length === 0) return;
  const i = plan.begin('velocity-spike', false, {
    movements: count,
    day: new Date(day).toISOString().slice(0, 10),
  });
  plan.entities(i, [account.uid]);
  for (let k = 0; k < count; k++) {
    plan.move(i, account, plan.account(rng.pick(payees)), money(rng, 90, 0.5), times[k], 'ach');
  }
};
