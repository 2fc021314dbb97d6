import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { computeOwnership } from '../core/compute-ownership';
import { resolveUboOptions } from '../regimes';
import type { UboAnswer } from '../ubo.types';
import { findBodsTarget, importBodsStatements } from './bods-import';

/**
 * Checks the importer and the core against Open Ownership's own BODS 0.4 examples kept next
 * to the repository (`<repo>/../shared/data/bods`, see its README). A user's clone does not
 * have that folder, so the suite is skipped there, with the reason in its title. The
 * features are tested on this library's own fixtures; this shows that real files work.
 */
const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
const BODS = join(REPO_ROOT, '..', 'shared', 'data', 'bods');
const describeIfShared = existsSync(BODS) ? describe : describe.skip;

function read(file: string): unknown {
  return JSON.parse(readFileSync(join(BODS, file), 'utf8')) as unknown;
}

function evaluate(file: string, asOf: string, companyRecordId?: string): UboAnswer {
  const imported = importBodsStatements(read(file), { strict: true, asOf });
  const target = findBodsTarget(imported, companyRecordId);
  const options = resolveUboOptions(
    { regime: 'eu', thresholdBp: 2500, maxDepth: 25, convention: 'integrated' },
    { asOf },
  );
  return computeOwnership({ vertices: imported.vertices, edges: imported.edges }, target, options, {
    hints: { unidentified: imported.unidentified, unspecifiedParties: imported.unspecifiedParties },
  });
}

function shares(answer: UboAnswer): Record<string, [string, string, string]> {
  return Object.fromEntries(
    answer.owners.map((o) => [o.name, [o.effectiveShare.min, o.effectiveShare.max, o.qualifies]]),
  );
}

describeIfShared(
  `BODS 0.4 examples in ${BODS} (skipped: ../shared/data not present in a user's clone)`,
  () => {
    it('imports every example without skipping a statement', () => {
      const files = readdirSync(BODS).filter((file) => file.endsWith('.json'));
      expect(files.length).toBeGreaterThanOrEqual(19);
      for (const file of files) {
        const result = importBodsStatements(read(file));
        expect({ file, skipped: result.notes.filter((n) => n.severity === 'skipped') }).toEqual({
          file,
          skipped: [],
        });
        expect(result.vertices.length).toBeGreaterThan(0);
      }
    });

    it('bods-package-fi-soe.json end to end: the Ministry holds 76.5% x 100% + 23.5% = 100% of Gasgrid', () => {
      const answer = evaluate('bods-package-fi-soe.json', '2024-01-01');
      expect(answer.target.name).toBe('Gasgrid Finland Oy');
      expect(answer.owners).toEqual([]);
      const byName = Object.fromEntries(answer.entities.map((e) => [e.name, e.effectiveShare.min]));
      expect(byName).toMatchObject({
        Valtiovarainministerio: '1/1',
        'Suomen Kaasuverkko Oy': '153/200',
        'Suomen tasavalta': '1/1',
      });
      expect(answer.entities.find((e) => e.name === 'Suomen tasavalta')?.top).toBe(true);
      expect(answer.warnings.map((w) => w.code)).toContain('no-natural-person');
    });

    it("fermcat.json: records replaced over time leave Patrick O'Donohue with 100% in 2022", () => {
      expect(shares(evaluate('fermcat.json', '2022-06-01'))).toEqual({
        "Patrick O'Donohue": ['1/1', '1/1', 'yes'],
      });
      expect(shares(evaluate('fermcat.json', '2020-12-31'))).toEqual({
        "Patrick O'Donohue": ['1/2', '1/2', 'yes'],
        'Riyadh Byrne-Amin': ['1/2', '1/2', 'yes'],
      });
    });

    it('tecido.json: after Maria Esteves leaves, Shear Trust holds 80% and no person remains', () => {
      const answer = evaluate('tecido.json', '2024-01-01');
      expect(answer.owners).toEqual([]);
      expect(answer.entities.map((e) => [e.name, e.effectiveShare.min])).toEqual([
        ['Shear Trust', '4/5'],
      ]);
    });

    it('mixed-direct-and-indirect-ownership.json: 50% declared indirect through Company B plus 50% direct is 100%', () => {
      expect(shares(evaluate('mixed-direct-and-indirect-ownership.json', '2024-01-01'))).toEqual({
        'Person 1': ['1/1', '1/1', 'yes'],
      });
    });

    it('indirect, joint and PEP examples', () => {
      expect(shares(evaluate('indirect-ownership.json', '2024-01-01'))).toEqual({
        'Person 1': ['3/10', '3/10', 'yes'],
      });
      expect(shares(evaluate('joint-ownership.json', '2024-01-01'))).toEqual({
        'Natalie Coleman': ['1/2', '1/2', 'yes'],
        'Roberto Lopez': ['1/2', '1/2', 'yes'],
      });
      const pep = evaluate('simple-pep-declaration.json', '2024-01-01');
      expect(shares(pep)).toEqual({ 'Michael Hubbard': ['1/4', '1/2', 'yes'] });
      expect(pep.owners[0].effectiveShare.maxExclusive).toBe(true);
      expect(pep.beneficialOwners[0].risk.indicators.map((i) => i.code)).toContain('pep');
    });
  },
);
