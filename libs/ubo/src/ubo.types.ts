import type { UboConvention, UboRegime } from '@app/settings';
import type { CompanyType, EdgeLabel, InterestType } from '@app/vocabulary';
import type { Qualifies, ThresholdComparator } from './core/share-interval';

export type { Qualifies, ThresholdComparator } from './core/share-interval';
export type { UboConvention, UboRegime } from '@app/settings';

/** How indirect ownership is attributed (EBA Q&A 2022_6622 lists the three in market use). */
export const UBO_METHODS = ['multiplication', 'rolling', 'dominancy'] as const;
export type UboMethod = (typeof UBO_METHODS)[number];

export const THRESHOLD_COMPARATORS = ['at-least', 'more-than'] as const;

/** Why a person is in the answer. */
export type UboBasis = 'ownership' | 'control' | 'fallback-senior-managing-official';

/** Per-request options; anything left out comes from the `ubo` settings and the regime. */
export interface UboRequestOptions {
  regime?: UboRegime;
  method?: UboMethod;
  /** Only with regime `custom` (the other regimes fix their threshold). */
  thresholdBp?: number;
  /** Only with regime `custom`; default `at-least`. */
  comparator?: ThresholdComparator;
  maxDepth?: number;
  convention?: UboConvention;
  /** Interests that ended on or before this date (YYYY-MM-DD) are ignored; default today. */
  asOf?: string;
}

/** The options an answer was computed with (always echoed back in the answer). */
export interface ResolvedUboOptions {
  regime: UboRegime;
  method: UboMethod;
  thresholdBp: number;
  comparator: ThresholdComparator;
  maxDepth: number;
  convention: UboConvention;
  /** Interests that ended on or before this date are ignored; absent = every dated end counts. */
  asOf?: string;
  /** US only: exactly one individual with significant control must be named. */
  controlProng: boolean;
  /** Whether senior managing officials are named when nobody qualifies otherwise. */
  seniorManagingOfficialFallback: boolean;
  /** Where the regime's rules come from. */
  source: string;
  /** Jurisdictions treated as high-risk (from the `detectors` settings) and as secrecy havens. */
  highRiskJurisdictions: readonly string[];
  secrecyJurisdictions: readonly string[];
}

/** A share of one edge as stored: basis points, each bound inclusive or exclusive. */
export interface BpRange {
  minBp: number;
  maxBp: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/**
 * An exact share (fraction of the whole) as JSON: exact rationals as "numerator/denominator"
 * strings, plus percent strings for display (min rounded down, max rounded up).
 */
export interface ShareRange {
  min: string;
  max: string;
  minExclusive: boolean;
  maxExclusive: boolean;
  minPercent: string;
  maxPercent: string;
  /** True when min = max and both bounds are reachable (an exact value). */
  exact: boolean;
  /**
   * False when the value is a certified enclosure rather than an exact rational (only for
   * ownership cycles larger than the exact-solve limit); see the warnings.
   */
  exactArithmetic: boolean;
}

/** One link of a chain, as stored in the graph. */
export interface ChainLink {
  edgeId: string;
  label: Extract<EdgeLabel, 'OWNS' | 'CONTROLS'>;
  from: string;
  to: string;
  interestType: InterestType;
  directOrIndirect: 'direct' | 'indirect' | 'unknown';
  /** Null when the interest carries no share (board roles, other influence…). */
  share: BpRange | null;
}

/** A chain from a person (first) to the target company (last), entity by entity. */
export interface Chain {
  entities: string[];
  links: ChainLink[];
  /** The product of the link shares (multiplication), or null for a non-share link. */
  product: ShareRange | null;
  /** Whether this chain counts under the method (dominancy/rolling skip some chains). */
  counts: boolean;
}

export type RiskIndicatorCode =
  | 'pep'
  | 'sanctioned-person'
  | 'sanctioned-entity'
  | 'high-risk-jurisdiction'
  | 'secrecy-jurisdiction'
  | 'shell-company'
  | 'nominee'
  | 'bearer-shares'
  | 'unknown-interest'
  | 'layering-depth'
  | 'circular-ownership'
  | 'uncertain-share'
  | 'ownership-ends-at-entity';

/** One risk indicator: a named weight and the evidence that triggered it. */
export interface RiskIndicator {
  code: RiskIndicatorCode;
  weight: number;
  detail: string;
  entities: string[];
}

/** An explainable score: min(1, sum of the weights of the indicators listed). */
export interface RiskAssessment {
  score: number;
  indicators: RiskIndicator[];
}

export interface PersonRef {
  uid: string;
  name: string;
}

/** A natural person with some effective ownership of the target. */
export interface OwnerResult extends PersonRef {
  /** Multiply along each chain, add across chains (under the cycle convention). */
  effectiveShare: ShareRange;
  /** The share the method tests: equal to `effectiveShare` under multiplication. */
  attributedShare: ShareRange;
  qualifies: Qualifies;
  chains: Chain[];
  /** True when more chains exist than are listed. */
  chainsTruncated: boolean;
  /**
   * How the listed chains relate to the share, when their products do not simply add up to
   * it: more chains than listed, or (integrated convention) chains that go round an ownership
   * cycle again and again, a geometric series the listed simple chains leave out.
   */
  shareExplanation?: string;
}

export type ControlKind =
  | 'majority-chain'
  | 'appointment-of-board'
  | 'voting-rights'
  | 'other-influence-or-control'
  | 'legal-arrangement'
  | 'nominator'
  | 'controls-direct-shareholder'
  | 'other-ownership-interest'
  | 'unknown-interest';

/** One way a person controls the target, with the chain that shows it. */
export interface ControlReason {
  kind: ControlKind;
  interestType?: InterestType;
  qualifies: Exclude<Qualifies, 'no'>;
  /** For voting rights and shareholders: the share that was tested. */
  share?: ShareRange;
  chain: Chain;
}

export interface ControlResult extends PersonRef {
  qualifies: Exclude<Qualifies, 'no'>;
  reasons: ControlReason[];
}

export type ManagementRole = 'seniorManagingOfficial' | 'boardChair' | 'boardMember';

export interface SeniorManagingOfficial extends PersonRef {
  role: ManagementRole;
  /** The role's edge (held by the person, or by the entity in `through`). */
  edgeId: string;
  /**
   * When the role is held by an entity (a corporate director or manager): the chain by which
   * this person controls that entity, ending with the role itself.
   */
  through?: Chain;
}

/** The regime's fallback when nobody qualifies for certain by ownership or control. */
export interface UboFallback {
  /** Why it applies, in words. */
  reason: string;
  /** The persons named under it; empty when no senior managing official is known. */
  officials: SeniorManagingOfficial[];
}

/** A person the answer names as a beneficial owner (or the fallback official). */
export interface BeneficialOwner extends PersonRef {
  /** The main basis: ownership, else control, else the fallback. */
  basis: UboBasis;
  bases: UboBasis[];
  qualifies: Exclude<Qualifies, 'no'>;
  ownership?: OwnerResult;
  control?: ControlResult;
  managementRole?: ManagementRole;
  /** US control prong: the one individual with significant responsibility to control. */
  controlProng?: boolean;
  /** Why this person is named, in words, with the chains (names and shares) behind it. */
  explanation: string;
  risk: RiskAssessment;
}

/** An entity's own effective ownership of the target (entities are never beneficial owners). */
export interface EntityShare {
  uid: string;
  name: string;
  companyType: CompanyType;
  effectiveShare: ShareRange;
  /**
   * True when nothing above this entity is known (no owners or controllers in the data);
   * false for an entity on the last layer read (see `depthLimited`).
   */
  top: boolean;
  /** True when the entity is on the last layer read (maxDepth): its owners were not read. */
  depthLimited: boolean;
  /** Why the share looks as it does, when it needs saying (above 100% in a cycle, depth limit). */
  explanation?: string;
}

/** A strongly connected group of entities that own each other (directly or around a loop). */
export interface OwnershipCycle {
  entities: string[];
  /** How the cycle was resolved: exact solve, certified bounds, simple paths. */
  resolution: 'exact' | 'bounded' | 'simple-paths' | 'simple-paths-truncated';
}

/** A declared indirect interest (BODS) and whether the computation used it. */
export interface DeclaredIndirect {
  edgeId: string;
  from: string;
  to: string;
  share: BpRange | null;
  used: boolean;
  reason: string;
}

export type UboWarningCode =
  | 'self-ownership'
  | 'shares-exceed-100'
  | 'effective-exceeds-100'
  | 'share-missing'
  | 'dangling-edge'
  | 'bad-endpoint'
  | 'ended-interests-ignored'
  | 'depth-limit-reached'
  | 'cycle-not-convergent'
  | 'large-cycle-bounded'
  | 'cycle-entity-above-100'
  | 'simple-paths-truncated'
  | 'declared-indirect-differs'
  | 'no-natural-person'
  | 'fallback-applied'
  | 'fallback-while-possibly'
  | 'no-senior-managing-official'
  | 'control-prong-missing'
  | 'control-prong-chosen'
  | 'unspecified-party'
  | 'nominee-shares-attributed'
  | 'nominee-without-nominator'
  | 'trustee-holds-trust';

/** A data problem or a caveat of the answer; never a crash. */
export interface UboWarning {
  code: UboWarningCode;
  message: string;
  entities?: string[];
  edges?: string[];
}

export interface UboAnswer {
  target: { uid: string; name: string; jurisdiction: string; companyType: CompanyType };
  options: ResolvedUboOptions;
  /** The persons the regime names, each with basis, evidence and risk. */
  beneficialOwners: BeneficialOwner[];
  /** Every natural person with some effective ownership, qualifying or not. */
  owners: OwnerResult[];
  /** Every natural person who controls (or may control) the target. */
  controlPersons: ControlResult[];
  /** Persons with a management role on the target (the fallback candidates). */
  seniorManagingOfficials: SeniorManagingOfficial[];
  /** True when the regime's fallback applies (same as `fallback !== null`). */
  fallbackApplied: boolean;
  /** The regime's fallback: why it applies and whom it names; null when it does not apply. */
  fallback: UboFallback | null;
  /** US: the control-prong person, or null when none was found. */
  controlProng: (PersonRef & { role: string; alternatives: string[] }) | null;
  /** Entities' own effective ownership of the target, for evidence. */
  entities: EntityShare[];
  cycles: OwnershipCycle[];
  declaredIndirect: DeclaredIndirect[];
  risk: RiskAssessment;
  warnings: UboWarning[];
  stats: {
    vertices: number;
    edges: number;
    persons: number;
    companies: number;
    deepestLayer: number;
  };
}

/** Hints only the BODS path knows (anonymous persons, unspecified parties). */
export interface UboHints {
  /** Persons or entities whose identity is withheld or unknown (BODS anonymous/unknown). */
  unidentified?: readonly string[];
  /** Relationships whose interested party is not given (BODS Unspecified Record). */
  unspecifiedParties?: readonly { subject: string; reason: string; statementId?: string }[];
  /** Declared indirect control edges that summarise component records given link by link. */
  summaryEdges?: readonly string[];
}
