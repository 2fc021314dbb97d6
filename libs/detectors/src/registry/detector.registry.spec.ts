import { EntityNotFoundError, InvalidInputError } from '@app/vocabulary';
import { fanOutDetector } from '../aml/fan.detector';
import { structuringDetector } from '../aml/structuring.detector';
import { defaultConfig } from '../testing/fixtures';
import { ALL_DETECTORS } from './all-detectors';
import { DetectorRegistry } from './detector.registry';

describe('DetectorRegistry', () => {
  const registry = new DetectorRegistry(
    ALL_DETECTORS,
    defaultConfig({ DETECTORS_FAN_MIN_COUNTERPARTIES: '7' }),
  );

  it('registers every rule once, each with a typology, a source and a version', () => {
    expect(new Set(registry.ids()).size).toBe(ALL_DETECTORS.length);
    for (const rule of registry.describe()) {
      expect(rule.source.length).toBeGreaterThan(10);
      expect(rule.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(rule.parameters.every((p) => p.default !== undefined)).toBe(true);
    }
  });

  it('takes defaults from the detectors settings and applies per-run overrides', () => {
    const [fan] = registry.instantiate(['aml.fan-out']);
    expect(fan.params.minCounterparties).toBe(7);
    const [overridden] = registry.instantiate(['aml.fan-out'], {
      'aml.fan-out': { minCounterparties: 3 },
    });
    expect(overridden.params.minCounterparties).toBe(3);
    expect(
      registry
        .describe()
        .find((r) => r.id === 'aml.structuring')
        ?.parameters.find((p) => p.name === 'threshold')?.default,
    ).toBe('10000.00');
  });

  it('refuses unknown rules, overrides for rules not chosen and duplicate ids', () => {
    expect(() => registry.instantiate(['aml.nope'])).toThrow(InvalidInputError);
    expect(() =>
      registry.instantiate(['aml.fan-out'], { 'aml.structuring': { windowDays: 3 } }),
    ).toThrow(/parameters\.aml\.structuring must name a rule chosen for this run/);
    expect(() => registry.get('aml.nope')).toThrow(EntityNotFoundError);
    expect(
      () =>
        new DetectorRegistry(
          [structuringDetector, fanOutDetector, structuringDetector],
          defaultConfig(),
        ),
    ).toThrow(/Two detectors are registered with the id "aml.structuring"/);
  });

  it('knows reporting rules and specificity for consolidation', () => {
    expect(registry.reportingRuleIds()).toEqual(['aml.cash-aggregation']);
    expect(registry.specificityOf('fraud.mule-chain')).toBeGreaterThan(
      registry.specificityOf('aml.pass-through'),
    );
  });
});
