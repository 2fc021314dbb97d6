import type { CompanyVertex } from '@app/vocabulary';
import type { RiskAssessment, RiskIndicator, RiskIndicatorCode } from '../ubo.types';
import type { Link, OwnershipGraph } from './ownership-graph';

/**
 * The weight each indicator adds to a score. A score is min(1, sum of the weights present),
 * so every point of it can be traced to a named indicator (see libs/ubo/README.md).
 */
export const RISK_WEIGHTS: Readonly<Record<RiskIndicatorCode, number>> = {
  'sanctioned-person': 0.7,
  'sanctioned-entity': 0.5,
  pep: 0.3,
  'high-risk-jurisdiction': 0.3,
  'secrecy-jurisdiction': 0.2,
  'shell-company': 0.2,
  nominee: 0.2,
  'bearer-shares': 0.2,
  'unknown-interest': 0.15,
  'circular-ownership': 0.15,
  'ownership-ends-at-entity': 0.15,
  'uncertain-share': 0.1,
  /** Per layer beyond the first intermediate entity, at most 0.2 (see layeringWeight). */
  'layering-depth': 0.05,
};

/** 0.05 per intermediate entity beyond the first, capped at 0.2 (reached at 5 intermediates). */
export function layeringWeight(intermediates: number): number {
  return Math.min(0.2, Math.max(0, intermediates - 1) * RISK_WEIGHTS['layering-depth']);
}

/** Company types whose lack of owners is expected (no natural person above them). */
const OWNERLESS_BY_NATURE = new Set(['state-body', 'listed-company']);

export interface RiskContext {
  highRisk: ReadonlySet<string>;
  secrecy: ReadonlySet<string>;
  cycleMembers: ReadonlySet<string>;
  unidentified: ReadonlySet<string>;
  /** Entities with a relationship whose interested party is not given (BODS). */
  unspecified: ReadonlySet<string>;
}

class IndicatorSet {
  private readonly found = new Map<
    RiskIndicatorCode,
    { weight: number; details: Set<string>; entities: Set<string> }
  >();

  add(
    code: RiskIndicatorCode,
    detail: string,
    entities: readonly string[],
    weight = RISK_WEIGHTS[code],
  ): void {
    const entry = this.found.get(code) ?? {
      weight,
      details: new Set<string>(),
      entities: new Set<string>(),
    };
    entry.weight = Math.max(entry.weight, weight);
    entry.details.add(detail);
    entities.forEach((uid) => entry.entities.add(uid));
    this.found.set(code, entry);
  }

  assessment(): RiskAssessment {
    const indicators: RiskIndicator[] = [...this.found]
      .map(([code, entry]) => ({
        code,
        weight: entry.weight,
        detail:
          [...entry.details].slice(0, 5).join('; ') +
          (entry.details.size > 5 ? ` (and ${entry.details.size - 5} more)` : ''),
        entities: [...entry.entities].sort(),
      }))
      .filter((indicator) => indicator.weight > 0)
      .sort((a, b) => b.weight - a.weight || a.code.localeCompare(b.code));
    const sum = indicators.reduce((total, indicator) => total + indicator.weight, 0);
    return { score: Math.round(Math.min(1, sum) * 10_000) / 10_000, indicators };
  }
}

function companyIndicators(set: IndicatorSet, company: CompanyVertex, context: RiskContext): void {
  const { props, uid } = company;
  if (props.isSanctioned) set.add('sanctioned-entity', `${props.name} is sanctioned`, [uid]);
  if (context.highRisk.has(props.jurisdiction)) {
    set.add('high-risk-jurisdiction', `${props.name} is registered in ${props.jurisdiction}`, [
      uid,
    ]);
  }
  if (context.secrecy.has(props.jurisdiction)) {
    set.add('secrecy-jurisdiction', `${props.name} is registered in ${props.jurisdiction}`, [uid]);
  }
  if (props.isShell) set.add('shell-company', `${props.name} is a shell company`, [uid]);
  if (props.isNominee) set.add('nominee', `${props.name} is a nominee`, [uid]);
  if (props.hasBearerShares) set.add('bearer-shares', `${props.name} has bearer shares`, [uid]);
  if (context.unidentified.has(uid))
    set.add('unknown-interest', `${props.name} is not identified`, [uid]);
  if (context.unspecified.has(uid))
    set.add('unknown-interest', `${props.name} has holders that are not disclosed`, [uid]);
  if (context.cycleMembers.has(uid))
    set.add('circular-ownership', `${props.name} is part of an ownership cycle`, [uid]);
}

function linkIndicators(set: IndicatorSet, link: Link): void {
  if (link.interestType === 'unknownInterest' || link.interestType === 'unpublishedInterest') {
    set.add('unknown-interest', `${link.from} has an ${link.interestType} in ${link.to}`, [
      link.from,
      link.to,
    ]);
  }
  if (link.interestType === 'nominee')
    set.add('nominee', `${link.from} acts as nominee in ${link.to}`, [link.from, link.to]);
}

/**
 * The indicators of one person: their own flags and everything on their chains (entities,
 * links, the target), the depth of layering and how certain the qualification is.
 */
export function assessPerson(
  graph: OwnershipGraph,
  personUid: string,
  chains: readonly (readonly Link[])[],
  uncertain: boolean,
  context: RiskContext,
): RiskAssessment {
  const set = new IndicatorSet();
  const person = graph.persons.get(personUid);
  if (person) {
    const { props } = person;
    if (props.isPep) set.add('pep', `${props.name} is a politically exposed person`, [personUid]);
    if (props.isSanctioned)
      set.add('sanctioned-person', `${props.name} is sanctioned`, [personUid]);
    for (const country of [props.nationality, props.residence]) {
      if (country !== undefined && context.highRisk.has(country)) {
        set.add('high-risk-jurisdiction', `${props.name} is linked to ${country}`, [personUid]);
      }
    }
    if (context.unidentified.has(personUid))
      set.add('unknown-interest', `${props.name} is not identified`, [personUid]);
  }
  const companies = new Set<string>([graph.target.uid]);
  let deepest = 0;
  for (const chain of chains) {
    deepest = Math.max(deepest, chain.length - 1);
    for (const link of chain) {
      linkIndicators(set, link);
      companies.add(link.to);
    }
  }
  for (const uid of companies) {
    const company = graph.companies.get(uid);
    if (company) companyIndicators(set, company, context);
  }
  if (deepest >= 2) {
    set.add(
      'layering-depth',
      `${deepest} intermediate entities between the person and the target`,
      [personUid],
      layeringWeight(deepest),
    );
  }
  if (uncertain)
    set.add(
      'uncertain-share',
      'the shares are only known as ranges, so qualification is uncertain',
      [personUid],
    );
  return set.assessment();
}

/** The indicators of the whole structure above the target. */
export function assessStructure(
  graph: OwnershipGraph,
  namedPersons: readonly string[],
  topEntities: readonly string[],
  context: RiskContext,
): RiskAssessment {
  const set = new IndicatorSet();
  for (const uid of namedPersons) {
    const person = graph.persons.get(uid);
    if (!person) continue;
    if (person.props.isPep)
      set.add('pep', `${person.props.name} is a politically exposed person`, [uid]);
    if (person.props.isSanctioned)
      set.add('sanctioned-person', `${person.props.name} is sanctioned`, [uid]);
  }
  for (const person of graph.persons.values()) {
    if (context.unidentified.has(person.uid))
      set.add('unknown-interest', `${person.props.name} is not identified`, [person.uid]);
  }
  for (const company of graph.companies.values()) companyIndicators(set, company, context);
  for (const links of graph.linksOut.values()) links.forEach((link) => linkIndicators(set, link));
  for (const uid of topEntities) {
    const company = graph.companies.get(uid);
    if (company && !OWNERLESS_BY_NATURE.has(company.props.companyType)) {
      set.add('ownership-ends-at-entity', `nothing is known above ${company.props.name}`, [uid]);
    }
  }
  let deepest = 0;
  for (const d of graph.depth.values()) deepest = Math.max(deepest, d);
  if (deepest >= 3) {
    set.add(
      'layering-depth',
      `${deepest} layers above the target`,
      [],
      layeringWeight(deepest - 1),
    );
  }
  return set.assessment();
}
