import { generateBank, generateBankInMemory } from '@app/generators';
import { familyOf } from '@app/vocabulary';
import { ALL_DETECTORS } from '../registry/all-detectors';
import { DetectorRegistry } from '../registry/detector.registry';
import { defaultConfig } from '../testing/fixtures';
import { evaluateChunks, evaluateDataset } from './run-evaluation';

describe('evaluateChunks: the evaluation streamed in bounded memory', () => {
  const bank = {
    profile: 'tiny',
    seed: 11,
    referenceTime: '2025-01-01T00:00:00Z',
    days: 45,
  } as const;
  const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig());
  const observedSince = Date.parse(bank.referenceTime) - bank.days * 86_400_000;

  it('scores every typology, movement and account exactly as the evaluation over the bank held in memory', async () => {
    const inMemory = evaluateDataset(registry, await generateBankInMemory(bank), { observedSince });
    const streamed = await evaluateChunks(registry, generateBank(bank), {
      observedSince,
      reread: () => generateBank(bank),
    });
    expect(inMemory.summary.consolidated.totals.detected).toBeGreaterThan(0);
    expect(streamed.summary.consolidated.typologies).toEqual(
      inMemory.summary.consolidated.typologies,
    );
    expect(streamed.summary.raw.totals).toEqual(inMemory.summary.raw.totals);
    expect(streamed.detection.alerts).toEqual(inMemory.detection.alerts);
    const transactions = inMemory.summary.transactions;
    expect(transactions.movements).toBe(inMemory.detection.movements);
    expect(transactions.labelledNotSeen).toBe(0);
    expect(transactions.aml.overall.labelled).toBeGreaterThan(0);
    expect(transactions.aml.test?.labelled).toBeGreaterThan(0);
    // The span starts at the simulated period, not at the dormant accounts' old movements.
    expect(transactions.testSplit?.spanStart).toBe(new Date(observedSince).toISOString());
    expect(streamed.summary.transactions).toEqual(transactions);
    expect(inMemory.summary.accounts?.positive).toBeGreaterThan(0);
    expect(streamed.summary.accounts).toEqual(inMemory.summary.accounts);
  });

  it('reports labelled movements as not seen when the ground truth comes last and cannot be reread', async () => {
    const streamed = await evaluateChunks(registry, generateBank(bank), { observedSince });
    const { groundTruth } = await generateBankInMemory(bank);
    const labelled = new Set(
      groundTruth
        .filter((r) => !r.decoy && familyOf(r.typology) !== 'ownership')
        .flatMap((r) => r.movements),
    );
    expect(streamed.summary.transactions.labelledNotSeen).toBe(labelled.size);
    expect(streamed.summary.transactions.aml.overall.labelled).toBe(0);
  });

  it('reports the time spent producing the chunks apart from detection', async () => {
    let tick = 0;
    // Every clock reading advances 10 ms: waiting for a chunk costs one interval.
    const clock = (): number => (tick += 10);
    const chunks = [
      { vertices: [], edges: [] },
      { vertices: [], edges: [], groundTruth: [] },
    ];
    const run = await evaluateChunks(registry, chunks, { facts: { profile: 'none' } }, clock);
    expect(run.summary.dataset.generationMs).toBe(30);
    expect(run.summary.dataset.profile).toBe('none');
    expect(run.durationMs).toBe(run.summary.dataset.detectionMs);
  });
});
