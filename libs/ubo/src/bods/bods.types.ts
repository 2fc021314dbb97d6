/**
 * The parts of Open Ownership's Beneficial Ownership Data Standard (BODS) 0.4 that this
 * library reads and writes (github openownership/data-standard, schema/). Input is parsed
 * from `unknown`; these types describe what the parser accepts and what the exporter writes.
 */

export const BODS_VERSION = '0.4';

export const BODS_RECORD_TYPES = ['entity', 'person', 'relationship'] as const;
export type BodsRecordType = (typeof BODS_RECORD_TYPES)[number];

export const BODS_RECORD_STATUSES = ['new', 'updated', 'closed'] as const;
export type BodsRecordStatus = (typeof BODS_RECORD_STATUSES)[number];

export const BODS_ENTITY_TYPES = [
  'registeredEntity',
  'legalEntity',
  'arrangement',
  'anonymousEntity',
  'unknownEntity',
  'state',
  'stateBody',
] as const;
export type BodsEntityType = (typeof BODS_ENTITY_TYPES)[number];

export interface BodsShare {
  exact?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

export interface BodsInterest {
  type?: string;
  directOrIndirect?: 'direct' | 'indirect' | 'unknown';
  beneficialOwnershipOrControl?: boolean;
  details?: string;
  share?: BodsShare;
  startDate?: string;
  endDate?: string;
}

export interface BodsUnspecifiedRecord {
  reason: string;
  description?: string;
}

export interface BodsEntityDetails {
  isComponent: boolean;
  entityType: { type: BodsEntityType; subtype?: string; details?: string };
  name?: string;
  jurisdiction?: { name: string; code?: string };
  identifiers?: { id?: string; scheme?: string; schemeName?: string }[];
  publicListing?: { hasPublicListing: boolean };
  foundingDate?: string;
}

export interface BodsPersonDetails {
  isComponent: boolean;
  personType: 'knownPerson' | 'anonymousPerson' | 'unknownPerson';
  names?: { type?: string; fullName: string }[];
  nationalities?: { name: string; code?: string }[];
  birthDate?: string;
  politicalExposure?: { status: 'isPep' | 'isNotPep' | 'unknown'; details?: { reason?: string }[] };
}

export interface BodsRelationshipDetails {
  isComponent: boolean;
  componentRecords?: string[];
  subject: string | BodsUnspecifiedRecord;
  interestedParty: string | BodsUnspecifiedRecord;
  interests?: BodsInterest[];
}

interface BodsStatementBase {
  statementId: string;
  statementDate: string;
  declarationSubject: string;
  recordId: string;
  recordStatus?: BodsRecordStatus;
  publicationDetails?: {
    publicationDate: string;
    bodsVersion: string;
    publisher: { name?: string; url?: string };
    license?: string;
  };
  source?: { type?: string[]; description?: string };
  annotations?: { motivation?: string; description?: string; statementPointerTarget?: string }[];
}

export type BodsStatement =
  | (BodsStatementBase & { recordType: 'entity'; recordDetails: BodsEntityDetails })
  | (BodsStatementBase & { recordType: 'person'; recordDetails: BodsPersonDetails })
  | (BodsStatementBase & { recordType: 'relationship'; recordDetails: BodsRelationshipDetails });
