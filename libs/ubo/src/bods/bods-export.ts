import { createHash } from 'node:crypto';
import type { Subgraph } from '@app/graph-store';
import type { CompanyVertex, GraphVertex, PersonVertex } from '@app/vocabulary';
import { parseRational, percentText } from '../core/share-interval';
import type {
  BeneficialOwner,
  BpRange,
  Chain,
  ChainLink,
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

function chainsOf(owner: BeneficialOwner): Chain[] {
  return [
    ...(owner.ownership?.chains ?? []),
    ...(owner.control?.reasons.map((reason) => reason.chain) ?? []),
  ];
}

/**
 * The interests of the primary relationship of one beneficial owner. Direct links are written
 * as they are (with their shares); indirect ownership as one indirect shareholding with the
 * computed share; indirect control as otherInfluenceOrControl (unknownInterest when only
 * possible). Only the links of indirect chains become component records, so that reading
 * the statements back gives the same structure (declared indirect interests whose chain is
 * known are not counted twice).
 */
function primaryInterests(owner: BeneficialOwner, answer: UboAnswer): BodsInterest[] {
  const interests: BodsInterest[] = [];
  const directLinks = new Set<string>();
  const { regime, method, convention } = answer.options;
  const addDirect = (link: ChainLink): void => {
    if (directLinks.has(link.edgeId)) return;
    directLinks.add(link.edgeId);
    interests.push({ ...linkInterest(link), beneficialOwnershipOrControl: true });
  };
  if (owner.ownership) {
    const chains = owner.ownership.chains;
    if (chains.length > 0 && chains.every((chain) => chain.links.length === 1)) {
      chains.forEach((chain) => addDirect(chain.links[0]));
    } else {
      const share = owner.ownership.attributedShare;
      interests.push({
        type: 'shareholding',
        directOrIndirect: 'indirect',
        beneficialOwnershipOrControl: true,
        share: rangeShare(share),
        details: `Computed ${method} share ${share.min}${share.exact ? '' : `..${share.max}`} of the whole (regime ${regime}, ${convention} convention)`,
      });
    }
  }
  const kinds = new Set<string>();
  for (const reason of owner.control?.reasons ?? []) {
    if (reason.chain.links.length === 1) {
      addDirect(reason.chain.links[0]);
      continue;
    }
    if (kinds.has(reason.kind)) continue;
    kinds.add(reason.kind);
    interests.push({
      type: reason.qualifies === 'yes' ? 'otherInfluenceOrControl' : 'unknownInterest',
      directOrIndirect: 'indirect',
      beneficialOwnershipOrControl: reason.qualifies === 'yes',
      details: `Control through intermediate entities (${reason.kind})${reason.qualifies === 'possibly' ? ', possibly' : ''}`,
    });
  }
  if (
    owner.managementRole !== undefined &&
    (owner.bases.includes('fallback-senior-managing-official') || owner.controlProng === true)
  ) {
    interests.push({
      type: owner.managementRole,
      directOrIndirect: 'direct',
      beneficialOwnershipOrControl: true,
      details:
        owner.controlProng === true
          ? 'US control prong: the individual with significant responsibility to control the company'
          : 'Named as senior managing official because nobody qualifies by ownership or control',
    });
  }
  return interests;
}

/**
 * Writes a computed answer as BODS 0.4 statements: the target and every entity on the
 * evidence chains (entity statements), the beneficial owners (person statements), every
 * link of those chains (component relationship statements, before their primary) and one
 * primary relationship per beneficial owner carrying the computed share or control, with
 * `componentRecords` pointing at the chain. Record ids are the graph's business ids.
 */
export function exportBodsStatements(
  answer: UboAnswer,
  subgraph: Subgraph,
  options: BodsExportOptions,
): BodsStatement[] {
  const statementDate = options.statementDate ?? options.publicationDate;
  const vertexByUid = new Map<string, GraphVertex>(
    subgraph.vertices.map((vertex) => [vertex.uid, vertex]),
  );
  const targetUid = answer.target.uid;
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

  const entities: BodsStatement[] = [];
  const persons: BodsStatement[] = [];
  const components: BodsStatement[] = [];
  const primaries: BodsStatement[] = [];
  const writtenEntities = new Set<string>();
  const writtenLinks = new Set<string>();

  const writeEntity = (uid: string): boolean => {
    if (writtenEntities.has(uid)) return true;
    const vertex = vertexByUid.get(uid);
    if (vertex?.label !== 'Company') return false;
    const details = entityDetails(vertex, uid !== targetUid);
    entities.push({ ...base(uid, details), recordType: 'entity', recordDetails: details });
    writtenEntities.add(uid);
    return true;
  };
  writeEntity(targetUid);

  for (const owner of answer.beneficialOwners) {
    const person = vertexByUid.get(owner.uid);
    if (person?.label !== 'Person') continue;
    const personDetail = personDetails(person);
    persons.push({
      ...base(owner.uid, personDetail),
      recordType: 'person',
      recordDetails: personDetail,
    });
    const componentRecords = new Set<string>();
    for (const chain of chainsOf(owner)) {
      if (chain.links.length < 2) continue;
      for (const uid of chain.entities.slice(1, -1)) {
        if (writeEntity(uid)) componentRecords.add(uid);
      }
      for (const link of chain.links) {
        componentRecords.add(link.edgeId);
        if (writtenLinks.has(link.edgeId)) continue;
        writtenLinks.add(link.edgeId);
        const details = {
          isComponent: true,
          componentRecords: [],
          subject: link.to,
          interestedParty: link.from,
          interests: [linkInterest(link)],
        };
        components.push({
          ...base(link.edgeId, details),
          recordType: 'relationship',
          recordDetails: details,
        });
      }
    }
    const interests = primaryInterests(owner, answer);
    const recordId = `bo:${targetUid}>${owner.uid}`;
    const details = {
      isComponent: false,
      ...(componentRecords.size > 0 ? { componentRecords: [...componentRecords] } : {}),
      subject: targetUid,
      interestedParty: owner.uid,
      interests,
    };
    primaries.push({
      ...base(recordId, details),
      recordType: 'relationship',
      recordDetails: details,
    });
  }
  return [...entities, ...persons, ...components, ...primaries];
}
