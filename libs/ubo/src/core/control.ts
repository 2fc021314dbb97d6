import type Fraction from 'fraction.js';
import type { InterestType } from '@app/vocabulary';
import type {
  ControlKind,
  ControlReason,
  ControlResult,
  ManagementRole,
  SeniorManagingOfficial,
} from '../ubo.types';
import { toChain, toShareRange } from './evidence';
import type { Link, OwnershipGraph } from './ownership-graph';
import {
  meetsThreshold,
  Qualifies,
  rational,
  ShareInterval,
  strongest,
  ThresholdComparator,
  weakest,
  ZERO,
} from './share-interval';

/**
 * Which links a chain of control may pass through, and how surely. 'no' = not at all.
 * `graph` lets a test look at the entity a link leads to; without it, every entity is judged
 * as a legal entity (see `dominancyLinkTest`).
 */
export type LinkTest = (link: Link, graph?: OwnershipGraph) => Qualifies;

const HALF = rational(1, 2);

/** More than 50%: a majority stake. */
export function majority(share: ShareInterval | null): Qualifies {
  return share === null ? 'possibly' : meetsThreshold(share, HALF, 'more-than');
}

const CONTROL_KIND: Partial<Record<InterestType, ControlKind>> = {
  appointmentOfBoard: 'appointment-of-board',
  otherInfluenceOrControl: 'other-influence-or-control',
  controlViaCompanyRulesOrArticles: 'other-influence-or-control',
  controlByLegalFramework: 'other-influence-or-control',
  rightsGrantedByContract: 'other-influence-or-control',
  conditionalRightsGrantedByContract: 'other-influence-or-control',
  settlor: 'legal-arrangement',
  trustee: 'legal-arrangement',
  protector: 'legal-arrangement',
  beneficiaryOfLegalArrangement: 'legal-arrangement',
  nominator: 'nominator',
  unknownInterest: 'unknown-interest',
  unpublishedInterest: 'unknown-interest',
};

const UNCERTAIN_CONTROL: ReadonlySet<InterestType> = new Set([
  'conditionalRightsGrantedByContract',
  'unknownInterest',
  'unpublishedInterest',
]);

/** Interests in the profit or assets: "other ownership interests" when large enough. */
const ECONOMIC_RIGHTS: ReadonlySet<InterestType> = new Set([
  'rightsToSurplusAssetsOnDissolution',
  'rightsToProfitOrIncome',
  'enjoymentAndUseOfAssets',
  'rightToProfitOrIncomeFromAssets',
]);

export const MANAGEMENT_ROLES: readonly ManagementRole[] = [
  'seniorManagingOfficial',
  'boardChair',
  'boardMember',
];

/**
 * Links through which a person controls what the next entity does: a majority of shares or
 * votes, the right to appoint the board, other influence or control, the roles of a legal
 * arrangement (settlor, trustee, protector, beneficiary) and the nominator behind a nominee.
 * Unknown interests and conditional rights may be control ('possibly'). Board seats, senior
 * management and being a nominee are not.
 */
export const controlLinkTest: LinkTest = (link) => {
  if (link.label === 'OWNS') return majority(link.share);
  if (link.interestType === 'votingRights') return majority(link.share);
  if (CONTROL_KIND[link.interestType] === undefined) return 'no';
  return UNCERTAIN_CONTROL.has(link.interestType) ? 'possibly' : 'yes';
};

/**
 * A shareholding in an arrangement without legal personality (a BODS `arrangement` that is
 * not a trust, imported as companyType 'partnership', such as Open Ownership's "Joint
 * shareholding"): its holders hold what it holds jointly. 'yes' when the share is above 0.
 */
function jointHolding(link: Link, graph: OwnershipGraph): Qualifies {
  if (link.label !== 'OWNS' || link.share === null) return 'no';
  if (graph.companies.get(link.to)?.props.companyType !== 'partnership') return 'no';
  return meetsThreshold(link.share, ZERO, 'more-than');
}

/**
 * EBA "dominancy" (the UK PSC reading): majority stakes (shares, votes) and board appointment
 * rights pass, and so do two links that Companies Act 2006 Sch. 1A Part 2 looks through:
 * - nominator: a share held by a nominee for another is treated as held by the other (and not
 *   by the nominee), so the nominator holds whatever the nominee or nomination arrangement holds;
 * - a holding in a joint arrangement (with `graph`): if two or more persons hold a share or
 *   right jointly, each of them is treated as holding it, so each holder of the arrangement
 *   holds its whole holding, whatever their part in it. Called without `graph`, a holding in an
 *   arrangement is judged like one in a legal entity (majority only): pass the graph.
 */
export const dominancyLinkTest: LinkTest = (link, graph) => {
  if (link.interestType === 'nominator') return 'yes';
  // A trustee holds what the trust holds (the PSC register's "as trustee of a trust").
  if (
    link.interestType === 'trustee' &&
    graph?.companies.get(link.to)?.props.companyType === 'trust'
  )
    return 'yes';
  if (link.label === 'OWNS') {
    const joint = graph === undefined ? 'no' : jointHolding(link, graph);
    return strongest(majority(link.share), joint);
  }
  if (link.interestType === 'votingRights') return majority(link.share);
  if (link.interestType === 'appointmentOfBoard') return 'yes';
  return 'no';
};

/** EBA "rolling": every link must itself meet the threshold. */
export function rollingLinkTest(threshold: Fraction, comparator: ThresholdComparator): LinkTest {
  return (link) => {
    if (link.label !== 'OWNS' && link.interestType !== 'votingRights') return 'no';
    return link.share === null ? 'possibly' : meetsThreshold(link.share, threshold, comparator);
  };
}

/** Where a person's chains of passing links lead: each entity with the best status and one chain. */
export interface Reach {
  status: Map<string, Exclude<Qualifies, 'no'>>;
  /** The link by which each entity was first reached (for the chain of evidence). */
  via: Map<string, Link>;
}

/**
 * Breadth-first from a person over links that pass `test`, never going past the target.
 * First only certain links ('yes'), then also uncertain ones ('possibly').
 */
export function reachFrom(graph: OwnershipGraph, start: string, test: LinkTest): Reach {
  const status = new Map<string, Exclude<Qualifies, 'no'>>([[start, 'yes']]);
  const via = new Map<string, Link>();
  const targetUid = graph.target.uid;
  for (const pass of ['yes', 'possibly'] as const) {
    const queue = [...status.keys()];
    for (let next = 0; next < queue.length; next += 1) {
      const uid = queue[next];
      if (uid === targetUid) continue;
      for (const link of graph.linksOut.get(uid) ?? []) {
        if (status.has(link.to)) continue;
        const result = test(link, graph);
        if (result === 'no' || (pass === 'yes' && result !== 'yes')) continue;
        status.set(link.to, pass);
        via.set(link.to, link);
        queue.push(link.to);
      }
    }
  }
  return { status, via };
}

/** The links from the start of a reach to `uid`. */
export function chainTo(reach: Reach, uid: string): Link[] {
  const links: Link[] = [];
  let current = uid;
  const guard = new Set<string>();
  while (reach.via.has(current) && !guard.has(current)) {
    guard.add(current);
    const link = reach.via.get(current) as Link;
    links.unshift(link);
    current = link.from;
  }
  return links;
}

/**
 * Dominancy / rolling attribution: the person is treated as holding, in full, every share of
 * the target held directly by themself or by an entity they reach through passing links.
 * Each holder counts once, however many chains lead to it.
 */
export function attributedShare(
  graph: OwnershipGraph,
  personUid: string,
  test: LinkTest,
): ShareInterval {
  const reach = reachFrom(graph, personUid, test);
  const targetUid = graph.target.uid;
  let certain = ShareInterval.zero;
  let possible = ShareInterval.zero;
  for (const [holder, status] of reach.status) {
    if (holder === targetUid) continue;
    for (const link of graph.ownsOut.get(holder) ?? []) {
      if (link.to !== targetUid || link.share === null) continue;
      possible = possible.add(link.share);
      if (status === 'yes') certain = certain.add(link.share);
    }
  }
  return ShareInterval.of(certain.lo, possible.hi, certain.loExclusive, possible.hiExclusive);
}

export interface ControlOptions {
  threshold: Fraction;
  comparator: ThresholdComparator;
  /** Under dominancy/rolling, control of a direct shareholder is already ownership. */
  includeControlledShareholders: boolean;
  /** Which roles of a legal arrangement are control (see `TrustRoles`); every role by default. */
  trustRoles?: TrustRoles;
}

/**
 * Which roles of a legal arrangement (a trust) give control of what it holds, by regime:
 * - `every-role` (EU, custom): settlor, trustee, protector and beneficiaries are all beneficial
 *   owners of a trust (AMLD Art. 3(6)(b), AMLR Art. 58), so each controls what it holds;
 * - `trustees` (UK PSC): only those with significant influence or control over the trust's
 *   activities (Sch. 1A condition 5): its trustees; a protector possibly (it depends on the
 *   protector's powers); a settlor or a beneficiary as such does not;
 * - `none` (US CDD): no role is control of the customer; the trustee is the owner of what the
 *   trust holds instead (31 CFR 1010.230(d)(3), see `trusteesHoldTrusts`).
 */
export type TrustRoles = 'every-role' | 'trustees' | 'none';

const LEGAL_ARRANGEMENT_ROLES: ReadonlySet<InterestType> = new Set([
  'settlor',
  'trustee',
  'protector',
  'beneficiaryOfLegalArrangement',
]);

/** `controlLinkTest` with the roles of a legal arrangement read as `trustRoles` says. */
export function controlLinkTestFor(trustRoles: TrustRoles = 'every-role'): LinkTest {
  if (trustRoles === 'every-role') return controlLinkTest;
  return (link, graph) => {
    if (!LEGAL_ARRANGEMENT_ROLES.has(link.interestType)) return controlLinkTest(link, graph);
    if (trustRoles === 'none') return 'no';
    if (link.interestType === 'trustee') return 'yes';
    return link.interestType === 'protector' ? 'possibly' : 'no';
  };
}

function kindOf(link: Link): ControlKind | undefined {
  if (link.label === 'OWNS') return 'majority-chain';
  if (link.interestType === 'votingRights') return 'majority-chain';
  if (ECONOMIC_RIGHTS.has(link.interestType)) return 'other-ownership-interest';
  return CONTROL_KIND[link.interestType];
}

/** How (and how surely) one person controls the target; null when not at all. */
export function controlOf(
  graph: OwnershipGraph,
  personUid: string,
  options: ControlOptions,
): ControlResult | null {
  const person = graph.persons.get(personUid);
  if (!person) return null;
  const targetUid = graph.target.uid;
  const test = controlLinkTestFor(options.trustRoles);
  const reach = reachFrom(graph, personUid, test);
  const reasons: ControlReason[] = [];
  let votesCertain = ShareInterval.zero;
  let votesPossible = ShareInterval.zero;
  let votesChain: Link[] | null = null;

  for (const [holder, holderStatus] of reach.status) {
    if (holder === targetUid) continue;
    const path = chainTo(reach, holder);
    for (const link of graph.linksOut.get(holder) ?? []) {
      if (link.to !== targetUid) continue;
      const kind = kindOf(link);
      if (link.interestType === 'votingRights' && link.share !== null) {
        votesPossible = votesPossible.add(link.share);
        if (holderStatus === 'yes') votesCertain = votesCertain.add(link.share);
        votesChain ??= [...path, link];
      }
      let linkStatus: Qualifies;
      if (kind === 'other-ownership-interest') {
        linkStatus =
          link.share === null
            ? 'possibly'
            : meetsThreshold(link.share, options.threshold, options.comparator);
      } else {
        linkStatus = test(link, graph);
      }
      const status = weakest(holderStatus, linkStatus);
      if (kind !== undefined && status !== 'no') {
        reasons.push({
          kind,
          interestType: link.interestType,
          qualifies: status,
          ...(link.share !== null &&
          (kind === 'majority-chain' || kind === 'other-ownership-interest')
            ? { share: toShareRange(link.share) }
            : {}),
          chain: toChain(personUid, [...path, link], true),
        });
      }
      // Controlling an entity that itself holds a qualifying share of the target.
      if (
        options.includeControlledShareholders &&
        holder !== personUid &&
        link.label === 'OWNS' &&
        link.share !== null
      ) {
        const held = weakest(
          holderStatus,
          meetsThreshold(link.share, options.threshold, options.comparator),
        );
        if (held !== 'no') {
          reasons.push({
            kind: 'controls-direct-shareholder',
            interestType: link.interestType,
            qualifies: held,
            share: toShareRange(link.share),
            chain: toChain(personUid, [...path, link], true),
          });
        }
      }
    }
  }
  const votes = ShareInterval.of(
    votesCertain.lo,
    votesPossible.hi,
    votesCertain.loExclusive,
    votesPossible.hiExclusive,
  );
  const votesQualify = meetsThreshold(votes, options.threshold, options.comparator);
  if (votesChain !== null && votesQualify !== 'no' && majority(votes) !== 'yes') {
    reasons.push({
      kind: 'voting-rights',
      interestType: 'votingRights',
      qualifies: votesQualify,
      share: toShareRange(votes),
      chain: toChain(personUid, votesChain, true),
    });
  }
  if (reasons.length === 0) return null;
  // Deduplicate identical reasons (same kind and chain), strongest first.
  const seen = new Set<string>();
  const unique = reasons
    .sort((a, b) =>
      a.qualifies === b.qualifies
        ? a.chain.links.length - b.chain.links.length
        : a.qualifies === 'yes'
          ? -1
          : 1,
    )
    .filter((reason) => {
      const key = `${reason.kind}|${reason.chain.links.map((link) => link.edgeId).join('>')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const qualifies = unique.reduce<Qualifies>(
    (best, reason) => strongest(best, reason.qualifies),
    'no',
  );
  return {
    uid: personUid,
    name: person.props.name,
    qualifies: qualifies === 'no' ? 'possibly' : qualifies,
    reasons: unique,
  };
}

/**
 * Persons with a management role on the target (candidates for the fallback): held by the
 * person, or held by an entity (a corporate director or manager) that the person controls,
 * in which case the role is carried up to them with the chain (`through`). Direct holders
 * come before carried-up ones of the same role.
 */
export function seniorManagingOfficials(graph: OwnershipGraph): SeniorManagingOfficial[] {
  const result: SeniorManagingOfficial[] = [];
  const corporate: { link: Link; role: ManagementRole }[] = [];
  for (const link of graph.linksIn.get(graph.target.uid) ?? []) {
    const role = MANAGEMENT_ROLES.find((r) => r === link.interestType);
    if (role === undefined) continue;
    const person = graph.persons.get(link.from);
    if (person) result.push({ uid: person.uid, name: person.props.name, role, edgeId: link.eid });
    else if (graph.companies.has(link.from)) corporate.push({ link, role });
  }
  if (corporate.length > 0) {
    for (const [uid, person] of graph.persons) {
      const reach = reachFrom(graph, uid, controlLinkTest);
      for (const { link, role } of corporate) {
        if (reach.status.get(link.from) !== 'yes') continue;
        result.push({
          uid,
          name: person.props.name,
          role,
          edgeId: link.eid,
          through: toChain(uid, [...chainTo(reach, link.from), link], true),
        });
      }
    }
  }
  const rank = (role: ManagementRole): number => MANAGEMENT_ROLES.indexOf(role);
  return result.sort(
    (a, b) =>
      rank(a.role) - rank(b.role) ||
      Number(a.through !== undefined) - Number(b.through !== undefined) ||
      a.name.localeCompare(b.name) ||
      a.uid.localeCompare(b.uid) ||
      a.edgeId.localeCompare(b.edgeId),
  );
}

/** Entities holding a management role on the target that no person in the data controls. */
export function uncontrolledCorporateOfficials(
  graph: OwnershipGraph,
  officials: readonly SeniorManagingOfficial[],
): string[] {
  const carried = new Set(officials.filter((o) => o.through !== undefined).map((o) => o.edgeId));
  return (graph.linksIn.get(graph.target.uid) ?? [])
    .filter(
      (link) =>
        graph.companies.has(link.from) &&
        MANAGEMENT_ROLES.some((role) => role === link.interestType) &&
        !carried.has(link.eid),
    )
    .map((link) => link.from)
    .sort();
}
