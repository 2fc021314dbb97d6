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
  UboFallback,
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
  TrustRoles,
  uncontrolledCorporateOfficials,
} from './control';
import { explainBeneficialOwner, interestWords, nameOf, shareText } from './explain';
import { computeEffectiveOwnership, EffectiveOwnership } from './effective-ownership';
import {
  chainProduct,
  companiesReachingTarget,
  enumerateOwnershipChains,
  toChain,
  toShareRange,
} from './evidence';
import { buildOwnershipGraph, Link, OwnershipGraph, raiseDepthAdvice } from './ownership-graph';
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
  /**
   * True when the subgraph holds all the data (BODS statements) rather than maxDepth layers
   * read from a store, so the depth limit is reported only where it cut real holders.
   */
  completeData?: boolean;
}

const BASIS_ORDER: readonly UboBasis[] = [
  'ownership',
  'control',
  'fallback-senior-managing-official',
];

/** How the regime reads the roles of a trust (see `TrustRoles`). */
function trustRolesOf(options: ResolvedUboOptions): TrustRoles {
  if (options.regime === 'uk') return 'trustees';
  if (options.regime === 'us') return 'none';
  return 'every-role';
}

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
  official?: SeniorManagingOfficial;
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
    ...(hints.summaryEdges ? { summaryEdges: new Set(hints.summaryEdges) } : {}),
    threshold: { value: fromBp(options.thresholdBp), comparator: options.comparator },
    ...(extras.completeData === true ? { complete: true } : {}),
    ...(trustRolesOf(options) === 'none' ? { trusteesHoldTrusts: true } : {}),
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
  const personAttributed = new Map<string, ShareInterval>();
  for (const [uid, person] of graph.persons) {
    const share = effective.person.get(uid) ?? ShareInterval.zero;
    const attributed = linkTest === null ? share : attributedShare(graph, uid, linkTest);
    if (share.isZero && attributed.isZero) continue;
    personShares.set(uid, share);
    personAttributed.set(uid, attributed);
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
      linkTest === null || links.slice(0, -1).every((link) => linkTest(link, graph) !== 'no');
    const shareExplanation = explainShare(
      graph,
      effective,
      listed.chains,
      listed.truncated,
      share,
      options.convention,
    );
    owners.push({
      uid,
      name: person.props.name,
      effectiveShare: toShareRange(share, exactArithmetic),
      attributedShare: toShareRange(attributed, linkTest === null ? exactArithmetic : true),
      qualifies: meetsThreshold(attributed, threshold, comparator),
      chains: listed.chains.map((links) => toChain(uid, links, counts(links))),
      chainsTruncated: listed.truncated,
      ...(shareExplanation !== undefined ? { shareExplanation } : {}),
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
    const apart = (value: ShareInterval): boolean =>
      stated.hi.compare(value.lo) < 0 || stated.lo.compare(value.hi) > 0;
    // A declaration may follow the method (dominancy/rolling attribute whole holdings).
    const attributed = personAttributed.get(declared.from);
    if (apart(computed) && (attributed === undefined || apart(attributed))) {
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
      trustRoles: trustRolesOf(options),
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
      if (official) {
        draft.managementRole = official.role;
        draft.official = official;
      }
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
  const depthCut = graph.depthLimited.size > 0;
  const withinLayers = depthCut ? ` within the ${options.maxDepth} layers read` : '';
  let fallback: UboFallback | null = null;
  const anyCertain = [...drafts.values()].some((draft) => draft.qualifies === 'yes');
  if (options.seniorManagingOfficialFallback && !anyCertain) {
    const role = officials[0]?.role;
    const chosen = officials.filter((official) => official.role === role);
    const unnamedCorporate = uncontrolledCorporateOfficials(graph, officials).map((uid) =>
      nameOf(graph, uid),
    );
    const reason =
      `nobody qualifies for certain by ownership or control${withinLayers}` +
      (depthCut ? ' (the depth limit cut the structure; see depth-limit-reached)' : '');
    fallback = { reason, officials: chosen };
    for (const official of chosen) {
      const draft = draftOf(official);
      draft.bases.add('fallback-senior-managing-official');
      draft.qualifies = 'yes';
      draft.managementRole = official.role;
      draft.official ??= official;
    }
    if (chosen.length > 0) {
      warnings.push({
        code: 'fallback-applied',
        message: `The regime's fallback applies because ${reason}, so the holder(s) of the role ${role === undefined ? '' : interestWords(role)} are named as senior managing officials: ${[...new Set(chosen.map((official) => official.name))].join(', ')}`,
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
          `The regime's fallback applies because ${reason}, but no senior managing official (or board member) of the target is in the data, so nobody can be named` +
          (unnamedCorporate.length > 0
            ? `: the role is held by ${unnamedCorporate.join(', ')}, and no natural person who controls ${unnamedCorporate.length === 1 ? 'it' : 'them'} is in the data`
            : ''),
      });
    }
  }
  const fallbackApplied = fallback !== null;
  if (owners.length === 0 && controlPersons.length === 0 && !depthCut) {
    const anyPerson = graph.persons.size > 0;
    warnings.push({
      code: 'no-natural-person',
      message: anyPerson
        ? 'No natural person owns or controls the target: the persons in the data hold interests that do not reach it as ownership or control; ownership ends at entities (see entities)'
        : 'No natural person owns or controls the target in the data; ownership ends at entities (see entities)',
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
      if (draft.official?.through) {
        chains.push(
          draft.official.through.links
            .map((link) => linkById.get(link.edgeId))
            .filter((link): link is Link => link !== undefined),
        );
      }
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
        explanation: explainBeneficialOwner(
          graph,
          {
            uid: draft.uid,
            bases,
            ...(draft.ownership ? { ownership: draft.ownership } : {}),
            ...(draft.control ? { control: draft.control } : {}),
            ...(draft.controlProng ? { controlProng: true } : {}),
            ...(draft.official ? { official: draft.official } : {}),
            ...(fallback ? { fallbackReason: fallback.reason } : {}),
          },
          options,
        ),
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
    .filter((uid) => (graph.linksIn.get(uid) ?? []).length === 0 && !graph.depthLimited.has(uid))
    .sort();
  const tops = new Set(topEntities);
  const entities: EntityShare[] = [];
  const aboveWhole: string[] = [];
  for (const [uid, company] of graph.companies) {
    if (uid === targetUid) continue;
    const share = effective.company.get(uid) ?? ShareInterval.zero;
    const limited = graph.depthLimited.has(uid);
    if (share.isZero && !tops.has(uid) && !limited) continue;
    const cycle = effective.cycleOf.get(uid);
    let explanation: string | undefined;
    if (share.lo.compare(ONE) > 0 && cycle !== undefined) {
      aboveWhole.push(uid);
      const members = effective.cycles[cycle].entities.map((member) => nameOf(graph, member));
      explanation = `${company.props.name} is in the ownership cycle ${members.join(', ')}: under the integrated convention its figure counts the target's shares again on every round of the cycle (a geometric series), so it adds up to more than 100% (${toShareRange(share).minPercent}%). It is an intermediate figure of the arithmetic, not a holding: only natural persons' shares are percentages of the target.`;
    } else if (share.lo.compare(ONE) > 0) {
      explanation = `The shares in the data give ${company.props.name} more than 100% of the target; the holdings add up to too much (see shares-exceed-100).`;
    }
    if (limited) {
      const cut = `${company.props.name} is on layer ${options.maxDepth}, the last one read: its holders were not read, so this is not where ownership ends; ${raiseDepthAdvice(options.maxDepth)}.`;
      explanation = explanation === undefined ? cut : `${explanation} ${cut}`;
    }
    entities.push({
      uid,
      name: company.props.name,
      companyType: company.props.companyType,
      effectiveShare: toShareRange(share, !effective.inexact.has(uid)),
      top: tops.has(uid),
      depthLimited: limited,
      ...(explanation !== undefined ? { explanation } : {}),
    });
  }
  if (aboveWhole.length > 0) {
    warnings.push({
      code: 'cycle-entity-above-100',
      message: `Under the integrated convention, entities inside an ownership cycle count the target's shares again on every round, so ${aboveWhole.map((uid) => nameOf(graph, uid)).join(', ')} show more than 100%; these are intermediate figures, not holdings (see entities[].explanation), and the natural persons' shares are unaffected`,
      entities: [...aboveWhole].sort(),
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
    fallback,
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

/**
 * How a person's listed chains relate to their share, when the products of the chains do not
 * simply add up to it: only the largest chains are listed, or (integrated convention) the
 * share also counts the chains that go round an ownership cycle any number of times. For a
 * single ring of companies the series is written out: each round multiplies a chain by r, the
 * product of the shares around the ring, so the chains add up to S / (1 - r).
 */
function explainShare(
  graph: OwnershipGraph,
  effective: EffectiveOwnership,
  chains: readonly (readonly Link[])[],
  truncated: boolean,
  share: ShareInterval,
  convention: ResolvedUboOptions['convention'],
): string | undefined {
  let listedSum = ShareInterval.zero;
  for (const links of chains) {
    const product = chainProduct(links);
    if (product !== null) listedSum = listedSum.add(product);
  }
  const listedText = `The ${chains.length} chain${chains.length === 1 ? '' : 's'} listed add${chains.length === 1 ? 's' : ''} up to ${shareText(toShareRange(listedSum))}`;
  const touched = new Set<number>();
  for (const links of chains) {
    for (const link of links) {
      const cycle = effective.cycleOf.get(link.to);
      if (cycle !== undefined) touched.add(cycle);
    }
  }
  if (convention === 'integrated' && touched.size > 0 && !listedSum.equals(share)) {
    const cycleNames = [...touched]
      .map((index) => effective.cycles[index].entities.map((uid) => nameOf(graph, uid)).join(', '))
      .join('; ');
    const ratio =
      touched.size === 1 && !truncated
        ? ringRatio(graph, effective.cycles[[...touched][0]].entities)
        : null;
    if (ratio !== null && ratio.isExact && listedSum.isExact && share.isExact) {
      const r = ratio.lo;
      const series = listedSum.lo.div(ONE.sub(r));
      if (series.equals(share.lo)) {
        return `${listedText} (simple chains, no entity twice). Under the integrated convention the share also counts every chain that goes round the ownership cycle ${cycleNames} again: each round multiplies a chain by ${shareText(toShareRange(ratio))} (the product of the shares around the cycle), so the chains form the geometric series S x (1 + r + r^2 + ...) = S / (1 - r) = ${shareText(toShareRange(listedSum))} / (1 - ${shareText(toShareRange(ratio))}) = ${shareText(toShareRange(share))}.`;
      }
    }
    return `${listedText} (simple chains, no entity twice${truncated ? ', and not all of them are listed' : ''}). Under the integrated convention the share also counts the chains that go round the ownership cycle${touched.size === 1 ? '' : 's'} ${cycleNames} any number of times, a geometric series computed as (I - W)^-1 over the shares between the companies (exactly, or as certified bounds for a large cycle: see cycles[].resolution), which brings it to ${shareText(toShareRange(share))}.`;
  }
  if (truncated) {
    return `${listedText}; only the largest chains are listed, and the share adds up all of them: ${shareText(toShareRange(share))}.`;
  }
  return undefined;
}

/** The product of the shares around a cycle that is a single ring (one share link out of each member into the ring), else null. */
function ringRatio(graph: OwnershipGraph, members: readonly string[]): ShareInterval | null {
  const inRing = new Set(members);
  let product = ShareInterval.one;
  for (const uid of members) {
    const out = (graph.ownsOut.get(uid) ?? []).filter((link) => inRing.has(link.to));
    if (out.length !== 1 || out[0].share === null) return null;
    product = product.mul(out[0].share);
  }
  return product;
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
