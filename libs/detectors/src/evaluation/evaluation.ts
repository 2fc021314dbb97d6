import { familyOf } from '@app/vocabulary';
import type {
  GroundTruthRecord,
  GroundTruthSource,
  Typology,
  TypologyFamily,
} from '@app/vocabulary';
import type { DetectedAlert } from '../core/detector';
import {
  DEFAULT_MATCH_OPTIONS,
  LENIENT_MATCHING_RULE,
  STRICT_MATCHING_RULE,
  TruthIndex,
} from './matching';
import type { MatchMode, MatchOptions } from './matching';
import { f1Of, pct, ratio } from './ratios';
import type { AccountEvaluation, BinaryScores, TransactionEvaluation } from './transaction-scores';

export * from './matching';
export * from './transaction-scores';

/**
 * Scores of one typology (or of all) under one matching view. An instance counts as detected
 * when at least one alert of the same typology matches it. An alert is a true positive when it
 * matches a non-decoy instance of its own typology; alerts matching a non-decoy instance of
 * another typology are cross-typology matches (a real pattern, flagged by a neighbouring rule),
 * alerts matching only a decoy are decoy hits, the rest are unmatched.
 */
export interface MatchScore {
  detected: number;
  truePositives: number;
  crossTypology: number;
  decoyHits: number;
  unmatched: number;
  /** null when undefined (no instances, or no alerts). */
  recall: number | null;
  precision: number | null;
  f1: number | null;
  /** Decoy instances of this typology that drew an alert matching nothing real. */
  decoysAlerted: number;
}

/** Strict scores at the top level, the lenient view under `lenient`. */
export interface TypologyScore extends MatchScore {
  typology: Typology;
  family: TypologyFamily;
  /** Labelled (non-decoy) instances. */
  instances: number;
  /** Alerts of rules of this typology. */
  alerts: number;
  /** (true positives + cross-typology) / alerts, strict: how many alerts point at real laundering/fraud. */
  anyTypologyPrecision: number | null;
  /** Decoy instances that look like this typology. */
  decoys: number;
  /** Instances not detected under strict matching. */
  missed: string[];
  lenient: MatchScore;
}

export interface RuleCounts {
  truePositives: number;
  crossTypology: number;
  decoyHits: number;
  unmatched: number;
}

export interface RuleScore extends RuleCounts {
  ruleId: string;
  typology: Typology;
  /** True for reporting rules, which are left out of the typology scores. */
  reporting: boolean;
  alerts: number;
  lenient: RuleCounts;
}

export interface TotalCounts {
  truePositives: number;
  crossTypology: number;
  decoyHits: number;
  unmatched: number;
  detected: number;
  decoysAlerted: number;
  /** Alerts that match no real instance: decoy hits plus unmatched. */
  falseAlerts: number;
}

export interface EvaluationTotals extends TotalCounts {
  alerts: number;
  instances: number;
  decoys: number;
  lenient: TotalCounts;
}

/** Instance recall of one typology among the instances of one ground-truth source. */
export interface SourceRecall {
  typology: Typology;
  instances: number;
  detected: number;
  recall: number | null;
  lenientDetected: number;
  lenientRecall: number | null;
}

/**
 * Instance recall per ground-truth source (our generator, AMLworld attempts grafted onto a
 * generated bank, AMLSim…): with several sources in one dataset, a typology's recall mixes
 * them; this keeps each apart. Precision has no source (an unmatched alert belongs to none).
 */
export interface SourceScore {
  source: GroundTruthSource;
  instances: number;
  detected: number;
  recall: number | null;
  lenientDetected: number;
  lenientRecall: number | null;
  typologies: SourceRecall[];
}

export interface EvaluationReport {
  /** Free description of the dataset (profile, seed, days, counts). */
  dataset: Readonly<Record<string, string | number>>;
  /** How alerts are matched to instances, strict then lenient. */
  matching: { strict: string; lenient: string };
  typologies: TypologyScore[];
  rules: RuleScore[];
  totals: EvaluationTotals;
  /** Instance recall per ground-truth source, sorted by source. */
  sources: SourceScore[];
}

function sourceScores(
  records: readonly GroundTruthRecord[],
  strict: ViewResult,
  lenient: ViewResult,
): SourceScore[] {
  const bySource = new Map<GroundTruthSource, GroundTruthRecord[]>();
  for (const r of records) {
    if (r.decoy) continue;
    const list = bySource.get(r.source);
    if (list) list.push(r);
    else bySource.set(r.source, [r]);
  }
  const recallOf = (typology: Typology | undefined, list: readonly GroundTruthRecord[]) => {
    const mine = typology === undefined ? list : list.filter((r) => r.typology === typology);
    const detected = mine.filter((r) => strict.detected.has(r)).length;
    const lenientDetected = mine.filter((r) => lenient.detected.has(r)).length;
    return {
      instances: mine.length,
      detected,
      recall: ratio(detected, mine.length),
      lenientDetected,
      lenientRecall: ratio(lenientDetected, mine.length),
    };
  };
  return [...bySource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([source, list]) => ({
      source,
      ...recallOf(undefined, list),
      typologies: [...new Set(list.map((r) => r.typology))]
        .sort()
        .map((typology) => ({ typology, ...recallOf(typology, list) })),
    }));
}

type Kind = 'tp' | 'cross' | 'decoy' | 'unmatched';

interface Tally {
  alerts: number;
  tp: number;
  cross: number;
  decoy: number;
  unmatched: number;
}

const emptyTally = (): Tally => ({ alerts: 0, tp: 0, cross: 0, decoy: 0, unmatched: 0 });

function add(tally: Tally, kind: Kind): void {
  tally.alerts += 1;
  switch (kind) {
    case 'tp':
      tally.tp += 1;
      break;
    case 'cross':
      tally.cross += 1;
      break;
    case 'decoy':
      tally.decoy += 1;
      break;
    case 'unmatched':
      tally.unmatched += 1;
      break;
  }
}

/** What one matching view makes of every alert. */
interface ViewResult {
  detected: Set<GroundTruthRecord>;
  decoysAlerted: Set<GroundTruthRecord>;
  perTypology: Map<Typology, Tally>;
  perRule: Map<string, Tally>;
}

function scoreView(
  alerts: readonly DetectedAlert[],
  index: TruthIndex,
  mode: MatchMode,
  options: MatchOptions,
): ViewResult {
  const reporting = new Set(options.reportingRules);
  const view: ViewResult = {
    detected: new Set(),
    decoysAlerted: new Set(),
    perTypology: new Map(),
    perRule: new Map(),
  };
  for (const alert of alerts) {
    const matched = index.matches(alert, mode, options.slackMs);
    const own = matched.filter((r) => !r.decoy && r.typology === alert.typology);
    const cross = matched.filter((r) => !r.decoy && r.typology !== alert.typology);
    const decoys = matched.filter((r) => r.decoy);
    const isReporting = reporting.has(alert.ruleId);
    if (!isReporting) {
      own.forEach((r) => view.detected.add(r));
      // A decoy counts as alerted only by alerts that match nothing real.
      if (own.length === 0 && cross.length === 0) decoys.forEach((r) => view.decoysAlerted.add(r));
    }
    const kind: Kind =
      own.length > 0
        ? 'tp'
        : cross.length > 0
          ? 'cross'
          : decoys.length > 0
            ? 'decoy'
            : 'unmatched';
    const rule = view.perRule.get(alert.ruleId) ?? emptyTally();
    add(rule, kind);
    view.perRule.set(alert.ruleId, rule);
    // Reporting alerts are tallied per rule only.
    if (!isReporting) {
      const typology = view.perTypology.get(alert.typology) ?? emptyTally();
      add(typology, kind);
      view.perTypology.set(alert.typology, typology);
    }
  }
  return view;
}

function matchScore(
  view: ViewResult,
  typology: Typology,
  instances: readonly GroundTruthRecord[],
  decoys: readonly GroundTruthRecord[],
): MatchScore {
  const counts = view.perTypology.get(typology) ?? emptyTally();
  const detected = instances.filter((r) => view.detected.has(r)).length;
  const recall = ratio(detected, instances.length);
  const precision = ratio(counts.tp, counts.alerts);
  return {
    detected,
    truePositives: counts.tp,
    crossTypology: counts.cross,
    decoyHits: counts.decoy,
    unmatched: counts.unmatched,
    recall,
    precision,
    f1: f1Of(precision, recall),
    decoysAlerted: decoys.filter((r) => view.decoysAlerted.has(r)).length,
  };
}

function ruleCounts(tally: Tally | undefined): RuleCounts {
  const t = tally ?? emptyTally();
  return {
    truePositives: t.tp,
    crossTypology: t.cross,
    decoyHits: t.decoy,
    unmatched: t.unmatched,
  };
}

function totalCounts(scores: readonly MatchScore[]): TotalCounts {
  const sum = (pick: (s: MatchScore) => number): number => scores.reduce((t, s) => t + pick(s), 0);
  return {
    truePositives: sum((s) => s.truePositives),
    crossTypology: sum((s) => s.crossTypology),
    decoyHits: sum((s) => s.decoyHits),
    unmatched: sum((s) => s.unmatched),
    detected: sum((s) => s.detected),
    decoysAlerted: sum((s) => s.decoysAlerted),
    falseAlerts: sum((s) => s.decoyHits + s.unmatched),
  };
}

/**
 * Precision, recall and F1 per typology of `alerts` against labelled instances, strict and
 * lenient (see `TruthIndex`), plus decoy hits. Ownership typologies are left out (they are
 * evaluated by the UBO tests).
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
  const strict = scoreView(alerts, index, 'strict', options);
  const lenient = scoreView(alerts, index, 'lenient', options);

  const typologies = new Set<Typology>([
    ...records.map((r) => r.typology),
    ...strict.perTypology.keys(),
  ]);
  const scores: TypologyScore[] = [...typologies].sort().map((typology) => {
    const instances = records.filter((r) => r.typology === typology && !r.decoy);
    const decoys = records.filter((r) => r.typology === typology && r.decoy);
    const counts = strict.perTypology.get(typology) ?? emptyTally();
    return {
      typology,
      family: familyOf(typology),
      instances: instances.length,
      alerts: counts.alerts,
      ...matchScore(strict, typology, instances, decoys),
      anyTypologyPrecision: ratio(counts.tp + counts.cross, counts.alerts),
      decoys: decoys.length,
      missed: instances.filter((r) => !strict.detected.has(r)).map((r) => r.instanceId),
      lenient: matchScore(lenient, typology, instances, decoys),
    };
  });
  const rules: RuleScore[] = [];
  for (const [ruleId, tally] of strict.perRule) {
    const alert = alerts.find((a) => a.ruleId === ruleId);
    if (!alert) continue;
    rules.push({
      ruleId,
      typology: alert.typology,
      reporting: reporting.has(ruleId),
      alerts: tally.alerts,
      ...ruleCounts(tally),
      lenient: ruleCounts(lenient.perRule.get(ruleId)),
    });
  }
  rules.sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1));
  return {
    dataset,
    matching: { strict: STRICT_MATCHING_RULE, lenient: LENIENT_MATCHING_RULE },
    typologies: scores,
    rules,
    totals: {
      alerts: scores.reduce((t, s) => t + s.alerts, 0),
      instances: scores.reduce((t, s) => t + s.instances, 0),
      decoys: scores.reduce((t, s) => t + s.decoys, 0),
      ...totalCounts(scores),
      lenient: totalCounts(scores.map((s) => s.lenient)),
    },
    sources: sourceScores(records, strict, lenient),
  };
}

function typologyTable(report: EvaluationReport): string[] {
  const lines = [
    '| typology | family | instances | alerts | detected | recall | TP | cross | decoy hits | unmatched | precision | F1 | precision (any typology) | decoys alerted | lenient: detected | lenient recall | lenient precision | lenient F1 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of report.typologies) {
    lines.push(
      `| ${s.typology} | ${s.family} | ${s.instances} | ${s.alerts} | ${s.detected} | ${pct(s.recall)} | ${s.truePositives} | ` +
        `${s.crossTypology} | ${s.decoyHits} | ${s.unmatched} | ${pct(s.precision)} | ${pct(s.f1)} | ${pct(s.anyTypologyPrecision)} | ` +
        `${s.decoysAlerted}/${s.decoys} | ${s.lenient.detected} | ${pct(s.lenient.recall)} | ${pct(s.lenient.precision)} | ${pct(s.lenient.f1)} |`,
    );
  }
  return lines;
}

function ruleTable(report: EvaluationReport): string[] {
  const lines = [
    '| rule | typology | alerts | TP | cross | decoy hits | unmatched | lenient: TP | lenient unmatched |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.rules) {
    const name = r.reporting ? `${r.ruleId} (reporting, not scored)` : r.ruleId;
    lines.push(
      `| ${name} | ${r.typology} | ${r.alerts} | ${r.truePositives} | ${r.crossTypology} | ${r.decoyHits} | ${r.unmatched} | ` +
        `${r.lenient.truePositives} | ${r.lenient.unmatched} |`,
    );
  }
  return lines;
}

function totalsLines(report: EvaluationReport): string[] {
  const t = report.totals;
  const l = t.lenient;
  return [
    `- instances ${t.instances}, detected ${t.detected} (${pct(ratio(t.detected, t.instances))}); lenient: ${l.detected} (${pct(ratio(l.detected, t.instances))})`,
    `- alerts ${t.alerts}: true positives ${t.truePositives}, cross-typology ${t.crossTypology}, decoy hits ${t.decoyHits}, unmatched ${t.unmatched} ` +
      `(false alerts ${t.falseAlerts}); lenient: true positives ${l.truePositives}, cross-typology ${l.crossTypology}, decoy hits ${l.decoyHits}, unmatched ${l.unmatched}`,
    `- decoys alerted ${t.decoysAlerted} of ${t.decoys}; lenient: ${l.decoysAlerted}`,
  ];
}

/** Recall per ground-truth source, when the dataset mixes sources (an injected bank). */
function sourceLines(report: EvaluationReport): string[] {
  if (report.sources.length < 2) return [];
  const lines = [
    '### Recall per ground-truth source',
    '',
    '| source | typology | instances | detected | recall | lenient: detected | lenient recall |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of report.sources) {
    lines.push(
      `| ${s.source} | all | ${s.instances} | ${s.detected} | ${pct(s.recall)} | ${s.lenientDetected} | ${pct(s.lenientRecall)} |`,
    );
    for (const t of s.typologies) {
      lines.push(
        `| ${s.source} | ${t.typology} | ${t.instances} | ${t.detected} | ${pct(t.recall)} | ${t.lenientDetected} | ${pct(t.lenientRecall)} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

function matchingLines(report: EvaluationReport): string[] {
  return [`- ${report.matching.strict}`, `- ${report.matching.lenient}`];
}

function missedLines(report: EvaluationReport): string[] {
  const missed = report.typologies.filter((s) => s.missed.length > 0);
  if (missed.length === 0) return [];
  return [
    '## Missed instances (strict)',
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
    '',
    '## Totals',
    '',
    ...totalsLines(report),
    '',
    '## Matching rule',
    '',
    ...matchingLines(report),
    '',
    ...missedLines(report),
  );
  return lines.join('\n');
}

/** Raw rule output and the same after case consolidation (what an analyst's queue shows). */
export interface EvaluationSummary {
  dataset: Readonly<Record<string, string | number>>;
  raw: EvaluationReport;
  consolidated: EvaluationReport;
  /** Alerts folded into a more specific alert by consolidation. */
  covered: number;
  /** Per-movement scores (minority class), overall and on the temporal test split. */
  transactions: TransactionEvaluation;
  /** Per-account scores, when the ground truth names accounts (null otherwise). */
  accounts: AccountEvaluation | null;
}

function binaryRow(label: string, scores: BinaryScores): string {
  return (
    `| ${label} | ${scores.movements} | ${scores.labelled} | ${scores.predicted} | ${scores.truePositives} | ` +
    `${pct(scores.precision)} | ${pct(scores.recall)} | ${pct(scores.f1)} |`
  );
}

/** The per-transaction section: both families, overall and on the test split, then AML per typology. */
export function transactionLines(transactions: TransactionEvaluation): string[] {
  const split = transactions.testSplit;
  const splitLabel = split ? `test split (from ${split.from})` : 'test split';
  const lines = [
    '## Per transaction',
    '',
    transactions.method,
    '',
    `- movements ${transactions.movements}, from ${transactions.firstMovementAt ?? '—'} to ${transactions.lastMovementAt ?? '—'}`,
    split
      ? `- test split: movements at or after ${split.from} (the last ${split.share * 100}% of the span from ${split.spanStart}): ${split.movements}`
      : '- test split: none (no movements)',
    `- labelled movement ids not seen among the movements (left out): ${transactions.labelledNotSeen}`,
    `- AML-labelled movements flagged only by fraud rules (not counted as found): ${transactions.aml.flaggedByOtherFamilyOnly}`,
    '',
    '| family, view | movements | labelled | predicted | TP | precision | recall | F1 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const family of [transactions.aml, transactions.fraud]) {
    const name = family.family === 'aml' ? 'AML' : 'fraud';
    lines.push(binaryRow(`${name}, all movements`, family.overall));
    if (family.test) lines.push(binaryRow(`${name}, ${splitLabel}`, family.test));
  }
  const sources = [transactions.aml, transactions.fraud].flatMap((f) =>
    f.sources.map((r) => ({ family: f.family === 'aml' ? 'AML' : 'fraud', ...r })),
  );
  if (new Set(sources.map((r) => r.source)).size > 1) {
    lines.push(
      '',
      '### Recall per ground-truth source (movements)',
      '',
      '| family | source | labelled | found | recall | test: labelled | test: found | test: recall |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      ...sources.map(
        (r) =>
          `| ${r.family} | ${r.source} | ${r.labelled} | ${r.found} | ${pct(r.recall)} | ${r.testLabelled} | ${r.testFound} | ${pct(r.testRecall)} |`,
      ),
    );
  }
  const rows = transactions.aml.typologies;
  if (rows.length > 0) {
    lines.push(
      '',
      '### AML per typology (movements)',
      '',
      'Recall: movements of instances of the typology flagged by any AML rule. Precision: movements flagged by the rules of the typology ' +
        'that are labelled laundering (of any typology).',
      '',
      '| typology | labelled | found | recall | test: labelled | test: found | test: recall | flagged by its rules | of which laundering | precision |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.typology} | ${r.labelled} | ${r.found} | ${pct(r.recall)} | ${r.testLabelled} | ${r.testFound} | ${pct(r.testRecall)} | ` +
          `${r.flagged} | ${r.flaggedLabelled} | ${pct(r.precision)} |`,
      ),
    );
  }
  lines.push('');
  return lines;
}

/** The per-account section (datasets labelled per account). */
export function accountLines(accounts: AccountEvaluation | null): string[] {
  if (accounts === null) return [];
  return [
    '## Per account (AML)',
    '',
    accounts.method,
    '',
    '| accounts | positive | predicted | TP | precision | recall | F1 |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${accounts.accounts} | ${accounts.positive} | ${accounts.predicted} | ${accounts.truePositives} | ` +
      `${pct(accounts.precision)} | ${pct(accounts.recall)} | ${pct(accounts.f1)} |`,
    '',
  ];
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
      'Recall, precision and F1 use strict matching (the alert shares a movement or an event with the instance); the lenient columns also ' +
      'accept an alert on the instance key account in an overlapping window. Precision counts an alert as correct only when it matches an ' +
      'instance of its own typology; precision (any typology) also accepts real instances of other typologies.',
    '',
    ...typologyTable(summary.consolidated),
    '',
    ...totalsLines(summary.consolidated),
    '',
    ...sourceLines(summary.consolidated),
    ...transactionLines(summary.transactions),
    ...accountLines(summary.accounts),
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
    ...matchingLines(summary.raw),
    '',
    ...missedLines(summary.consolidated),
  );
  return lines.join('\n');
}
