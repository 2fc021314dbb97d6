import { InvalidInputError, OwnsEdge } from '@app/vocabulary';
import { computeOwnership } from '../core/compute-ownership';
import { resolveUboOptions } from '../regimes';
import type { UboAnswer, UboRequestOptions } from '../ubo.types';
import { findBodsTarget, importBodsStatements } from './bods-import';
import {
  declaredIndirectPackage,
  entity,
  person,
  relationship,
  replacementPackage,
  shareholding,
  simplePackage,
  stateOwnedPackage,
} from './bods.fixtures';

const SETTINGS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;

function evaluate(
  statements: unknown[],
  request: UboRequestOptions = {},
  companyId?: string,
): UboAnswer {
  const imported = importBodsStatements(statements, { strict: true });
  const target = findBodsTarget(imported, companyId);
  return computeOwnership(
    { vertices: imported.vertices, edges: imported.edges },
    target,
    resolveUboOptions(SETTINGS, request),
    {
      hints: {
        unidentified: imported.unidentified,
        unspecifiedParties: imported.unspecifiedParties,
      },
    },
  );
}

describe('importBodsStatements', () => {
  it('maps entities, persons and one edge per interest into the vocabulary', () => {
    const result = importBodsStatements(simplePackage());
    expect(result.vertices.map((v) => [v.label, v.uid]).sort()).toEqual([
      ['Company', 'company:bods:holdco'],
      ['Company', 'company:bods:target'],
      ['Person', 'person:bods:ada'],
      ['Person', 'person:bods:ben'],
    ]);
    const ben = result.vertices.find((v) => v.uid === 'person:bods:ben');
    expect(ben?.props).toMatchObject({ name: 'Ben Franklin', isPep: true });
    const ada = result.vertices.find((v) => v.uid === 'person:bods:ada');
    expect(ada?.props).toEqual({
      name: 'Ada Lovelace',
      nationality: 'GB',
      isPep: false,
      isSanctioned: false,
    });
    expect(result.notes).toContainEqual(
      expect.objectContaining({
        field: expect.stringContaining('birthDate') as unknown,
        severity: 'note',
      }),
    );
    const edges = result.edges.map((e) => [e.label, e.eid, e.from, e.to]);
    expect(edges).toEqual(
      expect.arrayContaining([
        ['OWNS', 'rel:bods:rel-ben#shareholding', 'person:bods:ben', 'company:bods:target'],
        ['CONTROLS', 'rel:bods:rel-ben#boardMember', 'person:bods:ben', 'company:bods:target'],
      ]),
    );
    const holdco = result.edges.find(
      (e) => e.eid === 'rel:bods:rel-holdco#shareholding',
    ) as OwnsEdge;
    expect(holdco.props).toMatchObject({
      shareMinBp: 6000,
      shareMaxBp: 6000,
      directOrIndirect: 'direct',
    });
    expect(findBodsTarget(result)).toBe('company:bods:target');
  });

  it('keeps an entity and a person whose names a register broke over lines, as one line each', () => {
    const result = importBodsStatements(
      [
        entity('target', 'Target\r\nHoldings\tLtd '),
        person('ada', 'Ada\nLovelace'),
        relationship('rel-ada', 'ada', 'target', [shareholding({ exact: 60 })]),
      ],
      { strict: true },
    );
    expect(result.vertices.map((v) => [v.uid, (v.props as { name?: string }).name]).sort()).toEqual(
      [
        ['company:bods:target', 'Target Holdings Ltd'],
        ['person:bods:ada', 'Ada Lovelace'],
      ],
    );
    expect(result.edges.map((e) => e.eid)).toEqual(['rel:bods:rel-ada#shareholding']);
  });

  it('keeps ranges and exclusive bounds, and rounds extra decimals outward with a note', () => {
    const result = importBodsStatements([
      entity('t', 'T'),
      person('p', 'P'),
      person('q', 'Q'),
      relationship('r1', 'p', 't', [shareholding({ exclusiveMinimum: 25, exclusiveMaximum: 50 })]),
      relationship('r2', 'q', 't', [shareholding({ exact: 33.333 })]),
    ]);
    const byEid = new Map(result.edges.map((e) => [e.eid, e as OwnsEdge]));
    expect(byEid.get('rel:bods:r1#shareholding')?.props).toMatchObject({
      shareMinBp: 2500,
      shareMaxBp: 5000,
      shareMinExclusive: true,
      shareMaxExclusive: true,
    });
    expect(byEid.get('rel:bods:r2#shareholding')?.props).toMatchObject({
      shareMinBp: 3333,
      shareMaxBp: 3334,
      // 33.333% lies strictly between the two rounded bounds.
      shareMinExclusive: true,
      shareMaxExclusive: true,
    });
    expect(result.notes.some((n) => n.rule.includes('rounded outward'))).toBe(true);
  });

  it('counts 25.001% as more than 25%: a bound rounded to basis points is exclusive', () => {
    for (const share of [{ exact: 25.001 }, { minimum: 25.001, maximum: 30 }]) {
      const answer = evaluate(
        [entity('t', 'T'), person('p', 'P'), relationship('r1', 'p', 't', [shareholding(share)])],
        { regime: 'custom', thresholdBp: 2500, comparator: 'more-than' },
      );
      expect(answer.beneficialOwners.map((o) => [o.uid, o.qualifies])).toEqual([
        ['person:bods:p', 'yes'],
      ]);
    }
    // Exactly 25% is not more than 25%.
    const exact = evaluate(
      [
        entity('t', 'T'),
        person('p', 'P'),
        relationship('r1', 'p', 't', [shareholding({ exact: 25 })]),
      ],
      { regime: 'custom', thresholdBp: 2500, comparator: 'more-than' },
    );
    expect(exact.beneficialOwners.filter((o) => o.basis === 'ownership')).toEqual([]);
  });

  it('reads percentages too small for plain decimals (1e-7, 2.5e-8) as a sliver of a basis point', () => {
    const result = importBodsStatements(
      [
        entity('t', 'T'),
        person('p', 'P'),
        person('q', 'Q'),
        relationship('r1', 'p', 't', [shareholding({ exact: 1e-7 })]),
        relationship('r2', 'q', 't', [shareholding({ minimum: 2.5e-8, maximum: 1e-300 + 60 })]),
      ],
      { strict: true },
    );
    const byEid = new Map(result.edges.map((e) => [e.eid, e as OwnsEdge]));
    expect(byEid.get('rel:bods:r1#shareholding')?.props).toMatchObject({
      shareMinBp: 0,
      shareMaxBp: 1,
      shareMinExclusive: true,
      shareMaxExclusive: true,
    });
    expect(byEid.get('rel:bods:r2#shareholding')?.props).toMatchObject({
      shareMinBp: 0,
      shareMaxBp: 6000,
      shareMinExclusive: true,
      shareMaxExclusive: false,
    });
  });

  it('refuses a share whose exact value lies outside the range it also gives', () => {
    const statements = [
      entity('t', 'T'),
      person('p', 'P'),
      relationship('r1', 'p', 't', [shareholding({ exact: 10, minimum: 30, maximum: 40 })]),
    ];
    expect(() => importBodsStatements(statements, { strict: true })).toThrow(
      'statements[2].recordDetails.interests[0].share.exact (10) must lie within the range the same share gives (minimum 30): the statement contradicts itself',
    );
    // Consistent together, they are read as the exact value.
    const fine = importBodsStatements(
      [
        entity('t', 'T'),
        person('p', 'P'),
        relationship('r1', 'p', 't', [shareholding({ exact: 35, minimum: 30, maximum: 40 })]),
      ],
      { strict: true },
    );
    expect(fine.edges[0].props).toMatchObject({ shareMinBp: 3500, shareMaxBp: 3500 });
  });

  it('keeps exclusive bounds on interests other than shareholdings: more than 25% of the votes is control under the UK test', () => {
    const statements = [
      entity('t', 'T'),
      person('p', 'P'),
      relationship('r1', 'p', 't', [
        {
          type: 'votingRights',
          directOrIndirect: 'direct',
          share: { exclusiveMinimum: 25, maximum: 50 },
        },
      ]),
    ];
    const imported = importBodsStatements(statements, { strict: true });
    expect(imported.edges.find((e) => e.eid === 'rel:bods:r1#votingRights')?.props).toMatchObject({
      shareMinBp: 2500,
      shareMaxBp: 5000,
      shareMinExclusive: true,
      shareMaxExclusive: false,
    });
    const answer = evaluate(statements, { regime: 'uk' });
    expect(answer.controlPersons.map((c) => [c.uid, c.qualifies])).toEqual([
      ['person:bods:p', 'yes'],
    ]);
    expect(answer.beneficialOwners.map((o) => [o.uid, o.qualifies])).toEqual([
      ['person:bods:p', 'yes'],
    ]);
  });

  it('replaces records over time: the latest statement of a recordId wins, closed relationships end', () => {
    const result = importBodsStatements(replacementPackage());
    expect(result.stats).toEqual({
      statements: 9,
      records: 5,
      replaced: 4,
      later: 0,
      closedRecords: 2,
    });
    const cleo = result.edges.find((e) => e.eid === 'rel:bods:rel-cleo#shareholding') as OwnsEdge;
    expect(cleo.props).toMatchObject({ shareMinBp: 4000, endDate: '2023-03-03' });
    const dune = result.edges.find((e) => e.eid === 'rel:bods:rel-dune#shareholding') as OwnsEdge;
    expect(dune.props.shareMinBp).toBe(8000);
    expect(dune.props.endDate).toBeUndefined();
    expect(result.vertices.find((v) => v.uid === 'company:bods:dune')?.props).toMatchObject({
      companyType: 'trust',
    });
  });

  it('reads the package as it stood on an earlier date when asked (statements dated later left out)', () => {
    const early = importBodsStatements(replacementPackage(), { asOf: '2020-01-01' });
    expect(early.stats.later).toBe(6);
    const cleo = early.edges.find((e) => e.eid === 'rel:bods:rel-cleo#shareholding') as OwnsEdge;
    expect(cleo.props).toMatchObject({ shareMinBp: 10000 });
    expect(early.edges.map((e) => e.eid)).toEqual(['rel:bods:rel-cleo#shareholding']);
  });

  it('says asOf is before every statement instead of "companyId names no entity" (outside review)', () => {
    const none = importBodsStatements(replacementPackage(), { asOf: '1990-01-01' });
    const noTarget = (companyId?: string): unknown => {
      try {
        return findBodsTarget(none, companyId);
      } catch (error) {
        return error;
      }
    };
    for (const companyId of [undefined, 'company-t']) {
      const error = noTarget(companyId);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).problems[0]).toMatchObject({
        field: 'asOf',
        rule: expect.stringContaining('dated after it') as unknown,
      });
    }
  });

  it('evaluated before and after the closing date, the closed owner drops out', () => {
    const before = evaluate(replacementPackage(), { asOf: '2022-12-31' });
    expect(before.owners.map((o) => [o.uid, o.effectiveShare.min])).toEqual([
      ['person:bods:cleo', '2/5'],
    ]);
    const after = evaluate(replacementPackage(), { asOf: '2024-01-01' });
    expect(after.owners).toEqual([]);
    expect(after.warnings.map((w) => w.code)).toContain('ended-interests-ignored');
  });

  it('uses a declared indirect share when the chain behind it is not known (unknown interest)', () => {
    const answer = evaluate(declaredIndirectPackage());
    const dora = answer.owners.find((o) => o.uid === 'person:bods:dora');
    expect(dora?.effectiveShare.min).toBe('3/10');
    expect(dora?.qualifies).toBe('yes');
    expect(answer.declaredIndirect).toEqual([
      expect.objectContaining({ from: 'person:bods:dora', used: true }),
    ]);
    expect(answer.risk.indicators.map((i) => i.code)).toContain('unknown-interest');
  });

  it("adds a declared indirect share to the same person's direct holding (no chain through an intermediate is known)", () => {
    // Zed 55% and Holdco 30% of the target; Pat's interest in Holdco has no type, and Pat
    // declares 15% direct plus 15% indirect: 30% together, a beneficial owner under the EU test.
    const answer = evaluate([
      entity('t', 'Target Ltd'),
      entity('h', 'Holdco Ltd'),
      person('pat', 'Pat'),
      person('zed', 'Zed'),
      relationship('r-zed', 'zed', 't', [shareholding({ exact: 55 })]),
      relationship('r-h', 'h', 't', [shareholding({ exact: 30 })]),
      relationship('r-pat-h', 'pat', 'h', [{ directOrIndirect: 'unknown' }]),
      relationship('r-pat', 'pat', 't', [
        shareholding({ exact: 15 }),
        shareholding({ exact: 15 }, { directOrIndirect: 'indirect' }),
      ]),
    ]);
    const pat = answer.owners.find((o) => o.uid === 'person:bods:pat');
    expect([pat?.effectiveShare.min, pat?.effectiveShare.max, pat?.qualifies]).toEqual([
      '3/10',
      '3/10',
      'yes',
    ]);
    expect(answer.beneficialOwners.map((o) => o.uid)).toContain('person:bods:pat');
    expect(answer.declaredIndirect).toEqual([
      expect.objectContaining({ from: 'person:bods:pat', used: true }),
    ]);
  });

  it('still computes a declared indirect share link by link when a chain through an intermediate is known', () => {
    // Pat holds 15% directly and 50% of Holdco, which holds 30%: the declared 15% indirect is
    // that chain, so it is not added again (15% + 50% x 30% = 30%).
    const answer = evaluate([
      entity('t', 'Target Ltd'),
      entity('h', 'Holdco Ltd'),
      person('pat', 'Pat'),
      relationship('r-h', 'h', 't', [shareholding({ exact: 30 })]),
      relationship('r-pat-h', 'pat', 'h', [shareholding({ exact: 50 })]),
      relationship('r-pat', 'pat', 't', [
        shareholding({ exact: 15 }),
        shareholding({ exact: 15 }, { directOrIndirect: 'indirect' }),
      ]),
    ]);
    expect(answer.owners.find((o) => o.uid === 'person:bods:pat')?.effectiveShare.min).toBe('3/10');
    expect(answer.declaredIndirect).toEqual([
      expect.objectContaining({ from: 'person:bods:pat', used: false }),
    ]);
  });

  it('computes a known chain link by link instead of its declared indirect share (state-owned structure)', () => {
    const answer = evaluate(stateOwnedPackage());
    expect(answer.target.uid).toBe('company:bods:grid');
    expect(answer.owners).toEqual([]);
    // 76.5% x 100% + 23.5% = 100% exactly for the Ministry.
    const ministry = answer.entities.find((e) => e.uid === 'company:bods:ministry');
    expect(ministry?.effectiveShare.min).toBe('1/1');
    expect(ministry?.companyType).toBe('state-body');
    expect(answer.entities.find((e) => e.uid === 'company:bods:state')?.top).toBe(true);
    expect(answer.warnings.map((w) => w.code)).toContain('no-natural-person');
    // A state at the top is expected: no "ownership ends at an entity" indicator for it.
    expect(answer.risk.indicators.map((i) => i.code)).not.toContain('ownership-ends-at-entity');
  });

  it('uses a declared indirect control interest that its component records do not establish (BODS nomination example)', () => {
    // Sia is the nominator of a nomination arrangement that sits on the board of the target, and
    // declares other influence or control over the target with those records as components. A
    // board seat is not control, so the declaration says more than its components: it counts.
    const summarised = (lastInterest: string): UboAnswer => {
      const imported = importBodsStatements(
        [
          entity('t', 'Target Ltd'),
          entity('arr', 'Nomination arrangement', {
            entityType: { type: 'arrangement', subtype: 'nomination' },
            isComponent: true,
          }),
          person('sia', 'Sia'),
          relationship(
            'r-nominator',
            'sia',
            'arr',
            [{ type: 'nominator', directOrIndirect: 'direct' }],
            {
              isComponent: true,
            },
          ),
          relationship('r-arr', 'arr', 't', [{ type: lastInterest, directOrIndirect: 'direct' }], {
            isComponent: true,
          }),
          relationship(
            'r-sia',
            'sia',
            't',
            [
              {
                type: 'otherInfluenceOrControl',
                directOrIndirect: 'indirect',
                beneficialOwnershipOrControl: true,
              },
            ],
            { componentRecords: ['arr', 'r-nominator', 'r-arr'] },
          ),
        ],
        { strict: true },
      );
      expect(imported.summaryEdges).toEqual(['rel:bods:r-sia#otherInfluenceOrControl']);
      return computeOwnership(
        { vertices: imported.vertices, edges: imported.edges },
        findBodsTarget(imported, 't'),
        resolveUboOptions(SETTINGS),
        { hints: { summaryEdges: imported.summaryEdges }, completeData: true },
      );
    };
    const boardSeat = summarised('boardMember');
    expect(boardSeat.declaredIndirect.map((d) => [d.from, d.used])).toEqual([
      ['person:bods:sia', true],
    ]);
    expect(boardSeat.beneficialOwners.map((o) => [o.uid, o.bases])).toEqual([
      ['person:bods:sia', ['control']],
    ]);
    expect(boardSeat.fallbackApplied).toBe(false);
    // When the components do establish it (the arrangement itself has that control), the
    // declaration is left out and the control is computed link by link.
    const control = summarised('otherInfluenceOrControl');
    expect(control.declaredIndirect.map((d) => [d.from, d.used])).toEqual([
      ['person:bods:sia', false],
    ]);
    const sia = control.controlPersons.find((c) => c.uid === 'person:bods:sia');
    expect(sia?.qualifies).toBe('yes');
    expect(sia?.reasons.map((r) => r.chain.entities.length)).toContain(3);
  });

  it('reports an interested party given only as an Unspecified Record, without inventing one', () => {
    const statements = [
      entity('listed', 'Listed plc', { publicListing: { hasPublicListing: true } }),
      relationship('r', { reason: 'subjectExemptFromDisclosure' }, 'listed', []),
    ];
    const result = importBodsStatements(statements);
    expect(result.edges).toEqual([]);
    expect(result.unspecifiedParties).toEqual([
      expect.objectContaining({
        subject: 'company:bods:listed',
        reason: 'subjectExemptFromDisclosure',
      }),
    ]);
    const answer = evaluate(statements);
    expect(answer.target.companyType).toBe('listed-company');
    expect(answer.warnings.find((w) => w.code === 'unspecified-party')?.message).toContain(
      'subjectExemptFromDisclosure',
    );
  });

  it('refuses an interested party that is neither a recordId nor an unspecified record with its reason', () => {
    // As a producer might send them: a list, a number, an object without a reason.
    for (const party of [['p'], 12345, { foo: 1 }] as unknown as Record<string, unknown>[]) {
      const statements = [
        entity('t', 'T'),
        person('p', 'P'),
        relationship('r', party, 't', [shareholding({ exact: 60 })]),
      ];
      expect(() => importBodsStatements(statements, { strict: true })).toThrow(
        'statements[2].recordDetails.interestedParty must be the recordId of a person or entity statement, or an unspecified record with its reason',
      );
      expect(importBodsStatements(statements).unspecifiedParties).toEqual([]);
    }
  });

  it('marks anonymous persons as unidentified, which is a risk indicator', () => {
    const answer = evaluate([
      entity('t', 'T'),
      person('anon', '', { personType: 'anonymousPerson', names: [] }),
      relationship('r', 'anon', 't', [shareholding({ exact: 50 })]),
    ]);
    expect(answer.beneficialOwners[0].name).toBe('Anonymous person anon');
    expect(answer.beneficialOwners[0].risk.indicators.map((i) => i.code)).toContain(
      'unknown-interest',
    );
  });

  it('strict mode refuses invalid statements, naming each field and rule', () => {
    const bad = [
      entity('t', 'T'),
      { recordId: 'x', recordType: 'company', statementDate: '2024-01-01', recordDetails: {} },
      relationship('r', 'ghost', 't', [shareholding({ exact: 120 })]),
    ];
    let caught: unknown;
    try {
      importBodsStatements(bad, { strict: true });
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    const fields = (caught as InvalidInputError).problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'statements[1].statementId',
        'statements[1].recordType',
        'statements[2].recordDetails.interestedParty',
      ]),
    );
    expect(() => importBodsStatements({ not: 'an array' })).toThrow(InvalidInputError);
    // Lenient mode keeps what is usable and lists the rest.
    const lenient = importBodsStatements(bad);
    expect(lenient.vertices.map((v) => v.uid)).toEqual(['company:bods:t']);
    expect(lenient.notes.filter((n) => n.severity === 'skipped')).toHaveLength(3);
  });

  it('refuses a statementDate that does not exist or cannot be read, and reads dates with a time', () => {
    const dated = (recordId: string, statementDate: string) => ({
      ...entity(recordId, recordId.toUpperCase()),
      statementDate,
    });
    let caught: unknown;
    try {
      importBodsStatements(
        [dated('a', '2024-02-30'), dated('b', 'yesterday'), dated('c', '2024-02-29T10:00:00Z')],
        { strict: true },
      );
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as InvalidInputError).problems).toEqual([
      {
        field: 'statements[0].statementDate',
        rule: 'is not a real calendar date (2024-02-30 does not exist)',
      },
      {
        field: 'statements[1].statementDate',
        rule: 'must be a date (YYYY-MM-DD) or a date and time (ISO 8601, e.g. 2018-12-17T10:00:00Z)',
      },
    ]);
  });

  it('finds the target by recordId or statementId, and asks for one when there are several roots', () => {
    const statements = [...simplePackage(), entity('other', 'Other Ltd')];
    const result = importBodsStatements(statements);
    expect(findBodsTarget(result, 'holdco')).toBe('company:bods:holdco');
    expect(findBodsTarget(result, String(statements[1].statementId))).toBe('company:bods:holdco');
    expect(findBodsTarget(result)).toBe('company:bods:target'); // the single declaration subject
    expect(() => findBodsTarget(result, 'ada')).toThrow(InvalidInputError);
    const noSubject = importBodsStatements([
      entity('a', 'A', {}, { subject: 'a' }),
      entity('b', 'B', {}, { subject: 'b' }),
    ]);
    expect(() => findBodsTarget(noSubject)).toThrow(/several roots \(a, b\)/);
  });

  it('refuses two statements with the same statementId, naming the id and both positions', () => {
    const statements = simplePackage();
    const duplicate = { ...statements[3], recordId: 'another-record' };
    const input = [...statements, duplicate];
    let caught: unknown;
    try {
      importBodsStatements(input);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    const id = String(statements[3].statementId);
    const error = caught as InvalidInputError;
    expect(error.message).toContain(`"${id}" (statements[3] and statements[${input.length - 1}])`);
    expect(error.problems).toEqual([
      {
        field: `statements[${input.length - 1}].statementId`,
        rule: `must be unique: "${id}" is also the statementId of statements[3]`,
      },
    ]);
    // Also when the duplicate is an exact copy, and also in lenient mode.
    expect(() => importBodsStatements([...statements, statements[0]], { strict: false })).toThrow(
      InvalidInputError,
    );
  });

  it.each([
    [{ exact: 120 }, 'share.exact', 'must not be above 100 (got 120; shares are percentages)'],
    [{ exact: -5 }, 'share.exact', 'must not be negative (got -5)'],
    [
      { minimum: '30' },
      'share.minimum',
      'must be a number (a percentage such as 25 or 33.5), not string',
    ],
    [
      { maximum: null },
      'share.maximum',
      'must be a number (a percentage such as 25 or 33.5), not null',
    ],
    [{ minimum: 60, maximum: 40 }, 'share', 'minimum (60) must not be above maximum (40)'],
    [
      { exclusiveMinimum: 30, exclusiveMaximum: 30 },
      'share',
      'exclusiveMinimum (30) must not be above exclusiveMaximum (30) and an exclusive bound must leave some room between them',
    ],
    [{ minimum: 101 }, 'share.minimum', 'must not be above 100 (got 101; shares are percentages)'],
    [
      'half',
      'share',
      'must be an object with exact, minimum, maximum, exclusiveMinimum or exclusiveMaximum',
    ],
  ])('names the rule a share breaks: %j', (share, field, rule) => {
    const statements = [
      entity('t', 'T'),
      person('p', 'P'),
      relationship('r', 'p', 't', [shareholding(share as Record<string, unknown>)]),
    ];
    let caught: unknown;
    try {
      importBodsStatements(statements, { strict: true });
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as InvalidInputError).problems).toEqual([
      { field: `statements[2].recordDetails.interests[0].${field}`, rule },
    ]);
    expect((caught as InvalidInputError).message).toContain(rule);
  });
});
