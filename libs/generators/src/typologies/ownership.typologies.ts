import type { CompanyType, InterestType } from '@app/vocabulary';
import {
  bpFraction,
  integratedOwnership,
  rationalText,
  type ShareEdge,
} from '../ownership/effective-ownership';
import { COUNTRIES, OFFSHORE_JURISDICTIONS } from '../population/geography';
import { addCompanyTo, ageOf, isoDate } from '../population/population.builder';
import {
  BANK_COUNTRY,
  BANK_ID,
  type CompanyRec,
  type CompanyRole,
  DAY_MS,
  type PersonRec,
} from '../population/population.model';
import { exactShare } from '../population/population.registry';
import { controlInterest, splitBasisPoints } from '../population/ownership.builder';
import type { Rng } from '../random/prng';
import type { Injector } from './aml-network.typologies';
import type { PlanBuilder } from './plan.builder';

/** The EU threshold: 25% or more. */
const QUARTER_BP = 2_500;

export const CONTROLLER_RULE =
  'persons with a CONTROLS edge on the target whose beneficialOwnershipOrControl is true (board members and senior managing officials excluded); ' +
  'when no person qualifies by ownership or such control, the senior managing officials (fallback)';

/** Splits `total` bp into `parts` shares, each below `capBp` (equal split if random ones keep failing). */
export function splitBelow(rng: Rng, total: number, parts: number, capBp: number): number[] {
  if (Math.ceil(total / parts) >= capBp)
    throw new RangeError(`cannot split ${total} bp into ${parts} parts below ${capBp}`);
  for (let attempt = 0; attempt < 30; attempt++) {
    const shares = splitBasisPoints(rng, parts, total, 100);
    if (Math.max(...shares) < capBp) return shares;
  }
  const equal = Array.from({ length: parts }, () => Math.floor(total / parts));
  for (let k = 0; k < total - equal.reduce((a, b) => a + b, 0); k++) equal[k] = (equal[k] ?? 0) + 1;
  return equal;
}

/**
 * One self-contained ownership structure above a target company. Nothing outside the scenario
 * owns any company of it, so its expected answer can be computed exactly from its own edges.
 */
class Structure {
  readonly companies: CompanyRec[] = [];
  readonly persons: PersonRec[] = [];
  readonly shares: ShareEdge[] = [];
  readonly controllers: PersonRec[] = [];
  readonly officials: PersonRec[] = [];
  readonly since: string;

  constructor(
    private readonly plan: PlanBuilder,
    private readonly rng: Rng,
  ) {
    this.since = isoDate(plan.clock.windowEnd - rng.int(400, 20 * 365) * DAY_MS);
  }

  company(
    role: CompanyRole,
    jurisdiction: string,
    companyType: CompanyType = 'company',
  ): CompanyRec {
    const country = COUNTRIES[jurisdiction] ?? COUNTRIES.US;
    const city = country
      ? this.rng.pick(country.cities)
      : { name: jurisdiction, latitude: 0, longitude: 0 };
    const company = addCompanyTo(this.plan.registry, this.plan.ctx.fakers, this.rng, {
      role,
      jurisdiction,
      companyType,
      city,
      scenario: true,
    });
    this.companies.push(company);
    return company;
  }

  person(): PersonRec | undefined {
    const person = this.plan.claimPerson(
      this.rng,
      (p) => ageOf(p, this.plan.clock.windowEnd) >= 25,
    );
    if (person) this.persons.push(person);
    return person;
  }

  owns(owner: PersonRec | CompanyRec, owned: CompanyRec, bp: number): void {
    this.plan.registry.addOwnership(owner.uid, owned.uid, exactShare(bp, this.since));
    this.shares.push({ owner: owner.uid, owned: owned.uid, share: bpFraction(bp) });
  }

  controls(
    person: PersonRec,
    company: CompanyRec,
    interest: InterestType,
    beneficial: boolean,
  ): void {
    this.plan.registry.addControl(
      person.uid,
      company.uid,
      controlInterest(interest, beneficial, this.since),
    );
  }

  /** Board members and a senior managing official of the target (not beneficial by themselves). */
  board(target: CompanyRec): boolean {
    const official = this.person();
    const member = this.person();
    if (!official || !member) return false;
    this.controls(member, target, 'boardMember', false);
    this.controls(official, target, 'seniorManagingOfficial', false);
    this.officials.push(official);
    return true;
  }

  /** Gives the target an ordinary business account so that it looks like any trading company. */
  account(target: CompanyRec): void {
    const rng = this.rng;
    const registry = this.plan.registry;
    const account = registry.addAccount({
      accountType: 'business',
      currency: 'USD',
      openedAt: this.plan.clock.windowEnd - rng.int(400, 5_000) * DAY_MS,
      status: 'active',
      bankId: BANK_ID,
      country: BANK_COUNTRY,
      city: target.city,
      holders: [{ kind: 'company', index: target.index, role: 'holder' }],
      activity: rng.between(0.05, 0.3),
      billDay: rng.int(1, 28),
    });
    target.popularity = account.activity;
    target.identifiers.push(
      registry.newIp(),
      registry.newDevice(rng),
      registry.newPhone('1', 700_000_000 + target.index),
      registry.identifier('email', `office@${target.uid.replace(/[^a-z0-9]/gi, '')}.com`),
    );
    account.identifiers.push(...target.identifiers);
    const suppliers = registry.supplierAccounts;
    for (let s = 0; s < 3 && suppliers.length > 0; s++) target.suppliers.push(rng.pick(suppliers));
  }

  /** Records the instance with its exact expected answer. */
  finish(
    typology: Parameters<PlanBuilder['begin']>[0],
    target: CompanyRec,
    parameters: Record<string, string | number | boolean>,
  ): void {
    const shares = integratedOwnership(this.shares, target.uid, (uid) => uid.startsWith('person:'));
    const quarter = bpFraction(QUARTER_BP);
    const owners: Record<string, { share: string; qualifies: boolean }> = {};
    let anyQualifies = false;
    for (const [uid, share] of shares) {
      const qualifies = share.gte(quarter);
      anyQualifies ||= qualifies;
      owners[uid] = { share: rationalText(share), qualifies };
    }
    const controllers =
      this.controllers.length > 0 ? this.controllers : anyQualifies ? [] : this.officials;
    const i = this.plan.begin(typology, false, {
      regime: 'eu',
      threshold: '1/4',
      thresholdRule: 'share >= threshold',
      convention: 'integrated',
      controllerRule: CONTROLLER_RULE,
      companies: this.companies.length,
      ...parameters,
    });
    this.plan.entities(i, [
      target.uid,
      ...this.companies.map((c) => c.uid),
      ...this.persons.map((p) => p.uid),
    ]);
    this.plan.instance(i).expectedOwnership = {
      target: target.uid,
      owners,
      controllers: controllers.map((p) => p.uid).sort(),
    };
  }
}

function onshore(rng: Rng): string {
  return rng.pick(['US', 'US', 'US', 'GB', 'DE', 'IE']);
}

/** Person → layer → layer → … → target; qualifies (even instances) or falls short (odd ones). */
export const uboLayeredChain: Injector = (plan, rng, n) => {
  const s = new Structure(plan, rng);
  const layers = rng.int(
    plan.ctx.profile.shapes.uboLayers[0],
    plan.ctx.profile.shapes.uboLayers[1],
  );
  const qualify = n % 2 === 0;
  const target = s.company('scenario', onshore(rng));
  const chain = Array.from({ length: layers }, (_, k) =>
    k === 0
      ? s.company('shell', rng.pick(OFFSHORE_JURISDICTIONS))
      : s.company('holding', rng.chance(0.5) ? rng.pick(OFFSHORE_JURISDICTIONS) : onshore(rng)),
  );
  const shares = Array.from({ length: layers + 1 }, () =>
    qualify ? rng.pick([10_000, 10_000, 9_000, 8_000, 7_500]) : rng.pick([5_000, 6_000, 7_000]),
  );
  const product = (): number => shares.reduce((p, bp) => (p * bp) / 10_000, 1);
  while (qualify && product() < 0.25) shares[shares.indexOf(Math.min(...shares))] = 10_000;
  while (!qualify && product() >= 0.25) shares[shares.indexOf(Math.max(...shares))] = 4_000;
  const owner = s.person();
  if (!owner) return;
  // owner → chain[0] → … → chain[layers-1] → target
  s.owns(owner, chain[0], shares[0]);
  for (let k = 1; k < layers; k++) s.owns(chain[k - 1], chain[k], shares[k]);
  s.owns(chain[layers - 1], target, shares[layers]);
  for (let k = 0; k <= layers; k++) {
    const rest = 10_000 - shares[k];
    const company = k === layers ? target : chain[k];
    const other = rest > 0 ? s.person() : undefined;
    if (other) s.owns(other, company, rest);
  }
  if (!s.board(target)) return;
  s.account(target);
  s.finish('ubo-layered-chain', target, { layers, owner: owner.uid, ownerQualifies: qualify });
};

/** No single path reaches 25%, but direct plus indirect paths add up to more. */
export const uboMultiPath: Injector = (plan, rng) => {
  const s = new Structure(plan, rng);
  const target = s.company('scenario', onshore(rng));
  const holding = s.company('holding', onshore(rng));
  const owner = s.person();
  const partner = s.person();
  if (!owner || !partner) return;
  const inHolding = rng.int(50, 80) * 100;
  const holdingInTarget = rng.int(15, 24) * 100;
  const indirectBp = Math.floor((inHolding * holdingInTarget) / 10_000);
  const direct = Math.min(2_400, Math.max(1_000, QUARTER_BP - indirectBp + rng.int(1, 5) * 100));
  s.owns(owner, target, direct);
  s.owns(owner, holding, inHolding);
  s.owns(partner, holding, 10_000 - inHolding);
  s.owns(holding, target, holdingInTarget);
  const rest = 10_000 - direct - holdingInTarget;
  const parts = Math.max(3, Math.ceil(rest / 2_000));
  for (const bp of splitBelow(rng, rest, parts, QUARTER_BP)) {
    const other = s.person();
    if (other) s.owns(other, target, bp);
  }
  if (!s.board(target)) return;
  s.account(target);
  s.finish('ubo-multi-path', target, {
    paths: 2,
    directBp: direct,
    viaHoldingBp: `${inHolding}x${holdingInTarget}`,
  });
};

/** Two companies hold each other (a cycle); the answer sums the geometric series. */
export const uboCycle: Injector = (plan, rng) => {
  const s = new Structure(plan, rng);
  const target = s.company('scenario', onshore(rng));
  const partner = s.company('holding', rng.pick(['US', 'GB', ...OFFSHORE_JURISDICTIONS]));
  const ownerOfTarget = s.person();
  const ownerOfPartner = s.person();
  if (!ownerOfTarget || !ownerOfPartner) return;
  const personInTarget = rng.int(40, 75) * 100;
  const targetInPartner = rng.int(20, 45) * 100;
  s.owns(ownerOfTarget, target, personInTarget);
  s.owns(partner, target, 10_000 - personInTarget);
  s.owns(target, partner, targetInPartner);
  s.owns(ownerOfPartner, partner, 10_000 - targetInPartner);
  if (!s.board(target)) return;
  s.account(target);
  s.finish('ubo-cycle', target, {
    cycleLength: 2,
    personInTargetBp: personInTarget,
    partnerInTargetBp: 10_000 - personInTarget,
    targetInPartnerBp: targetInPartner,
  });
};

/** Exactly 25% through a chain (e.g. 50% × 50%): qualifies under "25% or more". */
export const uboExactThreshold: Injector = (plan, rng) => {
  const s = new Structure(plan, rng);
  const target = s.company('scenario', onshore(rng));
  const holding = s.company(
    'holding',
    rng.chance(0.5) ? onshore(rng) : rng.pick(OFFSHORE_JURISDICTIONS),
  );
  const [inHolding, holdingInTarget] = rng.pick([
    [5_000, 5_000],
    [6_250, 4_000],
    [8_000, 3_125],
  ] as const);
  const owner = s.person();
  const partner = s.person();
  const direct = s.person();
  if (!owner || !partner || !direct) return;
  s.owns(owner, holding, inHolding);
  s.owns(partner, holding, 10_000 - inHolding);
  s.owns(holding, target, holdingInTarget);
  s.owns(direct, target, 10_000 - holdingInTarget);
  if (!s.board(target)) return;
  s.account(target);
  s.finish('ubo-exact-threshold', target, { path: `${inHolding}x${holdingInTarget}` });
};

/** 49.98% × 50% = 24.99%: just below the threshold (odd instances: nobody qualifies at all). */
export const uboBelowThreshold: Injector = (plan, rng, n) => {
  const s = new Structure(plan, rng);
  const target = s.company('scenario', onshore(rng));
  const holding = s.company('holding', onshore(rng));
  const owner = s.person();
  if (!owner) return;
  s.owns(owner, holding, 4_998);
  const nobodyQualifies = n % 2 === 1;
  for (const bp of nobodyQualifies ? [2_501, 2_501] : [5_002]) {
    const other = s.person();
    if (other) s.owns(other, holding, bp);
  }
  s.owns(holding, target, 5_000);
  for (const bp of splitBelow(rng, 5_000, 3, QUARTER_BP)) {
    const other = s.person();
    if (other) s.owns(other, target, bp);
  }
  if (!s.board(target)) return;
  s.account(target);
  s.finish('ubo-below-threshold', target, { ownerShare: '2499/10000', nobodyQualifies });
};

/** Dispersed shareholders below 25% and one person who appoints the board without shares. */
export const uboControlOnly: Injector = (plan, rng) => {
  const s = new Structure(plan, rng);
  const target = s.company('scenario', onshore(rng));
  const holders = rng.int(5, 8);
  for (const bp of splitBelow(rng, 10_000, holders, QUARTER_BP)) {
    const other = s.person();
    if (other) s.owns(other, target, bp);
  }
  const controller = s.person();
  if (!controller) return;
  s.controls(
    controller,
    target,
    rng.pick(['appointmentOfBoard', 'otherInfluenceOrControl'] as const),
    true,
  );
  s.controllers.push(controller);
  if (!s.board(target)) return;
  s.account(target);
  s.finish('ubo-control-only', target, { shareholders: holders });
};
