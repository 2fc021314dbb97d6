import type { Subgraph } from '@app/graph-store';
import {
  CompanyVertex,
  EntityNotFoundError,
  GraphEdge,
  GraphVertex,
  InterestType,
  InvalidInputError,
  PersonVertex,
} from '@app/vocabulary';
import type { BpRange, DeclaredIndirect, UboWarning } from '../ubo.types';
import { controlLinkTest } from './control';
import type Fraction from 'fraction.js';
import {
  meetsThreshold,
  ONE,
  Qualifies,
  ShareInterval,
  ThresholdComparator,
  formatRational,
  percentText,
} from './share-interval';

/** One active OWNS or CONTROLS edge inside the structure, ready for arithmetic. */
export interface Link {
  eid: string;
  label: 'OWNS' | 'CONTROLS';
  from: string;
  to: string;
  interestType: InterestType;
  directOrIndirect: 'direct' | 'indirect' | 'unknown';
  /** Null when the interest carries no share. */
  share: ShareInterval | null;
  bp: BpRange | null;
}

/** The structure above one target company, cleaned: what the arithmetic works on. */
export interface OwnershipGraph {
  target: CompanyVertex;
  persons: ReadonlyMap<string, PersonVertex>;
  companies: ReadonlyMap<string, CompanyVertex>;
  /** Shareholdings used for ownership arithmetic, by holder and by company held. */
  ownsOut: ReadonlyMap<string, readonly Link[]>;
  ownsIn: ReadonlyMap<string, readonly Link[]>;
  /** Every usable link (shareholdings and other interests), by holder. */
  linksOut: ReadonlyMap<string, readonly Link[]>;
  /** Every usable link, by the company the interest is in. */
  linksIn: ReadonlyMap<string, readonly Link[]>;
  /** Hops from each vertex down to the target. */
  depth: ReadonlyMap<string, number>;
  /** Companies on the last layer read (maxDepth) whose owners were, or may have been, cut off. */
  depthLimited: ReadonlySet<string>;
  /** Active links from holders beyond the depth limit into `depthLimited` companies (when read). */
  beyondLimit: readonly Link[];
  warnings: UboWarning[];
  declaredIndirect: DeclaredIndirect[];
  edgeCount: number;
}

export interface BuildGraphOptions {
  maxDepth: number;
  asOf?: string;
  /**
   * Declared indirect control edges that summarise links given one by one (BODS component
   * records); left out when those links establish the same interest (see buildOwnershipGraph).
   */
  summaryEdges?: ReadonlySet<string>;
  /**
   * The regime's ownership threshold: control of an entity holding a share that meets it counts
   * as control when deciding whether component records establish a declared control interest.
   */
  threshold?: { value: Fraction; comparator: ThresholdComparator };
  /**
   * True when the subgraph holds all the data (BODS statements) rather than maxDepth layers
   * read from a store: a company on the last layer with no holders in it is then a true top.
   */
  complete?: boolean;
  /**
   * US CDD (31 CFR 1010.230(d)(3)): when a trust owns shares, the beneficial owner for the
   * ownership prong is the trustee. Each trustee of a trust then holds it whole (a link of
   * 100% from the trustee to the trust, on the trustee's edge), so what the trust holds is
   * counted as the trustee's; warning `trustee-holds-trust`.
   */
  trusteesHoldTrusts?: boolean;
}

/** How to read further when the depth limit cut the structure. */
export function raiseDepthAdvice(maxDepth: number): string {
  return maxDepth >= 100
    ? 'maxDepth is already at its largest value (100)'
    : `raise maxDepth (the request option maxDepth, at most 100, or the UBO_MAX_DEPTH setting; now ${maxDepth}) to read further`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function shareOf(edge: GraphEdge): {
  share: ShareInterval | null;
  bp: BpRange | null;
  problem?: string;
} {
  if (edge.label !== 'OWNS' && edge.label !== 'CONTROLS') return { share: null, bp: null };
  const props = edge.props;
  const min = props.shareMinBp;
  const max = props.shareMaxBp;
  if (min === undefined && max === undefined) {
    return edge.label === 'OWNS'
      ? {
          share: ShareInterval.unknown,
          bp: { minBp: 0, maxBp: 10000, minExclusive: false, maxExclusive: false },
          problem: 'has no share',
        }
      : { share: null, bp: null };
  }
  const minBp = min ?? 0;
  const maxBp = max ?? 10000;
  // A stated range of 0-100% (an importer's stand-in for "not given") says nothing either.
  const statesNothing =
    edge.label === 'OWNS' &&
    minBp === 0 &&
    maxBp === 10000 &&
    edge.props.shareMinExclusive !== true &&
    edge.props.shareMaxExclusive !== true;
  // Exclusive bounds (BODS exclusiveMinimum / exclusiveMaximum) on every interest with a
  // share; a bound that is not given is inclusive, as is the default bound of a missing side.
  const minExclusive = min !== undefined && edge.props.shareMinExclusive === true;
  const maxExclusive = max !== undefined && edge.props.shareMaxExclusive === true;
  const broken = (name: string, bp: number): string | undefined => {
    if (typeof bp !== 'number' || Number.isNaN(bp)) return `${name} is not a number`;
    if (!Number.isInteger(bp)) return `${name} ${bp} is not a whole number of basis points`;
    if (bp < 0) return `${name} ${bp} is negative`;
    if (bp > 10000) return `${name} ${bp} is above 10000 basis points (100%)`;
    return undefined;
  };
  const rule =
    broken('shareMinBp', minBp) ??
    broken('shareMaxBp', maxBp) ??
    (minBp > maxBp ? `shareMinBp ${minBp} is above shareMaxBp ${maxBp}` : undefined);
  if (rule !== undefined) {
    return {
      share: ShareInterval.unknown,
      bp: { minBp: 0, maxBp: 10000, minExclusive: false, maxExclusive: false },
      problem: `has an impossible share (${rule}; read as unknown, 0-100%)`,
    };
  }
  return {
    share: ShareInterval.fromBp(minBp, maxBp, minExclusive, maxExclusive),
    bp: { minBp, maxBp, minExclusive, maxExclusive },
    ...(statesNothing ? { problem: 'states no share (0-100%)' } : {}),
  };
}

/** True when the interest ended on or before `asOf` (or has an end date and no asOf is given). */
function inactive(edge: GraphEdge, asOf: string | undefined): boolean {
  if (edge.label !== 'OWNS' && edge.label !== 'CONTROLS') return true;
  const { startDate, endDate } = edge.props;
  if (endDate !== undefined && (asOf === undefined || endDate <= asOf)) return true;
  if (startDate !== undefined && asOf !== undefined && startDate > asOf) return true;
  return false;
}

/**
 * Cleans a subgraph for the arithmetic: keeps the active OWNS/CONTROLS edges within `maxDepth`
 * hops above the target, turns data problems into warnings (self-interests, dangling edges,
 * impossible shares, totals above 100%), and decides which declared indirect interests to use.
 */
export function buildOwnershipGraph(
  subgraph: Subgraph,
  targetUid: string,
  options: BuildGraphOptions,
): OwnershipGraph {
  const vertexByUid = new Map(subgraph.vertices.map((v) => [v.uid, v]));
  const target = vertexByUid.get(targetUid);
  if (!target) throw new EntityNotFoundError('Company', targetUid);
  if (target.label !== 'Company') {
    throw new InvalidInputError(`"${targetUid}" is a ${target.label}, not a company`, [
      { field: 'companyId', rule: `must name a Company (it names a ${target.label})` },
    ]);
  }
  const warnings: UboWarning[] = [];
  const dangling: string[] = [];
  const badEndpoint: string[] = [];
  const ended: string[] = [];
  const missingShare: string[] = [];
  const all: Link[] = [];

  for (const edge of subgraph.edges) {
    if (edge.label !== 'OWNS' && edge.label !== 'CONTROLS') continue;
    const from = vertexByUid.get(edge.from);
    const to = vertexByUid.get(edge.to);
    if (!from || !to) {
      dangling.push(edge.eid);
      continue;
    }
    if ((from.label !== 'Person' && from.label !== 'Company') || to.label !== 'Company') {
      badEndpoint.push(edge.eid);
      continue;
    }
    if (inactive(edge, options.asOf)) {
      ended.push(edge.eid);
      continue;
    }
    if (edge.from === edge.to) {
      // A company holding its own shares (treasury shares) is an ownership cycle of one
      // company, solved like the same holding through a wholly-owned subsidiary; any other
      // interest of a company in itself says nothing about who owns or controls it.
      const shareholding = edge.label === 'OWNS';
      warnings.push({
        code: 'self-ownership',
        message: shareholding
          ? `${edge.from} holds shares in itself (edge ${edge.eid}, treasury shares); they are counted as an ownership cycle of one company (see cycles), as if held through a wholly-owned subsidiary`
          : `${edge.from} holds an interest in itself (edge ${edge.eid}) other than shares; this is a data problem and the edge is left out`,
        entities: [edge.from],
        edges: [edge.eid],
      });
      if (!shareholding) continue;
    }
    const { share, bp, problem } = shareOf(edge);
    if (problem !== undefined) missingShare.push(`${edge.eid} ${problem}`);
    all.push({
      eid: edge.eid,
      label: edge.label,
      from: edge.from,
      to: edge.to,
      interestType: edge.props.interestType,
      directOrIndirect: edge.props.directOrIndirect,
      share,
      bp,
    });
  }
  if (dangling.length > 0) {
    warnings.push({
      code: 'dangling-edge',
      message: `${dangling.length} edge(s) point to vertices that are not in the data and were left out`,
      edges: dangling,
    });
  }
  if (badEndpoint.length > 0) {
    warnings.push({
      code: 'bad-endpoint',
      message: `${badEndpoint.length} edge(s) do not go from a person or company to a company and were left out`,
      edges: badEndpoint,
    });
  }
  if (ended.length > 0) {
    warnings.push({
      code: 'ended-interests-ignored',
      message: `${ended.length} interest(s) ended${options.asOf ? ` on or before ${options.asOf}` : ''} (or had not started) and were left out`,
      edges: ended,
    });
  }
  if (missingShare.length > 0) {
    warnings.push({
      code: 'share-missing',
      message: `Shareholdings without a usable share are read as 0-100%: ${missingShare.join('; ')}`,
      edges: missingShare.map((text) => text.split(' ')[0]),
    });
  }

  // Breadth-first upstream from the target: which vertices are within maxDepth hops. Layers
  // are counted along stated links; a declared indirect link (a shortcut over a chain) only
  // places what no stated link reaches.
  const layers = (links: readonly Link[]): Map<string, number> => {
    const inByTarget = new Map<string, Link[]>();
    for (const link of links) push(inByTarget, link.to, link);
    const found = new Map<string, number>([[targetUid, 0]]);
    let frontier = [targetUid];
    for (let hop = 1; hop <= options.maxDepth && frontier.length > 0; hop += 1) {
      const next: string[] = [];
      for (const uid of frontier) {
        for (const link of inByTarget.get(uid) ?? []) {
          if (!found.has(link.from)) {
            found.set(link.from, hop);
            next.push(link.from);
          }
        }
      }
      frontier = next;
    }
    return found;
  };
  const depth = layers(all.filter((link) => link.directOrIndirect !== 'indirect'));
  for (const [uid, hop] of layers(all)) if (!depth.has(uid)) depth.set(uid, hop);
  // The store reads exactly maxDepth layers, so companies on the last layer may have more
  // owners; with complete data, only those that do have holders beyond the limit were cut.
  const fromBeyond = all.filter((link) => !depth.has(link.from) && depth.has(link.to));
  const heldFromBeyond = new Set(fromBeyond.map((link) => link.to));
  const atLimit = [...depth]
    .filter(
      ([uid, d]) =>
        d === options.maxDepth &&
        vertexByUid.get(uid)?.label === 'Company' &&
        (options.complete !== true || heldFromBeyond.has(uid)),
    )
    .map(([uid]) => uid)
    .sort();
  if (atLimit.length > 0) {
    const names = atLimit.map((uid) => {
      const vertex = vertexByUid.get(uid);
      return vertex?.label === 'Company' ? vertex.props.name : uid;
    });
    const shown =
      names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    warnings.push({
      code: 'depth-limit-reached',
      message: `The depth limit cut the structure: ${shown} ${atLimit.length === 1 ? 'is' : 'are'} on layer ${options.maxDepth}, the last one read (maxDepth ${options.maxDepth}), and ${options.complete === true ? 'their holders above were not read' : 'may have holders above that were not read'}, so owners and controllers may be missing from this answer; ${raiseDepthAdvice(options.maxDepth)}`,
      entities: atLimit,
    });
  }

  const inScope = all.filter((link) => depth.has(link.from) && depth.has(link.to));
  const persons = new Map<string, PersonVertex>();
  const companies = new Map<string, CompanyVertex>();
  for (const uid of depth.keys()) {
    const vertex = vertexByUid.get(uid);
    if (vertex?.label === 'Person') persons.set(uid, vertex);
    if (vertex?.label === 'Company') companies.set(uid, vertex);
  }

  // Declared indirect interests: used only when no chain of known shareholdings through an
  // intermediate entity links the two. The holder's own direct shareholding is no such chain:
  // it is a separate interest (BODS lists direct and indirect interests side by side).
  const knownOwnsOut = new Map<string, Link[]>();
  for (const link of inScope) {
    if (link.label === 'OWNS' && link.directOrIndirect !== 'indirect')
      push(knownOwnsOut, link.from, link);
  }
  const reachesThroughIntermediate = (from: string, to: string): boolean => {
    const seen = new Set([from, to]);
    const stack = (knownOwnsOut.get(from) ?? [])
      .map((link) => link.to)
      .filter((uid) => !seen.has(uid));
    stack.forEach((uid) => seen.add(uid));
    while (stack.length > 0) {
      const uid = stack.pop() as string;
      for (const link of knownOwnsOut.get(uid) ?? []) {
        if (link.to === to) return true;
        if (!seen.has(link.to)) {
          seen.add(link.to);
          stack.push(link.to);
        }
      }
    }
    return false;
  };
  // A declared indirect control interest that summarises component records stands for them
  // only when the stated links establish what it declares, through at least one entity:
  // - an interest that is control ('yes' or, for an unknown interest, 'possibly'): a chain of
  //   links that give control at least as surely, to an entity whose own link into the company
  //   has the same type, gives control as surely, or is a share that meets the threshold as
  //   surely (control of a qualifying shareholder);
  // - any other interest (a board seat, a management role, a share of the votes below a
  //   majority): a chain of links that certainly give control, to an entity that holds the
  //   same interest in the company.
  // Otherwise (say the components show a board seat and the declaration claims control) the
  // declaration says more than its components, and it is used.
  const statedOut = new Map<string, Link[]>();
  for (const link of inScope) {
    if (link.directOrIndirect !== 'indirect') push(statedOut, link.from, link);
  }
  const atLeast = (got: Qualifies, needed: Qualifies): boolean =>
    got === 'yes' || (got === 'possibly' && needed === 'possibly');
  const establishedByChain = (declared: Link): boolean => {
    const declaredControl = controlLinkTest(declared);
    const needed: Qualifies = declaredControl === 'no' ? 'yes' : declaredControl;
    const lastLinkEstablishes = (link: Link): boolean => {
      if (link.interestType === declared.interestType) return true;
      if (declaredControl === 'no') return false;
      if (atLeast(controlLinkTest(link), needed)) return true;
      return (
        link.share !== null &&
        options.threshold !== undefined &&
        atLeast(
          meetsThreshold(link.share, options.threshold.value, options.threshold.comparator),
          needed,
        )
      );
    };
    const seen = new Set([declared.from, declared.to]);
    const stack = [declared.from];
    while (stack.length > 0) {
      const uid = stack.pop() as string;
      for (const link of statedOut.get(uid) ?? []) {
        if (link.to === declared.to) {
          if (uid !== declared.from && lastLinkEstablishes(link)) return true;
          continue;
        }
        if (seen.has(link.to) || !atLeast(controlLinkTest(link), needed)) continue;
        seen.add(link.to);
        stack.push(link.to);
      }
    }
    return false;
  };
  const declaredIndirect: DeclaredIndirect[] = [];
  const usable: Link[] = [];
  for (const link of inScope) {
    if (link.directOrIndirect !== 'indirect') {
      usable.push(link);
      continue;
    }
    if (
      link.label === 'CONTROLS' &&
      options.summaryEdges?.has(link.eid) === true &&
      establishedByChain(link)
    ) {
      declaredIndirect.push({
        edgeId: link.eid,
        from: link.from,
        to: link.to,
        share: link.bp,
        used: false,
        reason:
          'it summarises the component records of its statement, which give the control link by link',
      });
      continue;
    }
    if (link.label === 'CONTROLS') {
      usable.push(link);
      declaredIndirect.push({
        edgeId: link.eid,
        from: link.from,
        to: link.to,
        share: link.bp,
        used: true,
        reason:
          options.summaryEdges?.has(link.eid) === true
            ? 'declared indirect control counts as control: the links of its component records do not establish it by themselves'
            : 'declared indirect control counts as control',
      });
      continue;
    }
    if (reachesThroughIntermediate(link.from, link.to)) {
      declaredIndirect.push({
        edgeId: link.eid,
        from: link.from,
        to: link.to,
        share: link.bp,
        used: false,
        reason: 'the chain of shareholdings is in the data, so it is computed link by link instead',
      });
    } else {
      usable.push(link);
      declaredIndirect.push({
        edgeId: link.eid,
        from: link.from,
        to: link.to,
        share: link.bp,
        used: true,
        reason:
          'no chain of known shareholdings through an intermediate entity links them, so the declared share stands for it',
      });
    }
  }

  const ownsOut = new Map<string, Link[]>();
  const ownsIn = new Map<string, Link[]>();
  const linksOut = new Map<string, Link[]>();
  const linksIn = new Map<string, Link[]>();
  for (const link of attributeNomineeHoldings(usable, vertexByUid, warnings)) {
    push(linksOut, link.from, link);
    push(linksIn, link.to, link);
    if (link.label === 'OWNS') {
      push(ownsOut, link.from, link);
      push(ownsIn, link.to, link);
    }
  }

  // A company cannot be more than 100% held: flag it (its own direct holders only).
  for (const [uid, links] of ownsIn) {
    const direct = links.filter(
      (link) => link.directOrIndirect !== 'indirect' && link.share !== null,
    );
    const total = direct.reduce(
      (sum, link) => sum.add((link.share as ShareInterval).lo),
      ShareInterval.zero.lo,
    );
    if (total.compare(ONE) > 0) {
      warnings.push({
        code: 'shares-exceed-100',
        message: `The holders of ${uid} hold at least ${percentText(total, 'floor', 2)}% together (${formatRational(total)}), more than 100%; this is a data problem`,
        entities: [uid],
        edges: direct.map((link) => link.eid),
      });
    }
  }

  // After the check above: co-trustees each holding the whole trust is no data problem.
  if (options.trusteesHoldTrusts === true) {
    const held: Link[] = [];
    for (const link of linksOutOf(linksOut)) {
      if (link.interestType !== 'trustee') continue;
      if (companies.get(link.to)?.props.companyType !== 'trust') continue;
      // A trustee company that the trust itself owns (a private trust company) would hold
      // itself through the trust, a loop of 100%: its holders are reached through the trust.
      if (ownsThrough(ownsOut, link.to, link.from)) continue;
      const whole: Link = {
        ...link,
        label: 'OWNS',
        share: ShareInterval.one,
        bp: { minBp: 10000, maxBp: 10000, minExclusive: false, maxExclusive: false },
      };
      push(ownsOut, whole.from, whole);
      push(ownsIn, whole.to, whole);
      held.push(link);
    }
    if (held.length > 0) {
      warnings.push({
        code: 'trustee-holds-trust',
        message: `Under this regime the trustee is the owner of what a trust holds (31 CFR 1010.230(d)(3)), so each trustee counts as holding the whole trust: ${held.map((link) => `${link.from} of ${link.to}`).join(', ')}`,
        entities: [...new Set(held.flatMap((link) => [link.from, link.to]))],
        edges: held.map((link) => link.eid),
      });
    }
  }

  return {
    target,
    persons,
    companies,
    ownsOut,
    ownsIn,
    linksOut,
    linksIn,
    depth,
    depthLimited: new Set(atLimit),
    beyondLimit: fromBeyond,
    warnings,
    declaredIndirect,
    edgeCount: usable.length,
  };
}

/** Whether `from` holds shares in `to`, directly or through other holdings. */
function ownsThrough(
  ownsOut: ReadonlyMap<string, readonly Link[]>,
  from: string,
  to: string,
): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const uid = stack.pop() as string;
    for (const link of ownsOut.get(uid) ?? []) {
      if (link.to === to) return true;
      if (!seen.has(link.to)) {
        seen.add(link.to);
        stack.push(link.to);
      }
    }
  }
  return false;
}

/** Every link of a by-holder map, once. */
function linksOutOf(byHolder: ReadonlyMap<string, readonly Link[]>): Link[] {
  return [...byHolder.values()].flat();
}

/** The interests a nominee holds for its nominator: shares and votes. */
const HELD_FOR_NOMINATOR: ReadonlySet<InterestType> = new Set(['shareholding', 'votingRights']);

/**
 * Shares and votes held by a nominee count as held by the nominator, not the nominee: UK
 * Companies Act 2006 Sch. 1A para 19, the EU directives' "natural person on whose behalf", and
 * FinCEN's ownership "through any contract, arrangement, understanding, relationship or
 * otherwise". BODS states it on the company: the nominee's relationship carries a `nominee`
 * interest next to its shareholding, and the person behind it has a `nominator` interest in the
 * same company. When a company names exactly one nominator, the shareholdings and voting
 * rights of each of its nominees are counted as the nominator's (warning
 * `nominee-shares-attributed`); with none or several, which nominee holds for whom is not in
 * the data, so they stay with the nominee (warning `nominee-without-nominator`). A nominator
 * reached through a nominee entity (nominator -> nominee -> company) needs none of this: the
 * control tests look through the `nominator` link (see dominancyLinkTest).
 */
function attributeNomineeHoldings(
  links: readonly Link[],
  vertexByUid: ReadonlyMap<string, GraphVertex>,
  warnings: UboWarning[],
): Link[] {
  const nominees = new Map<string, Set<string>>();
  const nominators = new Map<string, Set<string>>();
  for (const link of links) {
    const into =
      link.interestType === 'nominee'
        ? nominees
        : link.interestType === 'nominator'
          ? nominators
          : undefined;
    if (into === undefined) continue;
    const set = into.get(link.to) ?? new Set<string>();
    set.add(link.from);
    into.set(link.to, set);
  }
  if (nominees.size === 0) return [...links];
  const name = (uid: string): string => {
    const vertex = vertexByUid.get(uid);
    return vertex?.label === 'Person' || vertex?.label === 'Company' ? vertex.props.name : uid;
  };
  // Which of a nominee's holdings it holds as nominee: those of the relationship that states
  // the nominee interest (BODS gives each interest of one relationship an edge id
  // `<relationship>#<interest>`); a holding of its own in another relationship stays its own.
  // When none of its holdings shares a relationship with the nominee interest (the interests
  // were given apart), all its holdings in that company are taken as held as nominee.
  const relationOf = (eid: string): string => eid.split('#')[0];
  const nomineeRelations = new Set(
    links.filter((link) => link.interestType === 'nominee').map((link) => relationOf(link.eid)),
  );
  const pairsWithStatedRelation = new Set(
    links
      .filter(
        (link) =>
          HELD_FOR_NOMINATOR.has(link.interestType) && nomineeRelations.has(relationOf(link.eid)),
      )
      .map((link) => `${link.from}>${link.to}`),
  );
  const heldAsNominee = (link: Link): boolean =>
    nominees.get(link.to)?.has(link.from) === true &&
    HELD_FOR_NOMINATOR.has(link.interestType) &&
    (!pairsWithStatedRelation.has(`${link.from}>${link.to}`) ||
      nomineeRelations.has(relationOf(link.eid)));
  const result: Link[] = [];
  const moved = new Map<string, Link[]>();
  for (const link of links) {
    const behind = nominators.get(link.to);
    if (!heldAsNominee(link) || behind?.size !== 1) {
      result.push(link);
      continue;
    }
    const [nominator] = [...behind];
    if (nominator === link.from) {
      result.push(link);
      continue;
    }
    result.push({ ...link, from: nominator });
    const list = moved.get(link.to) ?? [];
    list.push(link);
    moved.set(link.to, list);
  }
  for (const [company, held] of moved) {
    const nominator = [...(nominators.get(company) ?? [])][0];
    warnings.push({
      code: 'nominee-shares-attributed',
      message: `${[...new Set(held.map((link) => `${name(link.from)} holds ${link.interestType === 'votingRights' ? 'votes' : 'shares'} in ${name(company)} as nominee`))].join('; ')}: counted as held by the nominator ${name(nominator)}, the only one ${name(company)} names`,
      entities: [...new Set([...held.map((link) => link.from), nominator, company])],
      edges: held.map((link) => link.eid),
    });
  }
  for (const [company, parties] of nominees) {
    const count = nominators.get(company)?.size ?? 0;
    if (count === 1) continue;
    warnings.push({
      code: 'nominee-without-nominator',
      message: `${[...parties].map(name).join(', ')} ${parties.size === 1 ? 'acts' : 'act'} as nominee in ${name(company)}, but the data names ${count === 0 ? 'no nominator' : `${count} nominators and not which nominee holds for whom`}: the nominee's shares are counted as its own; add the nominator (a nominator interest in ${name(company)}) to count them as the nominator's`,
      entities: [...parties, company],
    });
  }
  return result;
}
