import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidSettingsError, loadAllSettings } from '@app/settings';
import { ALL_DETECTORS } from './all-detectors';
import { DetectorRegistry } from './detector.registry';
import {
  RULE_PARAMETERS_FORMAT,
  RULE_PARAMETERS_FORMAT_VERSION,
  serializeRuleParametersFile,
} from './rule-parameters-file';

describe('DETECTORS_PARAMETERS_FILE (rule parameters written by `seeder tune`)', () => {
  let work: string;
  beforeEach(() => (work = mkdtempSync(join(tmpdir(), 'rule-parameters-'))));
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  function registryWith(parameters: Record<string, Record<string, unknown>>): DetectorRegistry {
    const file = join(work, 'parameters.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: RULE_PARAMETERS_FORMAT,
        formatVersion: RULE_PARAMETERS_FORMAT_VERSION,
        parameters,
      }),
    );
    const settings = loadAllSettings({ DETECTORS_PARAMETERS_FILE: file });
    return new DetectorRegistry(ALL_DETECTORS, settings.detectors);
  }

  it("replaces the rules' defaults, and a run's own overrides still win", () => {
    const registry = registryWith({ 'aml.fan-out': { minCounterparties: 3, minAmount: '250.00' } });
    const [fanOut] = registry.instantiate(['aml.fan-out']);
    expect(fanOut.params).toMatchObject({ minCounterparties: 3, minAmount: '250.00' });
    const [overridden] = registry.instantiate(['aml.fan-out'], {
      'aml.fan-out': { minCounterparties: 7 },
    });
    expect(overridden.params).toMatchObject({ minCounterparties: 7, minAmount: '250.00' });
    const described = registry.describe().find((r) => r.id === 'aml.fan-out');
    expect(described?.parameters.find((p) => p.name === 'minCounterparties')?.default).toBe(3);
    // Queries outside a run (the fraud ring query) read the file too.
    const rings = registryWith({ 'fraud.ring': { hubCap: 4 } });
    const ring = rings.get('fraud.ring');
    expect(rings.parametersOf(ring).hubCap).toBe(4);
    expect(rings.parametersOf(ring, { hubCap: 6 }).hubCap).toBe(6);
    // Rules the file does not name keep their defaults.
    expect(registry.instantiate(['aml.fan-in'])[0].params.minCounterparties).toBe(5);
  });

  it('stops the start on an unknown rule, an unknown parameter, a bad value or a missing file', () => {
    expect(() => registryWith({ 'aml.no-such-rule': { x: 1 } })).toThrow(InvalidSettingsError);
    expect(() => registryWith({ 'aml.fan-out': { noSuchParameter: 1 } })).toThrow(
      /DETECTORS_PARAMETERS_FILE.*noSuchParameter/s,
    );
    expect(() => registryWith({ 'aml.fan-out': { minCounterparties: 1 } })).toThrow(/at least 2/);
    const settings = loadAllSettings({ DETECTORS_PARAMETERS_FILE: join(work, 'absent.json') });
    expect(() => new DetectorRegistry(ALL_DETECTORS, settings.detectors)).toThrow(/cannot read/);
  });

  it('refuses a file of another format', () => {
    const file = join(work, 'model.json');
    writeFileSync(
      file,
      serializeRuleParametersFile({
        format: RULE_PARAMETERS_FORMAT,
        formatVersion: RULE_PARAMETERS_FORMAT_VERSION,
        parameters: {},
      }).replace(RULE_PARAMETERS_FORMAT, 'graph-banking-risk-model'),
    );
    const settings = loadAllSettings({ DETECTORS_PARAMETERS_FILE: file });
    expect(() => new DetectorRegistry(ALL_DETECTORS, settings.detectors)).toThrow(
      /not a graph-banking-rule-parameters file/,
    );
  });
});
