import type { Subgraph } from '@app/graph-store';
import type {
  BeneficialOwner,
  ControlResult,
  EntityShare,
  ManagementRole,
  OwnerResult,
  PersonRef,
  ResolvedUboOptions,
  SeniorManagingOfficial,
  UboAnswer,
  UboBasis,
  UboHints,
  UboWarning,
} from '../ubo.types';
import {
  attributedShare,
  controlOf,
  dominancyLinkTest,
  LinkTest,
  rollingLinkTest,
  seniorManagingOfficials,
} from './control';
import { computeEffectiveOwnership } from './effective-ownership';
import {
  companiesReachingTarget,
  enumerateOwnershipChains,
  toChain,
  toShareRange,
} from './evidence';
import { buildOwnershipGraph, Link, OwnershipGraph } from './ownership-graph';
import { assessPerson, assessStructure, RiskContext } from './risk';
import { fromBp, meetsThreshold, ONE, Qualifies, ShareInterval, strongest } from './share-interval';

/** Work limits of one computation (defaults suit interactive use). */
export interface UboLimits {
  /** Cycles with more companies than this get certified bounds instead of an exact solve. */
  exactCycleLimit?: number;
  /** Most path extensions of the simple-paths convention per cycle. */
  simplePathBudget?: number;
  /** Most chains listed per person (the rest are counted as truncated). */
  maxChainsPerPerson?: number;
  /** Most steps spent listing one person's chains. */
  chainBudget?: number;
  /** Most steps spent listing chains for all persons together. */
  totalChainBudget?: number;
}

export interface ComputeExtras {
  hints?: UboHints;
  limits?: UboLimits;
}

const BASIS_ORDER: readonly UboBasis[] = [
  'ownership',
  'control',
  'fallback-senior-managing-official',
];

function linkTestFor(options: ResolvedUboOptions): LinkTest | null {
  switch (options.method) {
    case 'multiplication':
      return null;
    case 'dominancy':
      return dominancyLinkTest;
    case 'rolling':
      return rollingLinkTest(fromBp(options.thresholdBp), options.comparator);
  }
}

interface Draft extends PersonRef {
  bases: Set<UboBasis>;
  qualifies: Qualifies;
  ownership?: OwnerResult;
  control?: ControlResult;
  managementRole?: ManagementRole;
  controlProng?: boolean;
}

/**
 * The pure core: who owns and controls `targetUid`, computed from the subgraph above it with
 * no I/O. Shared by the graph path (UboService.forCompany) and the BODS path (evaluate).
 *
 * - ownership: multiply along chains and add across chains (exact rationals, ranges kept as
 *   ranges), or dominancy / rolling attribution when the method says so;
 * - cycles: integrated (geometric series) or simple paths, per `options.convention`;
 * - control: majority chains, board appointment, votes, other influence, legal arrangements;
 * - the regime's fallback (senior managing official) and the US control prong;
 * - evidence (chains link by link) and explainable risk scores; data problems as warnings.
 */
export function computeOwnership(
  subgraph: Subgraph,
  targetUid: string,
  options: ResolvedUboOptions,
  extras: ComputeExtras = {},
): UboAnswer {
  const limits = extras.limits ?? {};
  const compareShares = makeShareComparator();
  const hints = extras.hints ?? {};
  const graph = buildOwnershipGraph(subgraph, targetUid, {
    maxDepth: options.maxDepth,
    asOf: options.asOf,
  });
  const effective = computeEffectiveOwnership(graph, {
    convention: options.convention,
    exactCycleLimit: limits.exactCycleLimit,
    simplePathBudget: limits.simplePathBudget,
    maxChainLength: options.maxDepth,
  });
  const threshold = fromBp(options.thresholdBp);
  const { comparator } = options;
  const warnings: UboWarning[] = [...graph.warnings, ...effective.warnings];
  const unspecified = new Set((hints.unspecifiedParties ?? []).map((party) => party.subject));
  const context: RiskContext = {
    highRisk: new Set(options.highRiskJurisdictions),
    secrecy: new Set(options.secrecyJurisdictions),
    cycleMembers: new Set(effective.cycleOf.keys()),
    unidentified: new Set(hints.unidentified ?? []),
    unspecified,
  };
  const linkTest = linkTestFor(options);
  const canReach = companiesReachingTarget(graph);
  const maxChains = limits.maxChainsPerPerson ?? 25;
  const chainBudget = limits.chainBudget ?? 5_000;
  const sharedBudget = { remaining: limits.totalChainBudget ?? 250_000 };

  // --- Ownership -----------------------------------------------------------------------------
  const owners: OwnerResult[] = [];
  const ownerChains = new Map<string, Link[][]>();
  const personShares = new Map<string, ShareInterval>();
  for (const [uid, person] of graph.persons) {
    const share = effective.person.get(uid) ?? ShareInterval.zero;
    const attributed = linkTest === null ? share : attributedShare(graph, uid, linkTest);
    if (share.isZero && attributed.isZero) continue;
    personShares.set(uid, share);
    const exactArithmetic = !effective.inexact.has(uid);
    const listed = enumerateOwnershipChains(
      graph,
      canReach,
      uid,
      maxChains,
      chainBudget,
      sharedBudget,
      options.maxDepth,
    );
    const counts = (links: readonly Link[]): boolean =>
      linkTest === null || links.slice(0, -1).every((link) => linkTest(link) !== 'no');
    owners.push({
      uid,
      name: person.props.name,
      effectiveShare: toShareRange(share, exactArithmetic),
      attributedShare: toShareRange(attributed, linkTest === null ? exactArithmetic : true),
      qualifies: meetsThreshold(attributed, threshold, comparator),
      chains: listed.chains.map((links) => toChain(uid, links, counts(links))),
      chainsTruncated: listed.truncated,
    });
    ownerChains.set(uid, listed.chains);
    if (share.lo.compare(ONE) > 0) {
      warnings.push({
        code: 'effective-exceeds-100',
        message: `${person.props.name} would hold more than 100% of the target; the shares in the data add up to too much`,
        entities: [uid],
      });
    }
  }
  const qualifiesRank: Readonly<Record<Qualifies, number>> = { yes: 0, possibly: 1, no: 2 };
  owners.sort(
    (a, b) =>
      qualifiesRank[a.qualifies] - qualifiesRank[b.qualifies] ||
      compareShares(b.attributedShare.max, a.attributedShare.max) ||
      a.uid.localeCompare(b.uid),
  );

  for (const declared of graph.declaredIndirect) {
    if (declared.used || declared.to !== targetUid || declared.share === null) continue;
    const computed = personShares.get(declared.from);
    if (!graph.persons.has(declared.from) || computed === undefined) continue;
    const stated = ShareInterval.fromBp(declared.share.minBp, declared.share.maxBp);
    if (stated.hi.compare(computed.lo) < 0 || stated.lo.compare(computed.hi) > 0) {
      warnings.push({
        code: 'declared-indirect-differs',
        message: `The declared indirect share of ${declared.from} (${declared.share.minBp}-${declared.share.maxBp} bp) does not match the share computed from the chain (${toShareRange(computed).minPercent}%-${toShareRange(computed).maxPercent}%)`,
        entities: [declared.from],
        edges: [declared.edgeId],
      });
    }
  }

  // --- Control -------------------------------------------------------------------------------
  const controlPersons: ControlResult[] = [];
  for (const uid of graph.persons.keys()) {
    const control = controlOf(graph, uid, {
      threshold,
      comparator,
      includeControlledShareholders: options.method === 'multiplication',
    });
    if (control) controlPersons.push(control);
  }
  controlPersons.sort(
    (a, b) =>
      qualifiesRank[a.qualifies] - qualifiesRank[b.qualifies] ||
      a.name.localeCompare(b.name) ||
      a.uid.localeCompare(b.uid),
  );
  const officials = seniorManagingOfficials(graph);

  // --- Beneficial owners under the regime ---------------------------------------------------
  const drafts = new Map<string, Draft>();
  const draftOf = (ref: PersonRef): Draft => {
    const existing = drafts.get(ref.uid);
    if (existing) return existing;
    const created: Draft = { uid: ref.uid, name: ref.name, bases: new Set(), qualifies: 'no' };
    drafts.set(ref.uid, created);
    return created;
  };
  for (const owner of owners) {
    if (owner.qualifies === 'no') continue;
    const draft = draftOf(owner);
    draft.bases.add('ownership');
    draft.qualifies = strongest(draft.qualifies, owner.qualifies);
    draft.ownership = owner;
  }
  let controlProng: UboAnswer['controlProng'] = null;
  if (options.controlProng) {
    controlProng = chooseControlProng(officials, controlPersons);
    if (controlProng === null) {
      warnings.push({
        code: 'control-prong-missing',
        message:
          'The US rule needs exactly one individual with significant control (control prong), but none is in the data',
      });
    } else {
      const draft = draftOf(controlProng);
      draft.bases.add('control');
      draft.qualifies = 'yes';
      draft.controlProng = true;
      const control = controlPersons.find((c) => c.uid === controlProng?.uid);
      if (control) draft.control = control;
      const official = officials.find((o) => o.uid === controlProng?.uid);
      if (official) draft.managementRole = official.role;
      if (controlProng.alternatives.length > 0) {
        warnings.push({
          code: 'control-prong-chosen',
          message: `The US rule names exactly one control-prong individual: ${controlProng.name} (${controlProng.role}) was chosen by priority; others who could be named: ${controlProng.alternatives.join(', ')}`,
          entities: [controlProng.uid, ...controlProng.alternatives],
        });
      }
    }
  } else {
    for (const control of controlPersons) {
      const draft = draftOf(control);
      draft.bases.add('control');
      draft.qualifies = strongest(draft.qualifies, control.qualifies);
      draft.control = control;
    }
  }
  let fallbackApplied = false;
  const anyCertain = [...drafts.values()].some((draft) => draft.qualifies === 'yes');
  if (options.seniorManagingOfficialFallback && !anyCertain) {
    const role = officials[0]?.role;
    const chosen = officials.filter((official) => official.role === role);
    if (chosen.length > 0) {
      fallbackApplied = true;
      for (const official of chosen) {
        const draft = draftOf(official);
        draft.bases.add('fallback-senior-managing-official');
        draft.qualifies = 'yes';
        draft.managementRole = official.role;
      }
      warnings.push({
        code: 'fallback-applied',
        message: `Nobody qualifies by ownership or control, so the ${role ?? ''} role holder(s) are named as senior managing officials`,
        entities: chosen.map((official) => official.uid),
      });
      const uncertain = [...drafts.values()].filter((draft) => draft.qualifies === 'possibly');
      if (uncertain.length > 0) {
        warnings.push({
          code: 'fallback-while-possibly',
          message:
            'Some persons may qualify once their ranges of shares are known; resolve them before relying on the fallback',
          entities: uncertain.map((draft) => draft.uid),
        });
      }
    } else {
      warnings.push({
        code: 'no-senior-managing-official',
        message:
          'Nobody qualifies and no senior managing official (or board member) of the target is in the data',
      });
    }
  }
  if (owners.length === 0 && controlPersons.length === 0) {
    warnings.push({
      code: 'no-natural-person',
      message:
        'No natural person owns or controls the target in the data; ownership ends at entities (see entities)',
    });
  }
  for (const party of hints.unspecifiedParties ?? []) {
    warnings.push({
      code: 'unspecified-party',
      message: `An interested party in ${party.subject} is not disclosed (reason: ${party.reason})`,
      entities: [party.subject],
    });
  }

  const linkById = new Map<string, Link>();
  for (const links of graph.linksOut.values())
    links.forEach((link) => linkById.set(link.eid, link));
  const beneficialOwners: BeneficialOwner[] = [...drafts.values()]
    .filter((draft) => draft.qualifies !== 'no')
    .map((draft) => {
      const bases = BASIS_ORDER.filter((basis) => draft.bases.has(basis));
      const chains: Link[][] = [...(ownerChains.get(draft.uid) ?? [])];
      for (const reason of draft.control?.reasons ?? []) {
        chains.push(
          reason.chain.links
            .map((link) => linkById.get(link.edgeId))
            .filter((link): link is Link => link !== undefined),
        );
      }
      return {
        uid: draft.uid,
        name: draft.name,
        basis: bases[0],
        bases,
        qualifies: draft.qualifies === 'no' ? 'possibly' : draft.qualifies,
        ...(draft.ownership ? { ownership: draft.ownership } : {}),
        ...(draft.control ? { control: draft.control } : {}),
        ...(draft.managementRole ? { managementRole: draft.managementRole } : {}),
        ...(draft.controlProng ? { controlProng: true } : {}),
        risk: assessPerson(graph, draft.uid, chains, draft.qualifies === 'possibly', context),
      };
    })
    .sort(
      (a, b) =>
        BASIS_ORDER.indexOf(a.basis) - BASIS_ORDER.indexOf(b.basis) ||
        qualifiesRank[a.qualifies] - qualifiesRank[b.qualifies] ||
        compareShares(
          b.ownership?.attributedShare.max ?? '0/1',
          a.ownership?.attributedShare.max ?? '0/1',
        ) ||
        a.name.localeCompare(b.name) ||
        a.uid.localeCompare(b.uid),
    );

  // --- Entities, cycles, structure risk ------------------------------------------------------
  const topEntities = [...graph.companies.keys()]
    .filter((uid) => (graph.linksIn.get(uid) ?? []).length === 0)
    .sort();
  const tops = new Set(topEntities);
  const entities: EntityShare[] = [];
  for (const [uid, company] of graph.companies) {
    if (uid === targetUid) continue;
    const share = effective.company.get(uid) ?? ShareInterval.zero;
    if (share.isZero && !tops.has(uid)) continue;
    entities.push({
      uid,
      name: company.props.name,
      companyType: company.props.companyType,
      effectiveShare: toShareRange(share, !effective.inexact.has(uid)),
      top: tops.has(uid),
    });
  }
  entities.sort(
    (a, b) =>
      compareShares(b.effectiveShare.max, a.effectiveShare.max) || a.uid.localeCompare(b.uid),
  );

  let deepestLayer = 0;
  for (const d of graph.depth.values()) deepestLayer = Math.max(deepestLayer, d);
  const target = graph.target;
  return {
    target: {
      uid: target.uid,
      name: target.props.name,
      jurisdiction: target.props.jurisdiction,
      companyType: target.props.companyType,
    },
    options,
    beneficialOwners,
    owners,
    controlPersons,
    seniorManagingOfficials: officials,
    fallbackApplied,
    controlProng,
    entities,
    cycles: effective.cycles,
    declaredIndirect: graph.declaredIndirect,
    risk: assessStructure(
      graph,
      beneficialOwners.map((owner) => owner.uid),
      topEntities,
      context,
    ),
    warnings,
    stats: {
      vertices: graph.depth.size,
      edges: graph.edgeCount,
      persons: graph.persons.size,
      companies: graph.companies.size,
      deepestLayer,
    },
  };
}

/** Compares "n/d" strings exactly; parses each distinct string once. */
function makeShareComparator(): (a: string, b: string) => number {
  const parsed = new Map<string, [bigint, bigint]>();
  const parse = (text: string): [bigint, bigint] => {
    let value = parsed.get(text);
    if (value === undefined) {
      const [n, d] = text.split('/').map((part) => BigInt(part));
      value = [n, d];
      parsed.set(text, value);
    }
    return value;
  };
  return (a, b) => {
    const [an, ad] = parse(a);
    const [bn, bd] = parse(b);
    const left = an * bd;
    const right = bn * ad;
    return left < right ? -1 : left > right ? 1 : 0;
  };
}

/**
 * US control prong: exactly one individual. Priority: a senior managing official of the
 * target, its board chair, a person who certainly controls it, one who may, a board member.
 */
function chooseControlProng(
  officials: readonly SeniorManagingOfficial[],
  controls: readonly ControlResult[],
): UboAnswer['controlProng'] {
  const candidates: { ref: PersonRef; role: string }[] = [
    ...officials
      .filter((o) => o.role === 'seniorManagingOfficial')
      .map((o) => ({ ref: o, role: o.role })),
    ...officials.filter((o) => o.role === 'boardChair').map((o) => ({ ref: o, role: o.role })),
    ...controls
      .filter((c) => c.qualifies === 'yes')
      .map((c) => ({ ref: c, role: `control (${c.reasons[0].kind})` })),
    ...controls
      .filter((c) => c.qualifies === 'possibly')
      .map((c) => ({ ref: c, role: `possible control (${c.reasons[0].kind})` })),
    ...officials.filter((o) => o.role === 'boardMember').map((o) => ({ ref: o, role: o.role })),
  ];
  if (candidates.length === 0) return null;
  const [first] = candidates;
  const alternatives = [...new Set(candidates.map((c) => c.ref.uid))].filter(
    (uid) => uid !== first.ref.uid,
  );
  return { uid: first.ref.uid, name: first.ref.name, role: first.role, alternatives };
}

export type { OwnershipGraph };
