import { familyOf } from '@app/vocabulary';
import type { GroundTruthRecord, Typology, TypologyFamily } from '@app/vocabulary';
import type { DetectedAlert } from '../core/detector';

/**
 * How an alert is matched to a labelled instance (the "matching rule"):
 *
 * 1. they share at least one movement (alert evidence ∩ instance movements), or
 * 2. they share an event (alert evidence events ∩ instance entities, which list event ids), or
 * 3. the alert's key entity (its subject: an account, a ring's first member, an identifier) is
 *    one of the instance's entities and, when both have a time window, the windows overlap
 *    (with `slackMs` either side). Structural alerts (rings) carry no movements or events and
 *    are dated by the scan, so their window is not compared.
 *
 * An instance counts as detected when at least one alert of the same typology matches it.
 * An alert is a true positive when it matches a non-decoy instance of its own typology. Alerts
 * matching a non-decoy instance of another typology are reported as cross-typology matches (a
 * real pattern, flagged by a neighbouring rule), alerts matching a decoy as decoy hits.
 */
export interface MatchOptions {
  slackMs: number;
  /**
   * Rules whose alerts mark reporting obligations rather than suspicion (see Detector.purpose).
   * Their alerts are listed per rule but left out of the typology scores.
   */
  reportingRules: readonly string[];
}

export const DEFAULT_MATCH_OPTIONS: MatchOptions = { slackMs: 2 * 86_400_000, reportingRules: [] };

export interface TypologyScore {
  typology: Typology;
  family: TypologyFamily;
  /** Labelled (non-decoy) instances. */
  instances: number;
  detected: number;
  /** Alerts of rules of this typology. */
  alerts: number;
  truePositives: number;
  crossTypology: number;
  decoyHits: number;
  unmatched: number;
  /** null when undefined (no instances, or no alerts). */
  recall: number | null;
  precision: number | null;
  f1: number | null;
  /** (true positives + cross-typology) / alerts: how many alerts point at real laundering/fraud. */
  lenientPrecision: number | null;
  /** Decoy instances that look like this typology, and how many of them drew an alert. */
  decoys: number;
  decoysAlerted: number;
  missed: string[];
}

export interface RuleScore {
  ruleId: string;
  typology: Typology;
  /** True for reporting rules, which are left out of the typology scores. */
  reporting: boolean;
  alerts: number;
  truePositives: number;
  crossTypology: number;
  decoyHits: number;
  unmatched: number;
}

export interface EvaluationReport {
  /** Free description of the dataset (profile, seed, days, counts). */
  dataset: Readonly<Record<string, string | number>>;
  matching: string;
  typologies: TypologyScore[];
  rules: RuleScore[];
  totals: {
    alerts: number;
    truePositives: number;
    crossTypology: number;
    decoyHits: number;
    unmatched: number;
    instances: number;
    detected: number;
    decoys: number;
    decoysAlerted: number;
  };
}

const MATCHING_RULE =
  'An alert matches an instance when they share a movement or an event, or when the alert key entity is one of the instance entities and their windows overlap (2 days slack; structural alerts such as rings are not dated). ' +
  'Recall: instances matched by an alert of the same typology. Precision: alerts of a typology matching an instance of that typology. ' +
  'Cross-typology: alerts matching a real instance of another typology. Decoy hits: alerts matching a decoy.';

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
}

function f1Of(precision: number | null, recall: number | null): number | null {
  if (precision === null || recall === null) return null;
  return precision + recall === 0
    ? 0
    : Math.round(((2 * precision * recall) / (precision + recall)) * 10_000) / 10_000;
}

/** Index of instances by movement, entity and typology, for fast matching. */
class TruthIndex {
  readonly byMovement = new Map<string, GroundTruthRecord[]>();
  readonly byEntity = new Map<string, GroundTruthRecord[]>();

  constructor(readonly records: readonly GroundTruthRecord[]) {
    for (const r of records) {
      for (const id of r.movements) push(this.byMovement, id, r);
      for (const id of r.entities) push(this.byEntity, id, r);
    }
  }

  matches(alert: DetectedAlert, options: MatchOptions): GroundTruthRecord[] {
    const found = new Set<GroundTruthRecord>();
    for (const m of alert.movements)
      for (const r of this.byMovement.get(m.movementId) ?? []) found.add(r);
    for (const e of alert.events ?? [])
      for (const r of this.byEntity.get(e.eventId) ?? []) found.add(r);
    for (const r of this.byEntity.get(alert.subject) ?? []) {
      if (found.has(r)) continue;
      const undated = alert.movements.length === 0 && (alert.events ?? []).length === 0;
      if (
        undated ||
        !r.window ||
        (alert.windowEnd >= r.window.from - options.slackMs &&
          alert.windowStart <= r.window.to + options.slackMs)
      ) {
        found.add(r);
      }
    }
    return [...found];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Precision, recall and F1 per typology of `alerts` against labelled instances, plus decoy
 * hits. Ownership typologies are left out (they are evaluated by the UBO tests).
 */
export function evaluateAlerts(
  alerts: readonly DetectedAlert[],
  groundTruth: readonly GroundTruthRecord[],
  dataset: Readonly<Record<string, string | number>> = {},
  matchOptions: Partial<MatchOptions> = {},
): EvaluationReport {
  const options: MatchOptions = { ...DEFAULT_MATCH_OPTIONS, ...matchOptions };
  const reporting = new Set(options.reportingRules);
  const records = groundTruth.filter((r) => familyOf(r.typology) !== 'ownership');
  const index = new TruthIndex(records);
  const detected = new Set<GroundTruthRecord>();
  const decoysAlerted = new Set<GroundTruthRecord>();
  const rules = new Map<string, RuleScore>();
  const perTypology = new Map<
    Typology,
    { alerts: number; tp: number; cross: number; decoy: number; unmatched: number }
  >();

  for (const alert of alerts) {
    const matched = index.matches(alert, options);
    const own = matched.filter((r) => !r.decoy && r.typology === alert.typology);
    const cross = matched.filter((r) => !r.decoy && r.typology !== alert.typology);
    const decoys = matched.filter((r) => r.decoy);
    const isReporting = reporting.has(alert.ruleId);
    if (!isReporting) {
      own.forEach((r) => detected.add(r));
      // A decoy counts as alerted only by alerts that match nothing real.
      if (own.length === 0 && cross.length === 0) decoys.forEach((r) => decoysAlerted.add(r));
    }
    const kind =
      own.length > 0
        ? 'tp'
        : cross.length > 0
          ? 'cross'
          : decoys.length > 0
            ? 'decoy'
            : 'unmatched';
    const rule = rules.get(alert.ruleId) ?? {
      ruleId: alert.ruleId,
      typology: alert.typology,
      reporting: isReporting,
      alerts: 0,
      truePositives: 0,
      crossTypology: 0,
      decoyHits: 0,
      unmatched: 0,
    };
    const fresh = { alerts: 0, tp: 0, cross: 0, decoy: 0, unmatched: 0 };
    // Reporting alerts are tallied per rule only (the typology tally is thrown away).
    const typology = isReporting ? fresh : (perTypology.get(alert.typology) ?? fresh);
    rule.alerts += 1;
    typology.alerts += 1;
    switch (kind) {
      case 'tp':
        rule.truePositives += 1;
        typology.tp += 1;
        break;
      case 'cross':
        rule.crossTypology += 1;
        typology.cross += 1;
        break;
      case 'decoy':
        rule.decoyHits += 1;
        typology.decoy += 1;
        break;
      case 'unmatched':
        rule.unmatched += 1;
        typology.unmatched += 1;
        break;
    }
    rules.set(alert.ruleId, rule);
    if (!isReporting) perTypology.set(alert.typology, typology);
  }

  const typologies = new Set<Typology>([...records.map((r) => r.typology), ...perTypology.keys()]);
  const scores: TypologyScore[] = [...typologies].sort().map((typology) => {
    const instances = records.filter((r) => r.typology === typology && !r.decoy);
    const decoys = records.filter((r) => r.typology === typology && r.decoy);
    const found = instances.filter((r) => detected.has(r));
    const counts = perTypology.get(typology) ?? {
      alerts: 0,
      tp: 0,
      cross: 0,
      decoy: 0,
      unmatched: 0,
    };
    const recall = ratio(found.length, instances.length);
    const precision = ratio(counts.tp, counts.alerts);
    return {
      typology,
      family: familyOf(typology),
      instances: instances.length,
      detected: found.length,
      alerts: counts.alerts,
      truePositives: counts.tp,
      crossTypology: counts.cross,
      decoyHits: counts.decoy,
      unmatched: counts.unmatched,
      recall,
      precision,
      f1: f1Of(precision, recall),
      lenientPrecision: ratio(counts.tp + counts.cross, counts.alerts),
      decoys: decoys.length,
      decoysAlerted: decoys.filter((r) => decoysAlerted.has(r)).length,
      missed: instances.filter((r) => !detected.has(r)).map((r) => r.instanceId),
    };
  });
  const sum = (pick: (s: TypologyScore) => number): number =>
    scores.reduce((t, s) => t + pick(s), 0);
  return {
    dataset,
    matching: MATCHING_RULE,
    typologies: scores,
    rules: [...rules.values()].sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1)),
    totals: {
      alerts: sum((s) => s.alerts),
      truePositives: sum((s) => s.truePositives),
      crossTypology: sum((s) => s.crossTypology),
      decoyHits: sum((s) => s.decoyHits),
      unmatched: sum((s) => s.unmatched),
      instances: sum((s) => s.instances),
      detected: sum((s) => s.detected),
      decoys: sum((s) => s.decoys),
      decoysAlerted: sum((s) => s.decoysAlerted),
    },
  };
}

function pct(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

function typologyTable(report: EvaluationReport): string[] {
  const lines = [
    '| typology | family | instances | detected | recall | alerts | TP | cross | decoy hits | unmatched | precision | lenient precision | F1 | decoys alerted |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of report.typologies) {
    lines.push(
      `| ${s.typology} | ${s.family} | ${s.instances} | ${s.detected} | ${pct(s.recall)} | ${s.alerts} | ${s.truePositives} | ` +
        `${s.crossTypology} | ${s.decoyHits} | ${s.unmatched} | ${pct(s.precision)} | ${pct(s.lenientPrecision)} | ${pct(s.f1)} | ` +
        `${s.decoysAlerted}/${s.decoys} |`,
    );
  }
  return lines;
}

function ruleTable(report: EvaluationReport): string[] {
  const lines = [
    '| rule | typology | alerts | TP | cross | decoy hits | unmatched |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.rules) {
    const name = r.reporting ? `${r.ruleId} (reporting, not scored)` : r.ruleId;
    lines.push(
      `| ${name} | ${r.typology} | ${r.alerts} | ${r.truePositives} | ${r.crossTypology} | ${r.decoyHits} | ${r.unmatched} |`,
    );
  }
  return lines;
}

function totalsLines(report: EvaluationReport): string[] {
  const t = report.totals;
  return [
    `- instances ${t.instances}, detected ${t.detected} (${pct(ratio(t.detected, t.instances))})`,
    `- alerts ${t.alerts}: true positives ${t.truePositives}, cross-typology ${t.crossTypology}, decoy hits ${t.decoyHits}, unmatched ${t.unmatched}`,
    `- decoys alerted ${t.decoysAlerted} of ${t.decoys}`,
  ];
}

function missedLines(report: EvaluationReport): string[] {
  const missed = report.typologies.filter((s) => s.missed.length > 0);
  if (missed.length === 0) return [];
  return [
    '## Missed instances',
    '',
    ...missed.map((s) => `- ${s.typology}: ${s.missed.join(', ')}`),
    '',
  ];
}

/** The report as markdown: a table per typology, one per rule, totals and the matching rule. */
export function renderEvaluationMarkdown(report: EvaluationReport): string {
  const lines: string[] = ['# Detector evaluation', ''];
  const facts = Object.entries(report.dataset);
  if (facts.length > 0) lines.push(...facts.map(([k, v]) => `- ${k}: ${v}`), '');
  lines.push(
    '## Per typology',
    '',
    ...typologyTable(report),
    '',
    '## Per rule',
    '',
    ...ruleTable(report),
  );
  lines.push(
    '',
    '## Totals',
    '',
    ...totalsLines(report),
    '',
    '## Matching rule',
    '',
    report.matching,
    '',
  );
  lines.push(...missedLines(report));
  return lines.join('\n');
}

/** Raw rule output and the same after case consolidation (what an analyst's queue shows). */
export interface EvaluationSummary {
  dataset: Readonly<Record<string, string | number>>;
  raw: EvaluationReport;
  consolidated: EvaluationReport;
  /** Alerts folded into a more specific alert by consolidation. */
  covered: number;
}

/** Both reports as one markdown document, consolidated first. */
export function renderEvaluationSummaryMarkdown(summary: EvaluationSummary): string {
  const lines: string[] = ['# Detector evaluation', ''];
  const facts = Object.entries(summary.dataset);
  if (facts.length > 0) lines.push(...facts.map(([k, v]) => `- ${k}: ${v}`), '');
  lines.push(
    '## After case consolidation',
    '',
    `An alert whose evidence movements all belong to a more specific alert is shown inside that alert (${summary.covered} alerts folded). ` +
      'Precision counts an alert as correct only when it matches an instance of its own typology; lenient precision also accepts real instances of other typologies.',
    '',
    ...typologyTable(summary.consolidated),
    '',
    ...totalsLines(summary.consolidated),
    '',
    '## Raw rule output',
    '',
    ...typologyTable(summary.raw),
    '',
    '### Per rule (raw)',
    '',
    ...ruleTable(summary.raw),
    '',
    ...totalsLines(summary.raw),
    '',
    '## Matching rule',
    '',
    summary.raw.matching,
    '',
    ...missedLines(summary.consolidated),
  );
  return lines.join('\n');
}
