import { createHash } from 'node:crypto';
import type { Subgraph } from '@app/graph-store';
import type { CompanyVertex, PersonVertex } from '@app/vocabulary';
import { toChainLink } from '../core/evidence';
import { buildOwnershipGraph, Link, OwnershipGraph } from '../core/ownership-graph';
import { parseRational, percentText } from '../core/share-interval';
import type {
  BeneficialOwner,
  BpRange,
  Chain,
  ChainLink,
  SeniorManagingOfficial,
  ShareRange,
  UboAnswer,
} from '../ubo.types';
import {
  BODS_VERSION,
  BodsEntityDetails,
  BodsInterest,
  BodsPersonDetails,
  BodsShare,
  BodsStatement,
} from './bods.types';

export interface BodsExportOptions {
  /** Publisher named in every statement. */
  publisherName?: string;
  /** Publication date, YYYY-MM-DD (from the caller's clock). */
  publicationDate: string;
  /** Date the statements declare; defaults to the publication date. */
  statementDate?: string;
}

/** Statement ids are 32-64 characters: a hash of the record and what it says. */
function statementIdOf(recordId: string, statementDate: string, details: unknown): string {
  return createHash('sha256')
    .update(`${recordId}|${statementDate}|${JSON.stringify(details)}`)
    .digest('hex');
}

function bpShare(bp: BpRange): BodsShare {
  if (bp.minBp === bp.maxBp && !bp.minExclusive && !bp.maxExclusive)
    return { exact: bp.minBp / 100 };
  return {
    ...(bp.minExclusive ? { exclusiveMinimum: bp.minBp / 100 } : { minimum: bp.minBp / 100 }),
    ...(bp.maxExclusive ? { exclusiveMaximum: bp.maxBp / 100 } : { maximum: bp.maxBp / 100 }),
  };
}

/** An exact share as a BODS share: `exact` when it is a short decimal, else a rounded-outward range. */
function rangeShare(share: ShareRange): BodsShare {
  const lo = parseRational(share.min);
  const hi = parseRational(share.max);
  const decimal = (text: string): number => Number(text);
  if (share.exact) {
    const floor = percentText(lo, 'floor', 6);
    if (floor === percentText(lo, 'ceil', 6)) return { exact: decimal(floor) };
  }
  return {
    ...(share.minExclusive
      ? { exclusiveMinimum: decimal(percentText(lo, 'floor')) }
      : { minimum: decimal(percentText(lo, 'floor')) }),
    ...(share.maxExclusive
      ? { exclusiveMaximum: decimal(percentText(hi, 'ceil')) }
      : { maximum: decimal(percentText(hi, 'ceil')) }),
  };
}

function entityDetails(vertex: CompanyVertex, isComponent: boolean): BodsEntityDetails {
  const { props } = vertex;
  const entityType: BodsEntityDetails['entityType'] =
    props.companyType === 'state-body'
      ? { type: 'stateBody' }
      : props.companyType === 'trust'
        ? { type: 'arrangement', subtype: 'trust' }
        : props.isNominee
          ? { type: 'arrangement', subtype: 'nomination' }
          : { type: 'registeredEntity' };
  return {
    isComponent,
    entityType,
    name: props.name,
    ...(props.jurisdiction !== 'XX'
      ? { jurisdiction: { name: props.jurisdiction, code: props.jurisdiction } }
      : {}),
    ...(props.registrationNumber !== undefined
      ? { identifiers: [{ id: props.registrationNumber, schemeName: 'registration number' }] }
      : {}),
    ...(props.companyType === 'listed-company'
      ? { publicListing: { hasPublicListing: true } }
      : {}),
  };
}

function personDetails(vertex: PersonVertex): BodsPersonDetails {
  const { props } = vertex;
  return {
    isComponent: false,
    personType: 'knownPerson',
    names: [{ type: 'legal', fullName: props.name }],
    ...(props.nationality !== undefined
      ? { nationalities: [{ name: props.nationality, code: props.nationality }] }
      : {}),
    ...(props.birthDate !== undefined ? { birthDate: props.birthDate } : {}),
    ...(props.isPep ? { politicalExposure: { status: 'isPep' as const } } : {}),
  };
}

function linkInterest(link: ChainLink): BodsInterest {
  return {
    type: link.interestType,
    directOrIndirect: link.directOrIndirect,
    beneficialOwnershipOrControl: false,
    ...(link.share !== null ? { share: bpShare(link.share) } : {}),
  };
}

/** The official record behind a fallback or control-prong owner whose role an entity holds. */
function corporateRole(
  owner: BeneficialOwner,
  answer: UboAnswer,
): SeniorManagingOfficial | undefined {
  if (!owner.bases.includes('fallback-senior-managing-official') && owner.controlProng !== true)
    return undefined;
  return answer.seniorManagingOfficials.find(
    (official) =>
      official.uid === owner.uid &&
      official.role === owner.managementRole &&
      official.through !== undefined,
  );
}

function chainsOf(owner: BeneficialOwner, answer: UboAnswer): Chain[] {
  const through = corporateRole(owner, answer)?.through;
  return [
    ...(owner.ownership?.chains ?? []),
    ...(owner.control?.reasons.map((reason) => reason.chain) ?? []),
    ...(through !== undefined ? [through] : []),
  ];
}

/**
 * Whether `from` reaches `to` through stated (not declared-indirect) shareholdings with a share
 * and at least one entity in between: the import reads a declared indirect interest as a
 * summary only then (a direct holding is no chain).
 */
function reachesByKnownShares(graph: OwnershipGraph, from: string, to: string): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const uid = stack.pop() as string;
    for (const link of graph.ownsOut.get(uid) ?? []) {
      if (link.directOrIndirect === 'indirect' || link.share === null) continue;
      if (link.to === to) {
        if (uid !== from) return true;
        continue;
      }
      if (!seen.has(link.to)) {
        seen.add(link.to);
        stack.push(link.to);
      }
    }
  }
  return false;
}

/** What the answer says about one beneficial owner, in words (a statement annotation). */
function describeOwner(owner: BeneficialOwner, answer: UboAnswer): string {
  const { regime, method, convention } = answer.options;
  const parts = [
    `Beneficial owner of ${answer.target.name} under regime ${regime} (${method}, ${convention} convention), basis ${owner.bases.join(' and ')}`,
  ];
  if (owner.ownership) {
    const share = owner.ownership.attributedShare;
    parts.push(
      `computed share ${share.min}${share.exact ? '' : `..${share.max}`} of the whole (${share.minPercent}%${share.exact ? '' : `-${share.maxPercent}%`})`,
    );
  }
  if (owner.explanation !== undefined) parts.push(owner.explanation);
  return parts.join('; ');
}

/**
 * The interests of the primary relationship of one beneficial owner: every stated (not
 * declared-indirect) link from the owner to the target, as it is, and summaries of the
 * indirect chains. A summary never adds to what the statements say when read back: the
 * computed share is written as an indirect shareholding only when a chain of stated shares
 * links the owner to the target (readers then compute it link by link and do not count the
 * summary); indirect control is written as otherInfluenceOrControl (unknownInterest when only
 * possible), which readers of `componentRecords` take as a summary of the component links.
 */
function primaryInterests(
  owner: BeneficialOwner,
  answer: UboAnswer,
  graph: OwnershipGraph,
  directLinks: readonly Link[],
): BodsInterest[] {
  const { regime, method, convention } = answer.options;
  const controlEdges = new Set(
    (owner.control?.reasons ?? [])
      .filter((reason) => reason.chain.links.length === 1)
      .map((reason) => reason.chain.links[0].edgeId),
  );
  const interests: BodsInterest[] = directLinks.map((link) => {
    const role =
      owner.managementRole !== undefined &&
      link.interestType === owner.managementRole &&
      (owner.bases.includes('fallback-senior-managing-official') || owner.controlProng === true);
    const counts =
      (link.label === 'OWNS' && owner.ownership !== undefined) ||
      controlEdges.has(link.eid) ||
      role;
    return {
      ...linkInterest(toChainLink(link)),
      beneficialOwnershipOrControl: counts,
      ...(role
        ? {
            details:
              owner.controlProng === true
                ? 'US control prong: the individual with significant responsibility to control the company'
                : 'Named as senior managing official because nobody qualifies by ownership or control',
          }
        : {}),
    };
  });
  const ownership = owner.ownership;
  if (
    ownership !== undefined &&
    (ownership.chainsTruncated || ownership.chains.some((chain) => chain.links.length > 1)) &&
    reachesByKnownShares(graph, owner.uid, answer.target.uid)
  ) {
    const share = ownership.attributedShare;
    interests.push({
      type: 'shareholding',
      directOrIndirect: 'indirect',
      beneficialOwnershipOrControl: true,
      share: rangeShare(share),
      details: `Computed ${method} share ${share.min}${share.exact ? '' : `..${share.max}`} of the whole (regime ${regime}, ${convention} convention); the component records give it link by link`,
    });
  }
  const kinds = new Set<string>();
  for (const reason of owner.control?.reasons ?? []) {
    if (reason.chain.links.length === 1 || kinds.has(reason.kind)) continue;
    kinds.add(reason.kind);
    interests.push({
      type: reason.qualifies === 'yes' ? 'otherInfluenceOrControl' : 'unknownInterest',
      directOrIndirect: 'indirect',
      beneficialOwnershipOrControl: reason.qualifies === 'yes',
      details: `Control through intermediate entities (${reason.kind})${reason.qualifies === 'possibly' ? ', possibly' : ''}; the component records give it link by link`,
    });
  }
  const official = corporateRole(owner, answer);
  if (official !== undefined) {
    interests.push({
      type: official.role,
      directOrIndirect: 'indirect',
      beneficialOwnershipOrControl: true,
      details:
        owner.controlProng === true
          ? 'US control prong: the role is held by an entity this person controls; the component records give the chain'
          : 'Named as senior managing official because nobody qualifies by ownership or control; the role is held by an entity this person controls, and the component records give the chain',
    });
  }
  return interests;
}

/**
 * Writes a computed answer as BODS 0.4 statements that read back to the same answer: the
 * target and every entity and person of the structure the answer was computed from (within
 * maxDepth, active interests only), one relationship statement per link of that structure
 * (component statements, before the primaries, when a beneficial owner's chain uses them),
 * and one primary relationship per beneficial owner holding its direct links to the target,
 * summaries of its indirect chains (`componentRecords` point at them) and an annotation with
 * the computed answer. Links that cycles, cross holdings or other persons add are written too,
 * so that reading the statements back (importBodsStatements) gives the same owners, shares,
 * control and fallback. Record ids are the graph's ids; risk flags BODS has no field for
 * (shell, bearer shares, sanctions, residence) are not written.
 */
export function exportBodsStatements(
  answer: UboAnswer,
  subgraph: Subgraph,
  options: BodsExportOptions,
): BodsStatement[] {
  const statementDate = options.statementDate ?? options.publicationDate;
  const targetUid = answer.target.uid;
  const graph = buildOwnershipGraph(subgraph, targetUid, {
    maxDepth: answer.options.maxDepth,
    asOf: answer.options.asOf,
  });
  const base = (
    recordId: string,
    details: unknown,
  ): Pick<
    BodsStatement,
    | 'statementId'
    | 'statementDate'
    | 'declarationSubject'
    | 'recordId'
    | 'recordStatus'
    | 'publicationDetails'
  > => ({
    statementId: statementIdOf(recordId, statementDate, details),
    statementDate,
    declarationSubject: targetUid,
    recordId,
    recordStatus: 'new',
    publicationDetails: {
      publicationDate: options.publicationDate,
      bodsVersion: BODS_VERSION,
      publisher: { name: options.publisherName ?? 'graph-banking-analytics' },
    },
  });

  // What the beneficial owners' chains pass through (component records).
  const owners = answer.beneficialOwners.filter((owner) => graph.persons.has(owner.uid));
  const componentEntities = new Set<string>();
  const componentLinks = new Set<string>();
  const ownerComponents = new Map<string, Set<string>>();
  for (const owner of owners) {
    const records = new Set<string>();
    for (const chain of chainsOf(owner, answer)) {
      if (chain.links.length < 2) continue;
      for (const uid of chain.entities.slice(1, -1)) {
        componentEntities.add(uid);
        records.add(uid);
      }
      for (const link of chain.links) {
        componentLinks.add(link.edgeId);
        records.add(link.edgeId);
      }
    }
    ownerComponents.set(owner.uid, records);
  }
  // Stated links from a beneficial owner to the target go inside that owner's primary.
  const ownerUids = new Set(owners.map((owner) => owner.uid));
  const inPrimary = (link: Link): boolean =>
    link.to === targetUid && link.directOrIndirect !== 'indirect' && ownerUids.has(link.from);

  const entities: BodsStatement[] = [];
  for (const uid of [
    targetUid,
    ...[...graph.companies.keys()].filter((u) => u !== targetUid).sort(),
  ]) {
    const vertex = graph.companies.get(uid);
    if (!vertex) continue;
    const details = entityDetails(vertex, componentEntities.has(uid));
    entities.push({ ...base(uid, details), recordType: 'entity', recordDetails: details });
  }
  const persons: BodsStatement[] = [...graph.persons.keys()].sort().map((uid) => {
    const details = personDetails(graph.persons.get(uid) as PersonVertex);
    return { ...base(uid, details), recordType: 'person', recordDetails: details };
  });
  // Holders just beyond the depth limit (when they were read), so that a reader sees where
  // the limit cut the structure instead of taking the last layer for its top.
  const vertexByUid = new Map(subgraph.vertices.map((vertex) => [vertex.uid, vertex]));
  const beyond = [...new Set(graph.beyondLimit.map((link) => link.from))].sort();
  for (const uid of beyond) {
    const vertex = vertexByUid.get(uid);
    if (vertex?.label === 'Company') {
      const details = entityDetails(vertex, false);
      entities.push({ ...base(uid, details), recordType: 'entity', recordDetails: details });
    } else if (vertex?.label === 'Person') {
      const details = personDetails(vertex);
      persons.push({ ...base(uid, details), recordType: 'person', recordDetails: details });
    }
  }

  // Every link of the structure: the usable ones and the declared indirect ones left unused.
  const links: ChainLink[] = [];
  for (const list of graph.linksOut.values()) {
    for (const link of list) if (!inPrimary(link)) links.push(toChainLink(link));
  }
  for (const link of graph.beyondLimit) links.push(toChainLink(link));
  for (const declared of answer.declaredIndirect) {
    if (declared.used) continue;
    links.push({
      edgeId: declared.edgeId,
      label: 'OWNS',
      from: declared.from,
      to: declared.to,
      interestType: 'shareholding',
      directOrIndirect: 'indirect',
      share: declared.share,
    });
  }
  links.sort((a, b) => (a.edgeId < b.edgeId ? -1 : a.edgeId > b.edgeId ? 1 : 0));
  const relationships: BodsStatement[] = links.map((link) => {
    const details = {
      isComponent: componentLinks.has(link.edgeId),
      subject: link.to,
      interestedParty: link.from,
      interests: [linkInterest(link)],
    };
    return { ...base(link.edgeId, details), recordType: 'relationship', recordDetails: details };
  });
  relationships.sort(
    (a, b) =>
      Number(!(a.recordDetails as { isComponent: boolean }).isComponent) -
      Number(!(b.recordDetails as { isComponent: boolean }).isComponent),
  );

  const primaries: BodsStatement[] = owners.map((owner) => {
    const direct = (graph.linksOut.get(owner.uid) ?? []).filter(inPrimary);
    const componentRecords = ownerComponents.get(owner.uid) ?? new Set<string>();
    const recordId = `bo:${targetUid}>${owner.uid}`;
    const details = {
      isComponent: false,
      ...(componentRecords.size > 0 ? { componentRecords: [...componentRecords] } : {}),
      subject: targetUid,
      interestedParty: owner.uid,
      interests: primaryInterests(owner, answer, graph, direct),
    };
    return {
      ...base(recordId, details),
      annotations: [
        {
          motivation: 'commenting',
          description: describeOwner(owner, answer),
          statementPointerTarget: '/recordDetails',
        },
      ],
      recordType: 'relationship',
      recordDetails: details,
    };
  });
  return [...entities, ...persons, ...relationships, ...primaries];
}
