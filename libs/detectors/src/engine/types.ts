import type { IdentifierKind } from '@app/vocabulary';
import type { DetectedAlert, StructuralInput } from '../core/detector';

/** Inclusive start, exclusive end, epoch ms. */
export interface DetectionWindow {
  from: number;
  to: number;
}

export interface RuleRunStats {
  ruleId: string;
  /** Distinct alerts (latest version each). */
  alerts: number;
  /** Times the rule fired, growth included. */
  raised: number;
  /** Candidate accounts considered (batch over the store, candidate-based rules only). */
  candidates?: number;
  /** True when a candidate limit cut the candidates. */
  truncated?: boolean;
}

export interface BatchResult {
  alerts: DetectedAlert[];
  movements: number;
  events: number;
  rules: RuleRunStats[];
  /**
   * Movements the rules passed over because their amounts have no rate into the base currency
   * on their date (see UnconvertedMovements), and those currencies.
   */
  unconverted: { movements: number; currencies: string[] };
}

/** Input of structural rules (fraud rings), given the rule's hub cap and identifier kinds. */
export type StructuralInputSource = (
  hubCap: number,
  kinds: readonly IdentifierKind[] | undefined,
) => StructuralInput;

/**
 * One account's use of an identifier (a USES edge: device, IP address, phone, e-mail, address),
 * with the time of its first use. Fed to the learned risk model, which counts only uses that
 * began before the movement it describes.
 */
export interface IdentifierUse {
  accountId: string;
  identifierUid: string;
  /** Epoch ms of the first use (the USES edge's `firstSeen`). */
  firstSeen: number;
}
