import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UBO_CONVENTIONS, UBO_REGIMES } from '@app/settings';
import type { UboConvention, UboRegime } from '@app/settings';
import { RISK_WEIGHTS, THRESHOLD_COMPARATORS, UBO_METHODS } from '@app/ubo';
import type {
  ControlKind,
  ManagementRole,
  NetworkRole,
  OwnershipCycle,
  Qualifies,
  RiskIndicatorCode,
  ThresholdComparator,
  UboBasis,
  UboMethod,
  UboWarningCode,
} from '@app/ubo';
import { COMPANY_TYPES, INTEREST_TYPES } from '@app/vocabulary';
import type { CompanyType, InterestType } from '@app/vocabulary';

/*
 * OpenAPI shapes of the UBO answers (libs/ubo: UboAnswer, UboEvaluation, OwnershipNetwork).
 * Documentation only: the handlers return the library's objects. The lists of codes below are
 * checked against the library's types at compile time (`Exhaustive`), so a new code cannot be
 * left out of the document.
 */

/** `true` only when `List` names every member of `Union`. */
type Exhaustive<Union, List extends readonly Union[]> = [Exclude<Union, List[number]>] extends [
  never,
]
  ? true
  : false;

const QUALIFIES = ['yes', 'no', 'possibly'] as const satisfies readonly Qualifies[];
const NAMED_QUALIFIES = ['yes', 'possibly'] as const;
const BASES = [
  'ownership',
  'control',
  'fallback-senior-managing-official',
] as const satisfies readonly UboBasis[];
const MANAGEMENT_ROLES = [
  'seniorManagingOfficial',
  'boardChair',
  'boardMember',
] as const satisfies readonly ManagementRole[];
const CONTROL_KINDS = [
  'majority-chain',
  'appointment-of-board',
  'voting-rights',
  'other-influence-or-control',
  'legal-arrangement',
  'nominator',
  'controls-direct-shareholder',
  'other-ownership-interest',
  'unknown-interest',
] as const satisfies readonly ControlKind[];
const WARNING_CODES = [
  'self-ownership',
  'shares-exceed-100',
  'effective-exceeds-100',
  'share-missing',
  'nominee-shares-attributed',
  'nominee-without-nominator',
  'trustee-holds-trust',
  'dangling-edge',
  'bad-endpoint',
  'ended-interests-ignored',
  'depth-limit-reached',
  'cycle-not-convergent',
  'large-cycle-bounded',
  'cycle-entity-above-100',
  'simple-paths-truncated',
  'declared-indirect-differs',
  'no-natural-person',
  'fallback-applied',
  'fallback-while-possibly',
  'no-senior-managing-official',
  'control-prong-missing',
  'control-prong-chosen',
  'unspecified-party',
] as const satisfies readonly UboWarningCode[];
const CYCLE_RESOLUTIONS = [
  'exact',
  'bounded',
  'simple-paths',
  'simple-paths-truncated',
] as const satisfies readonly OwnershipCycle['resolution'][];
const NETWORK_ROLES = [
  'target',
  'beneficial-owner',
  'owner',
  'controller',
  'person',
  'entity',
] as const satisfies readonly NetworkRole[];
const RISK_CODES = Object.keys(RISK_WEIGHTS) as RiskIndicatorCode[];
const DIRECTNESS = ['direct', 'indirect', 'unknown'] as const;

export const UBO_CODE_LISTS_COMPLETE: readonly true[] = [
  true satisfies Exhaustive<Qualifies, typeof QUALIFIES>,
  true satisfies Exhaustive<UboBasis, typeof BASES>,
  true satisfies Exhaustive<ManagementRole, typeof MANAGEMENT_ROLES>,
  true satisfies Exhaustive<ControlKind, typeof CONTROL_KINDS>,
  true satisfies Exhaustive<UboWarningCode, typeof WARNING_CODES>,
  true satisfies Exhaustive<OwnershipCycle['resolution'], typeof CYCLE_RESOLUTIONS>,
  true satisfies Exhaustive<NetworkRole, typeof NETWORK_ROLES>,
];

/** A share of one edge as stored: basis points, each bound inclusive or exclusive. */
export class BpRangeResponse {
  @ApiProperty({ example: 2500, description: 'Lower bound in basis points (2500 = 25%).' })
  minBp!: number;

  @ApiProperty({ example: 2500 })
  maxBp!: number;

  @ApiProperty({ example: false })
  minExclusive!: boolean;

  @ApiProperty({ example: false })
  maxExclusive!: boolean;
}

/** An exact share of the whole: rationals as "numerator/denominator", percents for display. */
export class ShareRangeResponse {
  @ApiProperty({ example: '49/151', description: 'Exact lower bound, "numerator/denominator".' })
  min!: string;

  @ApiProperty({ example: '49/151' })
  max!: string;

  @ApiProperty({ example: false })
  minExclusive!: boolean;

  @ApiProperty({ example: false })
  maxExclusive!: boolean;

  @ApiProperty({ example: '32.45', description: 'min in percent, rounded down.' })
  minPercent!: string;

  @ApiProperty({ example: '32.46', description: 'max in percent, rounded up.' })
  maxPercent!: string;

  @ApiProperty({ example: true, description: 'min = max and both reachable: an exact value.' })
  exact!: boolean;

  @ApiProperty({
    example: true,
    description: 'False when the value is a certified enclosure (very large ownership cycles).',
  })
  exactArithmetic!: boolean;
}

export class ChainLinkResponse {
  @ApiProperty({ example: 'owns:bods:7c1e' })
  edgeId!: string;

  @ApiProperty({ enum: ['OWNS', 'CONTROLS'], example: 'OWNS' })
  label!: 'OWNS' | 'CONTROLS';

  @ApiProperty({ example: 'person:bods:4a2f' })
  from!: string;

  @ApiProperty({ example: 'company:bods:19f1c5afe9d7' })
  to!: string;

  @ApiProperty({ enum: INTEREST_TYPES, enumName: 'InterestType', example: 'shareholding' })
  interestType!: InterestType;

  @ApiProperty({ enum: DIRECTNESS, example: 'direct' })
  directOrIndirect!: (typeof DIRECTNESS)[number];

  @ApiProperty({
    type: BpRangeResponse,
    nullable: true,
    description: 'Null when the interest carries no share (board roles, other influence).',
  })
  share!: BpRangeResponse | null;
}

/** A chain from a person (first) to the target company (last). */
export class ChainResponse {
  @ApiProperty({
    type: [String],
    example: ['person:bods:4a2f', 'company:bods:19f1c5afe9d7'],
    description: 'uids, the person first and the target last.',
  })
  entities!: string[];

  @ApiProperty({ type: [ChainLinkResponse] })
  links!: ChainLinkResponse[];

  @ApiProperty({
    type: ShareRangeResponse,
    nullable: true,
    description: 'The product of the link shares; null for a chain with a non-share link.',
  })
  product!: ShareRangeResponse | null;

  @ApiProperty({ example: true, description: 'Whether the chain counts under the method.' })
  counts!: boolean;
}

export class RiskIndicatorResponse {
  @ApiProperty({ enum: RISK_CODES, enumName: 'UboRiskIndicatorCode', example: 'pep' })
  code!: RiskIndicatorCode;

  @ApiProperty({ example: 0.3 })
  weight!: number;

  @ApiProperty({ example: 'Daniel Okafor is a politically exposed person.' })
  detail!: string;

  @ApiProperty({ type: [String], example: ['person:bods:4a2f'] })
  entities!: string[];
}

/** An explainable score: min(1, sum of the weights of the indicators listed). */
export class RiskAssessmentResponse {
  @ApiProperty({ example: 0.3, minimum: 0, maximum: 1 })
  score!: number;

  @ApiProperty({ type: [RiskIndicatorResponse] })
  indicators!: RiskIndicatorResponse[];
}

/** A natural person with some effective ownership of the target. */
export class OwnerResponse {
  @ApiProperty({ example: 'person:bods:4a2f' })
  uid!: string;

  @ApiProperty({ example: 'Amelia Hart' })
  name!: string;

  @ApiProperty({
    type: ShareRangeResponse,
    description: 'Multiply along each chain, add across chains.',
  })
  effectiveShare!: ShareRangeResponse;

  @ApiProperty({
    type: ShareRangeResponse,
    description: 'The share the method tests (= effectiveShare under multiplication).',
  })
  attributedShare!: ShareRangeResponse;

  @ApiProperty({ enum: QUALIFIES, enumName: 'UboQualifies', example: 'yes' })
  qualifies!: Qualifies;

  @ApiProperty({ type: [ChainResponse] })
  chains!: ChainResponse[];

  @ApiProperty({ example: false, description: 'True when more chains exist than are listed.' })
  chainsTruncated!: boolean;

  @ApiPropertyOptional({
    description:
      'How the listed chains relate to the share, when their products do not simply add up to it.',
  })
  shareExplanation?: string;
}

export class ControlReasonResponse {
  @ApiProperty({ enum: CONTROL_KINDS, example: 'appointment-of-board' })
  kind!: ControlKind;

  @ApiPropertyOptional({ enum: INTEREST_TYPES, enumName: 'InterestType' })
  interestType?: InterestType;

  @ApiProperty({ enum: NAMED_QUALIFIES, example: 'yes' })
  qualifies!: 'yes' | 'possibly';

  @ApiPropertyOptional({
    type: ShareRangeResponse,
    description: 'For voting rights and shareholders: the share that was tested.',
  })
  share?: ShareRangeResponse;

  @ApiProperty({ type: ChainResponse })
  chain!: ChainResponse;
}

export class ControlPersonResponse {
  @ApiProperty({ example: 'person:bods:9b0c' })
  uid!: string;

  @ApiProperty({ example: 'Bruno Keller' })
  name!: string;

  @ApiProperty({ enum: NAMED_QUALIFIES, example: 'yes' })
  qualifies!: 'yes' | 'possibly';

  @ApiProperty({ type: [ControlReasonResponse] })
  reasons!: ControlReasonResponse[];
}

export class SeniorManagingOfficialResponse {
  @ApiProperty({ example: 'person:bods:c3d4' })
  uid!: string;

  @ApiProperty({ example: 'Chloe Marchand' })
  name!: string;

  @ApiProperty({ enum: MANAGEMENT_ROLES, example: 'seniorManagingOfficial' })
  role!: ManagementRole;

  @ApiProperty({ example: 'controls:bods:e5f6', description: 'The role edge.' })
  edgeId!: string;

  @ApiPropertyOptional({
    type: ChainResponse,
    description:
      'When the role is held by an entity: the chain by which this person controls it, ending with the role.',
  })
  through?: ChainResponse;
}

export class UboFallbackResponse {
  @ApiProperty({ example: 'Nobody owns 25% or more or controls the company.' })
  reason!: string;

  @ApiProperty({
    type: [SeniorManagingOfficialResponse],
    description: 'The persons named under it; empty when none is known.',
  })
  officials!: SeniorManagingOfficialResponse[];
}

/** A person the answer names as a beneficial owner (or the fallback official). */
export class BeneficialOwnerResponse {
  @ApiProperty({ example: 'person:bods:4a2f' })
  uid!: string;

  @ApiProperty({ example: 'Amelia Hart' })
  name!: string;

  @ApiProperty({ enum: BASES, enumName: 'UboBasis', example: 'ownership' })
  basis!: UboBasis;

  @ApiProperty({ enum: BASES, enumName: 'UboBasis', isArray: true, example: ['ownership'] })
  bases!: UboBasis[];

  @ApiProperty({ enum: NAMED_QUALIFIES, example: 'yes' })
  qualifies!: 'yes' | 'possibly';

  @ApiPropertyOptional({ type: OwnerResponse })
  ownership?: OwnerResponse;

  @ApiPropertyOptional({ type: ControlPersonResponse })
  control?: ControlPersonResponse;

  @ApiPropertyOptional({ enum: MANAGEMENT_ROLES })
  managementRole?: ManagementRole;

  @ApiPropertyOptional({ description: 'US: the one control-prong individual.' })
  controlProng?: boolean;

  @ApiProperty({
    example:
      'Amelia Hart owns 32.45% of Harbour Holdings Ltd through Harbour Capital (49/151), at least 25%.',
  })
  explanation!: string;

  @ApiProperty({ type: RiskAssessmentResponse })
  risk!: RiskAssessmentResponse;
}

export class EntityShareResponse {
  @ApiProperty({ example: 'company:bods:aa11' })
  uid!: string;

  @ApiProperty({ example: 'Harbour Capital LLC' })
  name!: string;

  @ApiProperty({ enum: COMPANY_TYPES, enumName: 'CompanyType', example: 'company' })
  companyType!: CompanyType;

  @ApiProperty({ type: ShareRangeResponse })
  effectiveShare!: ShareRangeResponse;

  @ApiProperty({ example: false, description: 'True when nothing above it is known.' })
  top!: boolean;

  @ApiProperty({ example: false, description: 'True when on the last layer read (maxDepth).' })
  depthLimited!: boolean;

  @ApiPropertyOptional({ description: 'Why the share looks as it does, when it needs saying.' })
  explanation?: string;
}

export class OwnershipCycleResponse {
  @ApiProperty({ type: [String], example: ['company:bods:aa11', 'company:bods:bb22'] })
  entities!: string[];

  @ApiProperty({ enum: CYCLE_RESOLUTIONS, example: 'exact' })
  resolution!: OwnershipCycle['resolution'];
}

export class DeclaredIndirectResponse {
  @ApiProperty({ example: 'owns:bods:d1' })
  edgeId!: string;

  @ApiProperty({ example: 'person:bods:4a2f' })
  from!: string;

  @ApiProperty({ example: 'company:bods:19f1c5afe9d7' })
  to!: string;

  @ApiProperty({ type: BpRangeResponse, nullable: true })
  share!: BpRangeResponse | null;

  @ApiProperty({ example: false })
  used!: boolean;

  @ApiProperty({ example: 'The chains in the data give the share; the declaration is evidence.' })
  reason!: string;
}

export class UboWarningResponse {
  @ApiProperty({ enum: WARNING_CODES, enumName: 'UboWarningCode', example: 'depth-limit-reached' })
  code!: UboWarningCode;

  @ApiProperty({ example: 'The chain above Harbour Capital LLC was cut at maxDepth 10.' })
  message!: string;

  @ApiPropertyOptional({ type: [String] })
  entities?: string[];

  @ApiPropertyOptional({ type: [String] })
  edges?: string[];
}

export class UboTargetResponse {
  @ApiProperty({ example: 'company:bods:19f1c5afe9d7' })
  uid!: string;

  @ApiProperty({ example: 'Harbour Holdings Ltd' })
  name!: string;

  @ApiProperty({ example: 'GB' })
  jurisdiction!: string;

  @ApiProperty({ enum: COMPANY_TYPES, enumName: 'CompanyType', example: 'company' })
  companyType!: CompanyType;
}

/** The options an answer was computed with. */
export class ResolvedUboOptionsResponse {
  @ApiProperty({ enum: UBO_REGIMES, example: 'eu' })
  regime!: UboRegime;

  @ApiProperty({ enum: UBO_METHODS, example: 'multiplication' })
  method!: UboMethod;

  @ApiProperty({ example: 2500 })
  thresholdBp!: number;

  @ApiProperty({ enum: THRESHOLD_COMPARATORS, example: 'at-least' })
  comparator!: ThresholdComparator;

  @ApiProperty({ example: 10 })
  maxDepth!: number;

  @ApiProperty({ enum: UBO_CONVENTIONS, example: 'integrated' })
  convention!: UboConvention;

  @ApiPropertyOptional({
    example: '2025-06-30',
    description: 'Interests ended on or before it are ignored; absent = every dated end counts.',
  })
  asOf?: string;

  @ApiProperty({ example: false, description: 'US only: one control-prong person is named.' })
  controlProng!: boolean;

  @ApiProperty({ example: true })
  seniorManagingOfficialFallback!: boolean;

  @ApiProperty({ example: 'Regulation (EU) 2024/1624 (AMLR), Article 51-52' })
  source!: string;

  @ApiProperty({ type: [String], example: ['IR', 'KP'] })
  highRiskJurisdictions!: string[];

  @ApiProperty({ type: [String], example: ['VG', 'KY'] })
  secrecyJurisdictions!: string[];
}

export class ControlProngResponse {
  @ApiProperty({ example: 'person:bods:c3d4' })
  uid!: string;

  @ApiProperty({ example: 'Chloe Marchand' })
  name!: string;

  @ApiProperty({ example: 'seniorManagingOfficial' })
  role!: string;

  @ApiProperty({ type: [String], description: 'Others who could have been named.' })
  alternatives!: string[];
}

export class UboStatsResponse {
  @ApiProperty({ example: 6 }) vertices!: number;
  @ApiProperty({ example: 7 }) edges!: number;
  @ApiProperty({ example: 3 }) persons!: number;
  @ApiProperty({ example: 3 }) companies!: number;
  @ApiProperty({ example: 2 }) deepestLayer!: number;
}

/** The beneficial owners of a company, with evidence, risk, warnings and the options used. */
export class UboAnswerResponse {
  @ApiProperty({ type: UboTargetResponse })
  target!: UboTargetResponse;

  @ApiProperty({ type: ResolvedUboOptionsResponse })
  options!: ResolvedUboOptionsResponse;

  @ApiProperty({ type: [BeneficialOwnerResponse] })
  beneficialOwners!: BeneficialOwnerResponse[];

  @ApiProperty({
    type: [OwnerResponse],
    description: 'Every natural person with some ownership, qualifying or not.',
  })
  owners!: OwnerResponse[];

  @ApiProperty({ type: [ControlPersonResponse] })
  controlPersons!: ControlPersonResponse[];

  @ApiProperty({ type: [SeniorManagingOfficialResponse] })
  seniorManagingOfficials!: SeniorManagingOfficialResponse[];

  @ApiProperty({ example: false, description: 'True when the regime fallback applies.' })
  fallbackApplied!: boolean;

  @ApiProperty({ type: UboFallbackResponse, nullable: true })
  fallback!: UboFallbackResponse | null;

  @ApiProperty({
    type: ControlProngResponse,
    nullable: true,
    description: 'US: the control-prong person; null when none was found (and outside the US).',
  })
  controlProng!: ControlProngResponse | null;

  @ApiProperty({ type: [EntityShareResponse] })
  entities!: EntityShareResponse[];

  @ApiProperty({ type: [OwnershipCycleResponse] })
  cycles!: OwnershipCycleResponse[];

  @ApiProperty({ type: [DeclaredIndirectResponse] })
  declaredIndirect!: DeclaredIndirectResponse[];

  @ApiProperty({ type: RiskAssessmentResponse })
  risk!: RiskAssessmentResponse;

  @ApiProperty({ type: [UboWarningResponse] })
  warnings!: UboWarningResponse[];

  @ApiProperty({ type: UboStatsResponse })
  stats!: UboStatsResponse;
}

export class BodsImportNoteResponse {
  @ApiProperty({ example: 3, description: 'Position of the statement in the input.' })
  index!: number;

  @ApiPropertyOptional({ example: 'stmt-rel-2' })
  statementId?: string;

  @ApiProperty({ example: 'interests[0].share' })
  field!: string;

  @ApiProperty({ example: 'has no exact, minimum or maximum; read as unknown' })
  rule!: string;

  @ApiProperty({ enum: ['skipped', 'note'], example: 'note' })
  severity!: 'skipped' | 'note';
}

export class BodsSummaryResponse {
  @ApiProperty({ example: 'entity-harbour' })
  targetRecordId!: string;

  @ApiProperty({ example: 6 }) statements!: number;
  @ApiProperty({ example: 6 }) records!: number;
  @ApiProperty({ example: 0 }) replaced!: number;
  @ApiProperty({ example: 0 }) later!: number;
  @ApiProperty({ example: 0 }) closedRecords!: number;

  @ApiProperty({ type: [BodsImportNoteResponse] })
  notes!: BodsImportNoteResponse[];
}

/** An answer computed from BODS statements, with what the import made of them. */
export class UboEvaluationResponse extends UboAnswerResponse {
  @ApiProperty({ type: BodsSummaryResponse })
  bods!: BodsSummaryResponse;
}

export class NetworkShareResponse {
  @ApiProperty({ example: '49/151' }) min!: string;
  @ApiProperty({ example: '49/151' }) max!: string;
  @ApiProperty({ example: '32.45' }) minPercent!: string;
  @ApiProperty({ example: '32.46' }) maxPercent!: string;
}

export class NetworkNodeResponse {
  @ApiProperty({ example: 'person:bods:4a2f' })
  id!: string;

  @ApiProperty({ enum: ['Person', 'Company'], example: 'Person' })
  label!: 'Person' | 'Company';

  @ApiProperty({ example: 'Amelia Hart' })
  name!: string;

  @ApiProperty({ example: 2, description: 'Hops above the target (0 = the target).' })
  layer!: number;

  @ApiProperty({ enum: NETWORK_ROLES, example: 'beneficial-owner' })
  role!: NetworkRole;

  @ApiPropertyOptional({ example: 'GB' })
  jurisdiction?: string;

  @ApiProperty({
    type: [String],
    example: ['pep'],
    description: 'Risk flags: pep, sanctioned, shell, nominee, bearer-shares.',
  })
  flags!: string[];

  @ApiPropertyOptional({
    type: NetworkShareResponse,
    description: 'For persons: their share of the target, when any.',
  })
  share?: NetworkShareResponse;
}

export class NetworkEdgeResponse {
  @ApiProperty({ example: 'owns:bods:7c1e' })
  id!: string;

  @ApiProperty({ example: 'person:bods:4a2f' })
  source!: string;

  @ApiProperty({ example: 'company:bods:aa11' })
  target!: string;

  @ApiProperty({ enum: ['OWNS', 'CONTROLS'], example: 'OWNS' })
  label!: 'OWNS' | 'CONTROLS';

  @ApiProperty({ enum: INTEREST_TYPES, enumName: 'InterestType', example: 'shareholding' })
  interestType!: InterestType;

  @ApiProperty({ enum: DIRECTNESS, example: 'direct' })
  directOrIndirect!: (typeof DIRECTNESS)[number];

  @ApiProperty({ type: BpRangeResponse, nullable: true })
  share!: BpRangeResponse | null;

  @ApiProperty({ example: false, description: 'Part of an ownership cycle.' })
  inCycle!: boolean;
}

/** Nodes and edges above a company, with shares and roles, for drawing. */
export class OwnershipNetworkResponse {
  @ApiProperty({ example: 'company:bods:19f1c5afe9d7' })
  target!: string;

  @ApiProperty({ type: ResolvedUboOptionsResponse })
  options!: ResolvedUboOptionsResponse;

  @ApiProperty({ type: [NetworkNodeResponse] })
  nodes!: NetworkNodeResponse[];

  @ApiProperty({ type: [NetworkEdgeResponse] })
  edges!: NetworkEdgeResponse[];

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'string' } },
    example: [['company:bods:aa11', 'company:bods:bb22']],
    description: 'Each ownership cycle as the uids in it.',
  })
  cycles!: string[][];
}

/** The free-form schema of a BODS 0.4 statement (its own JSON Schema is published by BODS). */
export const BODS_STATEMENT_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  description:
    'A BODS 0.4 statement (recordType entity | person | relationship), as the Beneficial Ownership Data Standard defines it.',
} as const;
