import type { ControlsProps, InterestType, OwnsProps } from '@app/vocabulary';
import type { Rng } from '../random/prng';
import { COUNTRIES, OFFSHORE_JURISDICTIONS } from './geography';
import { addCompanyTo, ageOf, isoDate, type PopulationContext } from './population.builder';
import {
  type CompanyRec,
  type CompanyRole,
  DAY_MS,
  OPERATING_ROLES,
  type PersonRec,
} from './population.model';
import { exactShare, type PopulationRegistry } from './population.registry';

/**
 * Splits `total` basis points into `parts` integer shares, each at least `minimum`, in random
 * proportions. The parts always add up to `total` exactly.
 */
export function splitBasisPoints(rng: Rng, parts: number, total = 10_000, minimum = 100): number[] {
  if (parts * minimum > total)
    throw new RangeError(`cannot split ${total} bp into ${parts} parts of at least ${minimum}`);
  const weights = Array.from({ length: parts }, () => rng.between(0.5, 1.5));
  const sum = weights.reduce((a, b) => a + b, 0);
  const free = total - parts * minimum;
  const shares = weights.map((w) => minimum + Math.floor((w / sum) * free));
  let rest = total - shares.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % parts, rest--) shares[i] = (shares[i] ?? 0) + 1;
  return shares;
}

export function controlInterest(
  interestType: InterestType,
  beneficial: boolean,
  startDate?: string,
  shareBp?: number,
): ControlsProps {
  return {
    interestType,
    directOrIndirect: 'direct',
    beneficialOwnershipOrControl: beneficial,
    ...(shareBp !== undefined ? { shareMinBp: shareBp, shareMaxBp: shareBp } : {}),
    ...(startDate ? { startDate } : {}),
  };
}

/** A share known only as a range, as company registers often publish it (BODS ranges). */
function rangeShare(minBp: number, maxBp: number, startDate: string): OwnsProps {
  return {
    ...exactShare(minBp, startDate),
    shareMinBp: minBp,
    shareMaxBp: maxBp,
    shareMaxExclusive: true,
  };
}

type Pattern =
  | 'direct'
  | 'holding'
  | 'offshore'
  | 'dispersed'
  | 'multi-path'
  | 'cross'
  | 'listed'
  | 'trust'
  | 'range';

const PATTERNS: readonly (readonly [Pattern, number])[] = [
  ['direct', 52],
  ['holding', 14],
  ['offshore', 8],
  ['dispersed', 7],
  ['multi-path', 5],
  ['cross', 3],
  ['listed', 4],
  ['trust', 4],
  ['range', 3],
];

/**
 * Ownership and control above every operating company: direct owners, holding layers, offshore
 * shells with nominees, dispersed holdings below the threshold, several paths to one owner,
 * cross holdings, listed companies run by managers, trusts, and owners known only by range.
 * Every company also gets board members and a senior managing official (CONTROLS edges that
 * are not beneficial ownership).
 */
export function buildOwnershipStructures(
  ctx: PopulationContext & { registry: PopulationRegistry },
): void {
  new OwnershipBuilder(ctx, ctx.registry, ctx.streams.for('population', 'ownership')).build();
}

class OwnershipBuilder {
  private readonly adults: PersonRec[];
  /** Professional nominee directors: each sits on the boards of many offshore shells. */
  private readonly nomineeDirectors: PersonRec[];
  private nomineeCompany: CompanyRec | undefined;
  private pendingCross: CompanyRec | undefined;

  constructor(
    private readonly ctx: PopulationContext,
    private readonly registry: PopulationRegistry,
    private readonly rng: Rng,
  ) {
    this.adults = registry.persons.filter((p) => ageOf(p, ctx.clock.windowEnd) >= 21);
    this.nomineeDirectors = this.rng.sample(
      this.adults,
      Math.max(1, Math.round(this.adults.length / 1500)),
    );
  }

  build(): void {
    const operating = this.registry.companies.filter(
      (c) => OPERATING_ROLES.includes(c.role) && !c.scenario,
    );
    for (const company of operating) {
      const since = this.incorporation();
      const pattern = this.rng.weighted(PATTERNS);
      this.structure(company, pattern, since);
      this.board(company, since);
    }
  }

  private incorporation(): string {
    return isoDate(this.ctx.clock.windowEnd - this.rng.int(400, 30 * 365) * DAY_MS);
  }

  private person(): PersonRec {
    const adults = this.adults.length > 0 ? this.adults : this.registry.persons;
    return this.rng.pick(adults);
  }

  /** Owners tend to work at their company; otherwise anyone. */
  private ownerOf(company: CompanyRec): PersonRec {
    if (company.employees.length > 0 && this.rng.chance(0.5)) {
      return this.registry.persons[this.rng.pick(company.employees)];
    }
    return this.person();
  }

  private newCompany(
    role: CompanyRole,
    jurisdiction: string,
    companyType: CompanyRec['props']['companyType'] = 'company',
  ): CompanyRec {
    const city = this.rng.pick((COUNTRIES[jurisdiction] ?? COUNTRIES.US).cities);
    return addCompanyTo(this.registry, this.ctx.fakers, this.rng, {
      role,
      jurisdiction,
      companyType,
      city,
    });
  }

  private owns(
    owner: { uid: string },
    company: CompanyRec,
    bp: number,
    since: string,
    beneficial = true,
  ): void {
    this.registry.addOwnership(owner.uid, company.uid, {
      ...exactShare(bp, since),
      beneficialOwnershipOrControl: beneficial,
    });
  }

  private structure(company: CompanyRec, pattern: Pattern, since: string): void {
    const rng = this.rng;
    switch (pattern) {
      case 'direct': {
        const owners = rng.weighted([
          [1, 45],
          [2, 35],
          [3, 20],
        ] as const);
        splitBasisPoints(rng, owners, 10_000, 1_000).forEach((bp) =>
          this.owns(this.ownerOf(company), company, bp, since),
        );
        return;
      }
      case 'holding': {
        const holding = this.newCompany('holding', company.props.jurisdiction);
        const direct = rng.chance(0.4) ? rng.int(10, 40) * 100 : 0;
        this.owns(holding, company, 10_000 - direct, since);
        if (direct > 0) this.owns(this.ownerOf(company), company, direct, since);
        splitBasisPoints(rng, rng.int(1, 2), 10_000, 2_000).forEach((bp) =>
          this.owns(this.person(), holding, bp, since),
        );
        this.board(holding, since);
        return;
      }
      case 'offshore': {
        // Person -(nominee)-> offshore shell -> local holding -> company.
        const jurisdiction = this.offshoreJurisdiction();
        const shell = this.newCompany('shell', jurisdiction);
        const holding = this.newCompany('holding', company.props.jurisdiction);
        this.owns(holding, company, 10_000, since);
        this.owns(shell, holding, rng.int(60, 100) * 100, since);
        const beneficiary = this.person();
        if (rng.chance(0.5)) {
          const nominee = this.nominee();
          this.owns(nominee, shell, 10_000, since, false);
          this.registry.addControl(
            beneficiary.uid,
            shell.uid,
            controlInterest('nominator', true, since),
          );
        } else {
          this.owns(beneficiary, shell, 10_000, since);
        }
        this.registry.addControl(
          rng.pick(this.nomineeDirectors).uid,
          shell.uid,
          controlInterest('boardMember', false, since),
        );
        this.board(holding, since);
        return;
      }
      case 'dispersed': {
        const owners = rng.int(5, 8);
        // Every holding stays below 25% (the rest is free float), so nobody qualifies by ownership.
        splitBasisPoints(rng, owners, 10_000, 600).forEach((bp) =>
          this.owns(this.person(), company, Math.min(bp, 2_400), since),
        );
        return;
      }
      case 'multi-path': {
        const person = this.ownerOf(company);
        const holding = this.newCompany('holding', company.props.jurisdiction);
        const direct = rng.int(10, 20) * 100;
        const viaHolding = rng.int(30, 60) * 100;
        this.owns(person, company, direct, since);
        this.owns(holding, company, viaHolding, since);
        const personInHolding = rng.int(40, 70) * 100;
        this.owns(person, holding, personInHolding, since);
        this.owns(this.person(), holding, 10_000 - personInHolding, since);
        this.owns(this.person(), company, 10_000 - direct - viaHolding, since);
        this.board(holding, since);
        return;
      }
      case 'cross': {
        // Two operating companies holding a stake in each other, plus their own owners.
        const owner = this.person();
        if (this.pendingCross && this.pendingCross !== company) {
          const other = this.pendingCross;
          this.pendingCross = undefined;
          this.owns(company, other, rng.int(10, 20) * 100, since);
          this.owns(other, company, rng.int(10, 20) * 100, since);
        } else {
          this.pendingCross = company;
        }
        this.owns(owner, company, rng.int(50, 80) * 100, since);
        return;
      }
      case 'listed': {
        company.props.companyType = 'listed-company';
        if (rng.chance(0.5)) {
          this.registry.addControl(
            this.person().uid,
            company.uid,
            controlInterest('votingRights', true, since, rng.int(26, 45) * 100),
          );
        } else {
          this.registry.addControl(
            this.person().uid,
            company.uid,
            controlInterest('appointmentOfBoard', true, since),
          );
        }
        return;
      }
      case 'trust': {
        const trust = this.newCompany('trust', company.props.jurisdiction, 'trust');
        this.owns(trust, company, 10_000, since);
        const settlor = this.person();
        this.registry.addControl(settlor.uid, trust.uid, controlInterest('settlor', true, since));
        this.registry.addControl(
          this.person().uid,
          trust.uid,
          controlInterest('trustee', true, since),
        );
        for (let b = 0; b < rng.int(1, 3); b++) {
          this.registry.addControl(
            this.person().uid,
            trust.uid,
            controlInterest('beneficiaryOfLegalArrangement', true, since),
          );
        }
        if (rng.chance(0.3))
          this.registry.addControl(
            this.person().uid,
            trust.uid,
            controlInterest('protector', true, since),
          );
        return;
      }
      case 'range': {
        this.registry.addOwnership(
          this.ownerOf(company).uid,
          company.uid,
          rangeShare(5_000, 7_500, since),
        );
        this.registry.addOwnership(this.person().uid, company.uid, rangeShare(2_500, 5_000, since));
        return;
      }
    }
  }

  private offshoreJurisdiction(): string {
    const highRisk = this.registry.highRiskJurisdictions;
    if (highRisk.length > 0 && this.rng.chance(0.05)) return this.rng.pick(highRisk);
    return this.rng.pick(OFFSHORE_JURISDICTIONS);
  }

  /** A corporate service provider acting as nominee shareholder for many shells. */
  private nominee(): CompanyRec {
    if (!this.nomineeCompany || this.rng.chance(0.05)) {
      this.nomineeCompany = this.newCompany('nominee', this.rng.pick(OFFSHORE_JURISDICTIONS));
    }
    return this.nomineeCompany;
  }

  /** Board members (not beneficial by themselves) and one senior managing official. */
  private board(company: CompanyRec, since: string): void {
    const members = this.rng.int(1, 3);
    const chosen = new Set<number>();
    for (let m = 0; m < members; m++) {
      const person = this.ownerOf(company);
      if (chosen.has(person.index)) continue;
      chosen.add(person.index);
      this.registry.addControl(
        person.uid,
        company.uid,
        controlInterest('boardMember', false, since),
      );
    }
    this.registry.addControl(
      this.ownerOf(company).uid,
      company.uid,
      controlInterest('seniorManagingOfficial', false, since),
    );
  }
}
