import { type AccountRec, DAY_MS, HOUR_MS, type PersonRec } from '../population/population.model';
import type { Rng } from '../random/prng';
import type { PlanBuilder } from './plan.builder';

/**
 * Decoys: legitimate activity that looks like a typology. Recorded in the ground truth with
 * `decoy: true` so that evaluations can count false positives on known look-alikes.
 */

/** The first normal, active account of a person (where salaries and bills go). */
export function primaryAccount(plan: PlanBuilder, person: PersonRec): AccountRec | undefined {
  for (const index of person.accounts) {
    const account = plan.account(index);
    if (
      account.normal &&
      account.props.status === 'active' &&
      account.props.accountType === 'personal'
    )
      return account;
  }
  return undefined;
}

/** Payroll runs of large employers: one company paying many people on one day (like fan-out). */
export function payrollDecoys(plan: PlanBuilder, count: number, minEmployees: number): void {
  const employers = plan.registry.companies
    .filter((c) => c.employees.length >= minEmployees && c.accounts.length > 0)
    .sort((a, b) => b.employees.length - a.employees.length || a.index - b.index);
  let made = 0;
  for (const employer of employers) {
    if (made >= count) break;
    const payroll = employer.accounts[0];
    if (plan.isClaimed(payroll) || !plan.account(payroll).normal) continue;
    plan.claimAccount(payroll);
    const i = plan.begin('fan-out', true, {
      reason: 'payroll',
      employees: employer.employees.length,
      schedule: employer.payroll,
    });
    plan.entities(i, [plan.account(payroll).uid]);
    plan.decoys.payroll.set(employer.index, i);
    made++;
  }
}

/** A busy merchant's card takings on one day: many payers, one account (like fan-in). */
export function merchantDecoys(plan: PlanBuilder, rng: Rng, count: number): void {
  const merchants = plan.registry.companies
    .filter((c) => c.role === 'merchant' && c.accounts.length > 0)
    .sort((a, b) => b.popularity - a.popularity || a.index - b.index);
  let made = 0;
  for (const merchant of merchants) {
    if (made >= count) break;
    const account = merchant.accounts[0];
    if (plan.isClaimed(account) || !plan.account(account).normal) continue;
    plan.claimAccount(account);
    // A Saturday when the period has one, otherwise any day.
    const days = plan.clock.days;
    const saturdays = Array.from({ length: days }, (_, d) => d).filter(
      (d) => new Date(plan.clock.windowStart + d * DAY_MS).getUTCDay() === 6,
    );
    const day = saturdays.length > 0 ? rng.pick(saturdays) : rng.int(0, days - 1);
    const i = plan.begin('fan-in', true, {
      reason: 'merchant card takings',
      day: new Date(plan.clock.windowStart + day * DAY_MS).toISOString().slice(0, 10),
    });
    plan.entities(i, [plan.account(account).uid]);
    plan.decoys.merchantDays.set(account, [day, i]);
    made++;
  }
}

/** Households of two or more persons (computed once for all family-loop decoys). */
export function householdsOfTwoOrMore(persons: readonly PersonRec[]): PersonRec[][] {
  const byHousehold = new Map<number, PersonRec[]>();
  for (const person of persons) {
    const list = byHousehold.get(person.household);
    if (list) list.push(person);
    else byHousehold.set(person.household, [person]);
  }
  return [...byHousehold.values()].filter((members) => members.length >= 2);
}

/** Family members passing money round over months (like a cycle, but slow and not decaying). */
export function familyLoopDecoy(
  plan: PlanBuilder,
  rng: Rng,
  households: readonly (readonly PersonRec[])[],
): void {
  for (let attempt = 0; attempt < 50 && households.length > 0; attempt++) {
    const members = rng.pick(households);
    const accounts: AccountRec[] = [];
    for (const person of members.slice(0, 3)) {
      const account = primaryAccount(plan, person);
      if (account && !plan.isClaimed(account.index) && account.props.currency === 'USD')
        accounts.push(account);
    }
    if (accounts.length < 2) continue;
    for (const account of accounts) plan.claimAccount(account.index);
    const span = Math.max(3, Math.min(plan.clock.days - 2, 80)) * DAY_MS;
    const gap = Math.floor(span / accounts.length);
    const start =
      plan.clock.windowStart + rng.int(0, Math.max(1, plan.clock.days * DAY_MS - span - DAY_MS));
    const i = plan.begin('cycle', true, {
      reason: 'family loop',
      length: accounts.length,
      spanDays: Math.round(span / DAY_MS),
    });
    plan.entities(
      i,
      accounts.map((a) => a.uid),
    );
    let amount = rng.int(3, 12) * 5_000;
    accounts.forEach((from, k) => {
      const to = accounts[(k + 1) % accounts.length];
      const at = start + k * gap + rng.int(8, 20) * HOUR_MS;
      plan.move(i, from, to, amount, at, 'internal', {
        reference: rng.pick(['rent share', 'loan', 'gift', 'groceries']),
      });
      amount += rng.int(-2, 4) * 2_500;
      amount = Math.max(2_500, amount);
    });
    return;
  }
}
