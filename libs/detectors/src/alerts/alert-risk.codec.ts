import type { AlertProps } from '@app/vocabulary';
import type { AlertRisk, AlertRiskReason } from '../core/detector';

/** The Alert vertex properties that hold a learned model's view of the alert. */
export type AlertRiskProps = Pick<
  AlertProps,
  'riskScore' | 'riskThreshold' | 'riskModelVersion' | 'riskReasons'
>;

/** The properties of an alert without any risk (what `riskProps(undefined)` removes). */
export const RISK_PROP_KEYS = [
  'riskScore',
  'riskThreshold',
  'riskModelVersion',
  'riskReasons',
] as const satisfies readonly (keyof AlertRiskProps)[];

/**
 * The risk as stored on the Alert vertex: score, threshold and model version as properties
 * (the score is what the queue orders by), each reason as one JSON document. No risk, no
 * properties.
 */
export function riskProps(risk: AlertRisk | undefined): AlertRiskProps {
  if (risk === undefined) return {};
  return {
    riskScore: risk.score,
    riskThreshold: risk.threshold,
    riskModelVersion: risk.modelVersion,
    riskReasons: risk.reasons.map(({ feature, effect, text }) =>
      JSON.stringify({ feature, effect, text }),
    ),
  };
}

function reasonOf(document: string): AlertRiskReason | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { feature, effect, text } = parsed as Partial<Record<string, unknown>>;
  return typeof feature === 'string' && typeof effect === 'number' && typeof text === 'string'
    ? { feature, effect, text }
    : undefined;
}

/**
 * The risk read back from an Alert vertex: undefined when the alert was stored without one
 * (no model, or stored before the model came). A reason that is not a `{feature, effect, text}`
 * document (written by hand, say) is left out rather than failing the whole alert.
 */
export function riskOf(props: AlertRiskProps): AlertRisk | undefined {
  const { riskScore, riskThreshold, riskModelVersion, riskReasons } = props;
  if (riskScore === undefined || riskThreshold === undefined || riskModelVersion === undefined)
    return undefined;
  return {
    modelVersion: riskModelVersion,
    score: riskScore,
    threshold: riskThreshold,
    reasons: (riskReasons ?? []).flatMap((document) => reasonOf(document) ?? []),
  };
}

/** Whether two risks say the same (so re-saving an unchanged alert changes nothing). */
export function sameRisk(a: AlertRisk | undefined, b: AlertRisk | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.modelVersion === b.modelVersion &&
    a.score === b.score &&
    a.threshold === b.threshold &&
    a.reasons.length === b.reasons.length &&
    a.reasons.every(
      (r, i) =>
        r.feature === b.reasons[i].feature &&
        r.effect === b.reasons[i].effect &&
        r.text === b.reasons[i].text,
    )
  );
}
