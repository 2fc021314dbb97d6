import { computeOwnership } from '../core/compute-ownership';
import { resolveUboOptions } from '../regimes';
import { StructureBuilder } from '../structure-builder';
import type { UboAnswer } from '../ubo.types';
import { exportBodsStatements } from './bods-export';
import { findBodsTarget, importBodsStatements } from './bods-import';
import type { BodsStatement } from './bods.types';

const OPTIONS = resolveUboOptions(
  { regime: 'eu', thresholdBp: 2500, maxDepth: 25, convention: 'integrated' },
  { asOf: '2025-01-01' },
);

function structure(): {
  b: StructureBuilder;
  ann: string;
  bob: string;
  ceo: string;
  a: string;
  t: string;
} {
  const b = new StructureBuilder('src');
  const ann = b.person('ann', { nationality: 'GB', isPep: true });
  const bob = b.person('bob');
  const ceo = b.person('ceo');
  const a = b.company('a');
  const c = b.company('c');
  const t = b.company('t');
  b.owns(ann, a, 5000);
  b.owns(a, t, 3000);
  b.owns(ann, c, 10000);
  b.owns(c, t, 1000); // Ann: 15% + 10% = 25%
  b.owns(bob, t, [4000, 4500]);
  b.controls(ceo, t, 'seniorManagingOfficial');
  return { b, ann, bob, ceo, a, t };
}

function ownersOf(answer: UboAnswer): [string, string, string, string][] {
  return answer.owners.map((o) => [o.uid, o.effectiveShare.min, o.effectiveShare.max, o.qualifies]);
}

describe('exportBodsStatements', () => {
  it('writes entities, persons, component relationships before primaries, with valid statement ids', () => {
    const { b, ann, bob, a, t } = structure();
    const graph = b.build();
    const answer = computeOwnership(graph, t, OPTIONS);
    const statements = exportBodsStatements(answer, graph, { publicationDate: '2025-01-02' });
    for (const s of statements) {
      expect(s.statementId).toMatch(/^[0-9a-f]{64}$/);
      expect(s.publicationDetails).toEqual({
        publicationDate: '2025-01-02',
        bodsVersion: '0.4',
        publisher: { name: 'graph-banking-analytics' },
      });
      expect(s.declarationSubject).toBe(t);
    }
    expect(new Set(statements.map((s) => s.statementId)).size).toBe(statements.length);
    const kinds = statements.map((s) => s.recordType);
    expect(kinds.indexOf('relationship')).toBeGreaterThan(kinds.lastIndexOf('person'));
    const primaries = statements.filter(
      (s): s is Extract<BodsStatement, { recordType: 'relationship' }> =>
        s.recordType === 'relationship' && s.recordId.startsWith('bo:'),
    );
    expect(primaries.map((s) => s.recordDetails.interestedParty).sort()).toEqual([ann, bob].sort());
    const annPrimary = primaries.find(
      (s) => s.recordType === 'relationship' && s.recordDetails.interestedParty === ann,
    );
    if (annPrimary?.recordType !== 'relationship')
      throw new Error('no primary relationship for Ann');
    expect(annPrimary.recordDetails.interests?.[0]).toMatchObject({
      type: 'shareholding',
      directOrIndirect: 'indirect',
      beneficialOwnershipOrControl: true,
      share: { exact: 25 },
    });
    const components = new Set(annPrimary.recordDetails.componentRecords);
    expect(components.has(a)).toBe(true);
    const firstPrimary = statements.indexOf(primaries[0]);
    statements.forEach((s, i) => {
      if (s.recordType === 'relationship' && s.recordDetails.isComponent)
        expect(i).toBeLessThan(firstPrimary);
    });
    const bobPrimary = primaries.find(
      (s) => s.recordType === 'relationship' && s.recordDetails.interestedParty === bob,
    );
    if (bobPrimary?.recordType !== 'relationship')
      throw new Error('no primary relationship for Bob');
    expect(bobPrimary.recordDetails.interests).toEqual([
      {
        type: 'shareholding',
        directOrIndirect: 'direct',
        beneficialOwnershipOrControl: true,
        share: { minimum: 40, maximum: 45 },
      },
    ]);
    const annPerson = statements.find((s) => s.recordId === ann);
    expect(annPerson?.recordDetails).toMatchObject({
      personType: 'knownPerson',
      politicalExposure: { status: 'isPep' },
    });
  });

  it('round trip: reading the exported statements back gives the same owners and shares', () => {
    const { b, t } = structure();
    const graph = b.build();
    const answer = computeOwnership(graph, t, OPTIONS);
    const statements = exportBodsStatements(answer, graph, { publicationDate: '2025-01-02' });
    const imported = importBodsStatements(JSON.parse(JSON.stringify(statements)) as unknown, {
      strict: true,
      source: 'src',
    });
    const target = findBodsTarget(imported, t);
    const again = computeOwnership(
      { vertices: imported.vertices, edges: imported.edges },
      target,
      OPTIONS,
    );
    const rename = (uid: string): string =>
      uid.replace(/^(person|company):src:(person|company):src:/, '$1:src:');
    expect(ownersOf(again).map(([uid, ...rest]) => [rename(uid), ...rest])).toEqual(
      ownersOf(answer),
    );
    // The declared indirect share of Ann is not counted on top of her known chains.
    expect(again.declaredIndirect.filter((d) => d.used && d.share !== null)).toEqual([]);
  });

  it('exports the fallback senior managing official with that interest', () => {
    const b = new StructureBuilder('src');
    const t = b.company('t');
    const ceo = b.person('ceo');
    b.owns(b.person('small'), t, 1000);
    b.controls(ceo, t, 'seniorManagingOfficial');
    const graph = b.build();
    const answer = computeOwnership(graph, t, OPTIONS);
    const statements = exportBodsStatements(answer, graph, {
      publicationDate: '2025-01-02',
      publisherName: 'Bank',
    });
    const primary = statements.find(
      (s) => s.recordType === 'relationship' && s.recordDetails.interestedParty === ceo,
    );
    if (primary?.recordType !== 'relationship')
      throw new Error('no primary relationship for the official');
    expect(
      primary.recordDetails.interests?.map((i) => [i.type, i.beneficialOwnershipOrControl]),
    ).toEqual([['seniorManagingOfficial', true]]);
    expect(statements[0].publicationDetails?.publisher.name).toBe('Bank');
  });

  it('exports a role held by an entity with the chain to the person named under the fallback', () => {
    const b = new StructureBuilder('src');
    const [t, m] = [b.company('t'), b.company('m')];
    b.owns(b.person('small'), t, 1000);
    const role = b.controls(m, t, 'seniorManagingOfficial');
    const rob = b.person('rob');
    const holding = b.owns(rob, m, 6000);
    const graph = b.build();
    const answer = computeOwnership(graph, t, OPTIONS);
    const statements = exportBodsStatements(answer, graph, { publicationDate: '2025-01-02' });
    const primary = statements.find((s) => s.recordId === `bo:${t}>${rob}`);
    if (primary?.recordType !== 'relationship') throw new Error('no primary relationship for Rob');
    expect(new Set(primary.recordDetails.componentRecords)).toEqual(new Set([m, role, holding]));
    expect(
      primary.recordDetails.interests?.map((i) => [
        i.type,
        i.directOrIndirect,
        i.beneficialOwnershipOrControl,
      ]),
    ).toEqual([['seniorManagingOfficial', 'indirect', true]]);
    expect(primary.annotations?.[0].description).toContain('rob -> m (60%) -> t');
    // Read back, the summary is not counted on top of its components.
    const imported = importBodsStatements(JSON.parse(JSON.stringify(statements)) as unknown, {
      strict: true,
    });
    expect(imported.summaryEdges).toHaveLength(1);
    const again = computeOwnership(
      { vertices: imported.vertices, edges: imported.edges },
      findBodsTarget(imported, t),
      OPTIONS,
      { hints: { summaryEdges: imported.summaryEdges }, completeData: true },
    );
    expect(again.seniorManagingOfficials.map((o) => [o.name, o.through?.entities.length])).toEqual([
      ['rob', 3],
    ]);
  });
});
