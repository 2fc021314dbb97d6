/**
 * Typology ids shared by the generators (ground truth), the importers (labels of public
 * datasets), the detectors (what each rule looks for) and the evaluation report.
 */
export const AML_TYPOLOGIES = [
  'fan-out',
  'fan-in',
  'cycle',
  'scatter-gather',
  'gather-scatter',
  'bipartite',
  'stack',
  'random',
  'structuring',
  'pass-through',
  'dormant-reactivation',
  'round-amounts',
  'high-risk-jurisdiction',
  'velocity-spike',
] as const;

export const FRAUD_TYPOLOGIES = [
  'fraud-ring',
  'account-takeover',
  'mule-chain',
  'card-velocity',
  'impossible-travel',
] as const;

export const OWNERSHIP_TYPOLOGIES = [
  'ubo-layered-chain',
  'ubo-multi-path',
  'ubo-cycle',
  'ubo-exact-threshold',
  'ubo-below-threshold',
  'ubo-control-only',
] as const;

export type AmlTypology = (typeof AML_TYPOLOGIES)[number];
export type FraudTypology = (typeof FRAUD_TYPOLOGIES)[number];
export type OwnershipTypology = (typeof OWNERSHIP_TYPOLOGIES)[number];
export type Typology = AmlTypology | FraudTypology | OwnershipTypology;
export const TYPOLOGIES: readonly Typology[] = [
  ...AML_TYPOLOGIES,
  ...FRAUD_TYPOLOGIES,
  ...OWNERSHIP_TYPOLOGIES,
];

export type TypologyFamily = 'aml' | 'fraud' | 'ownership';

export function familyOf(typology: Typology): TypologyFamily {
  if ((AML_TYPOLOGIES as readonly string[]).includes(typology)) return 'aml';
  if ((FRAUD_TYPOLOGIES as readonly string[]).includes(typology)) return 'fraud';
  return 'ownership';
}

export type GroundTruthSource = 'generator' | 'amlworld' | 'amlsim' | 'bods';

/**
 * One labelled instance: an injected pattern, a decoy that resembles one (decoy = true,
 * `typology` names what it looks like), or a labelled pattern of an imported dataset.
 * Written one per line (JSON lines) next to the data.
 */
export interface GroundTruthRecord {
  instanceId: string;
  typology: Typology;
  decoy: boolean;
  source: GroundTruthSource;
  /** Vertex uids involved (accounts, persons, companies, identifiers). */
  entities: string[];
  /** Movement ids (TRANSFERRED eids) involved, in time order. */
  movements: string[];
  /** Epoch ms window covering the instance, when it has movements or events. */
  window?: { from: number; to: number };
  /** Generation parameters or the dataset's own description of the instance. */
  parameters: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /**
   * For ownership scenarios: the expected answer for `target` under the EU regime (25% or more,
   * multiply along chains, add across chains, integrated convention): every person with any
   * effective ownership -> exact share of 1 as a rational string "numerator/denominator"
   * (e.g. "1/4" for 25%), whether they qualify, and the persons expected as controllers.
   */
  expectedOwnership?: {
    target: string;
    owners: Readonly<Record<string, { share: string; qualifies: boolean }>>;
    controllers: readonly string[];
  };
}
