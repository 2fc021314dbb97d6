import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { entity, person, relationship, shareholding } from '../bods/bods.fixtures';
import { findBodsTarget, importBodsStatements } from '../bods/bods-import';
import { resolveUboOptions } from '../regimes';
import type { UboAnswer, UboRequestOptions } from '../ubo.types';
import { computeOwnership } from './compute-ownership';

/**
 * UK PSC look-through rules of Companies Act 2006 Sch. 1A Part 2, on structures in the form
 * the BODS importer produces (Open Ownership models both with an `arrangement` entity):
 * - a share held by a nominee for another is treated as held by the other, not the nominee;
 * - if two or more persons hold a share jointly, each of them is treated as holding it.
 * The EU (multiplication) answers for the same structures are pinned alongside.
 */

type Json = Record<string, unknown>;

const SETTINGS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;

/** Open Ownership's BODS 0.4 examples next to the repository, when present (see bods-shared-examples.spec.ts). */
const SHARED_JOINT = join(
  resolve(__dirname, '..', '..', '..', '..'),
  '..',
  'shared',
  'data',
  'bods',
  'joint-ownership.json',
);
const itIfShared = existsSync(SHARED_JOINT) ? it : it.skip;

function evaluate(statements: unknown, request: UboRequestOptions): UboAnswer {
  const imported = importBodsStatements(statements, { strict: true });
  const target = findBodsTarget(imported);
  return computeOwnership(
    { vertices: imported.vertices, edges: imported.edges },
    target,
    resolveUboOptions(SETTINGS, request),
    { hints: { summaryEdges: imported.summaryEdges }, completeData: true },
  );
}

function beneficialOwners(answer: UboAnswer): [string, string[]][] {
  return answer.beneficialOwners.map((owner) => [owner.name, owner.bases]);
}

function attributed(answer: UboAnswer): Record<string, [string, string]> {
  return Object.fromEntries(
    answer.owners.map((owner) => [owner.name, [owner.attributedShare.min, owner.qualifies]]),
  );
}

function interest(type: string): Json {
  return { type, directOrIndirect: 'direct', beneficialOwnershipOrControl: false };
}

/** A nomination arrangement holds 40% of T for Pia (nominator); Ned is the nominee; Zoe holds 60%. */
function nomineePackage(): Json[] {
  return [
    entity('t', 'T Ltd'),
    entity('na', 'Nomination', { entityType: { type: 'arrangement', subtype: 'nomination' } }),
    person('pia', 'Pia'),
    person('ned', 'Ned'),
    person('zoe', 'Zoe'),
    relationship('r1', 'na', 't', [shareholding({ exact: 40 })]),
    relationship('r2', 'pia', 'na', [interest('nominator')]),
    relationship('r3', 'ned', 'na', [interest('nominee')]),
    relationship('r4', 'zoe', 't', [shareholding({ exact: 60 })]),
  ];
}

/** A joint shareholding arrangement holds `jointPercent` of T; Ann and Bo hold it 50/50. */
function jointPackage(jointPercent: number): Json[] {
  const statements = [
    entity('t', 'T Ltd'),
    entity('j', 'Joint shareholding', { entityType: { type: 'arrangement' } }),
    person('ann', 'Ann'),
    person('bo', 'Bo'),
    relationship('r1', 'j', 't', [shareholding({ exact: jointPercent })]),
    relationship('r2', 'ann', 'j', [shareholding({ exact: 50 })]),
    relationship('r3', 'bo', 'j', [shareholding({ exact: 50 })]),
  ];
  if (jointPercent < 100) {
    statements.push(person('zoe', 'Zoe'));
    statements.push(relationship('r4', 'zoe', 't', [shareholding({ exact: 100 - jointPercent })]));
  }
  return statements;
}

describe('UK PSC: shares held through a nominee (Sch. 1A Part 2)', () => {
  it('treats the shares of a nomination arrangement as held by the nominator, not the nominee', () => {
    const uk = evaluate(nomineePackage(), { regime: 'uk' });
    expect(attributed(uk)).toEqual({ Zoe: ['3/5', 'yes'], Pia: ['2/5', 'yes'] });
    expect(beneficialOwners(uk)).toEqual([
      ['Zoe', ['ownership', 'control']],
      ['Pia', ['ownership']],
    ]);
    expect(uk.beneficialOwners.map((owner) => owner.name)).not.toContain('Ned');
  });

  it('leaves a nominee holding of 25% or less below the UK threshold for the nominator', () => {
    const statements = nomineePackage().map((statement) =>
      statement.recordId === 'r1'
        ? relationship('r1', 'na', 't', [shareholding({ exact: 25 })])
        : statement.recordId === 'r4'
          ? relationship('r4', 'zoe', 't', [shareholding({ exact: 75 })])
          : statement,
    );
    const uk = evaluate(statements, { regime: 'uk' });
    expect(attributed(uk)).toEqual({ Zoe: ['3/4', 'yes'], Pia: ['1/4', 'no'] });
    expect(beneficialOwners(uk)).toEqual([['Zoe', ['ownership', 'control']]]);
  });

  it('keeps the EU answer: the nominator controls the direct shareholder', () => {
    const eu = evaluate(nomineePackage(), { regime: 'eu' });
    expect(attributed(eu)).toEqual({ Zoe: ['3/5', 'yes'] });
    expect(beneficialOwners(eu)).toEqual([
      ['Zoe', ['ownership', 'control']],
      ['Pia', ['control']],
    ]);
    expect(
      eu.controlPersons.find((control) => control.name === 'Pia')?.reasons.map((r) => r.kind),
    ).toEqual(['controls-direct-shareholder']);
  });
});

describe('Nominee shareholders stated on the company itself (outside review)', () => {
  /** Nick holds 40% of T as nominee; Ann is the nominator; Zoe holds 60%. */
  function statedOnCompany(extraNominator = false): Json[] {
    const statements = [
      entity('t', 'T Ltd'),
      person('nick', 'Nick'),
      person('ann', 'Ann'),
      person('zoe', 'Zoe'),
      relationship('r1', 'nick', 't', [shareholding({ exact: 40 }), interest('nominee')]),
      relationship('r2', 'ann', 't', [interest('nominator')]),
      relationship('r3', 'zoe', 't', [shareholding({ exact: 60 })]),
    ];
    if (extraNominator) {
      statements.push(person('ola', 'Ola'));
      statements.push(relationship('r4', 'ola', 't', [interest('nominator')]));
    }
    return statements;
  }

  it.each(['eu', 'uk', 'us'] as const)(
    "counts the nominee shares as the nominator's under %s, never as the nominee's",
    (regime) => {
      const answer = evaluate(statedOnCompany(), { regime });
      expect(attributed(answer)).toEqual({ Ann: ['2/5', 'yes'], Zoe: ['3/5', 'yes'] });
      expect(answer.beneficialOwners.map((owner) => owner.name)).not.toContain('Nick');
      const warning = answer.warnings.find((w) => w.code === 'nominee-shares-attributed');
      expect(warning?.message).toBe(
        'Nick holds shares in T Ltd as nominee: counted as held by the nominator Ann, the only one T Ltd names',
      );
    },
  );

  it("moves only the holding of the nominee relationship: a holding of the nominee's own stays its own (code review)", () => {
    const statements = [
      entity('t', 'T Ltd'),
      person('nick', 'Nick'),
      person('ann', 'Ann'),
      person('zoe', 'Zoe'),
      relationship('r1', 'nick', 't', [shareholding({ exact: 20 }), interest('nominee')]),
      relationship('r1b', 'nick', 't', [shareholding({ exact: 30 })]),
      relationship('r2', 'ann', 't', [interest('nominator')]),
      relationship('r3', 'zoe', 't', [shareholding({ exact: 50 })]),
    ];
    const answer = evaluate(statements, { regime: 'eu' });
    expect(attributed(answer)).toEqual({
      Ann: ['1/5', 'no'],
      Nick: ['3/10', 'yes'],
      Zoe: ['1/2', 'yes'],
    });
  });

  it('leaves the shares with the nominee, and says why, when the company names two nominators', () => {
    const answer = evaluate(statedOnCompany(true), { regime: 'eu' });
    expect(attributed(answer)).toEqual({ Nick: ['2/5', 'yes'], Zoe: ['3/5', 'yes'] });
    expect(answer.warnings.map((w) => w.code)).toContain('nominee-without-nominator');
  });
});

describe('A company owned by a trust, by regime (outside review)', () => {
  /** A trust holds 100% of T; Tom is its trustee, Sam its settlor, Bea its beneficiary. */
  function trustPackage(): Json[] {
    return [
      entity('t', 'T Ltd'),
      entity('tr', 'Family Trust', { entityType: { type: 'arrangement', subtype: 'trust' } }),
      person('tom', 'Tom'),
      person('sam', 'Sam'),
      person('bea', 'Bea'),
      relationship('r1', 'tr', 't', [shareholding({ exact: 100 })]),
      relationship('r2', 'tom', 'tr', [interest('trustee')]),
      relationship('r3', 'sam', 'tr', [interest('settlor')]),
      relationship('r4', 'bea', 'tr', [interest('beneficiaryOfLegalArrangement')]),
    ];
  }

  it('EU: settlor, trustee and beneficiary of the trust are all beneficial owners (AMLD Art. 3(6)(b))', () => {
    const eu = evaluate(trustPackage(), { regime: 'eu' });
    expect(eu.beneficialOwners.map((owner) => owner.name).sort()).toEqual(['Bea', 'Sam', 'Tom']);
  });

  it("UK: the trustee is the PSC, holding the trust's shares; settlor and beneficiary as such are not (Sch. 1A condition 5)", () => {
    const uk = evaluate(trustPackage(), { regime: 'uk' });
    expect(beneficialOwners(uk)).toEqual([['Tom', ['ownership', 'control']]]);
    expect(attributed(uk)).toEqual({ Tom: ['1/1', 'yes'] });
  });

  it('US: co-trustees both hold what the trust holds, with no false data problem; a trust company the trust owns makes no loop (code review)', () => {
    const coTrustees = [
      entity('t', 'T Ltd'),
      entity('tr', 'Family Trust', { entityType: { type: 'arrangement', subtype: 'trust' } }),
      person('tom', 'Tom'),
      person('tim', 'Tim'),
      relationship('r1', 'tr', 't', [shareholding({ exact: 60 })]),
      relationship('r2', 'tom', 'tr', [interest('trustee')]),
      relationship('r3', 'tim', 'tr', [interest('trustee')]),
    ];
    const us = evaluate(coTrustees, { regime: 'us' });
    expect(attributed(us)).toEqual({ Tom: ['3/5', 'yes'], Tim: ['3/5', 'yes'] });
    expect(us.warnings.map((w) => w.code)).not.toContain('shares-exceed-100');
    const trustCompany = [
      entity('t', 'T Ltd'),
      entity('tr', 'Family Trust', { entityType: { type: 'arrangement', subtype: 'trust' } }),
      entity('ptc', 'PTC Ltd'),
      person('pia', 'Pia'),
      relationship('r1', 'tr', 't', [shareholding({ exact: 60 })]),
      relationship('r2', 'ptc', 'tr', [interest('trustee')]),
      relationship('r3', 'tr', 'ptc', [shareholding({ exact: 100 })]),
      relationship('r4', 'pia', 'ptc', [interest('seniorManagingOfficial')]),
    ];
    const codes = evaluate(trustCompany, { regime: 'us' }).warnings.map((w) => w.code);
    expect(codes).not.toContain('cycle-not-convergent');
  });

  it('US: the trustee is the ownership-prong owner (31 CFR 1010.230(d)(3)); no trust role is the control prong', () => {
    const us = evaluate(trustPackage(), { regime: 'us' });
    expect(attributed(us)).toEqual({ Tom: ['1/1', 'yes'] });
    expect(us.beneficialOwners.find((owner) => owner.name === 'Tom')?.bases).toContain('ownership');
    expect(us.controlProng?.name).not.toBe('Bea');
    expect(us.beneficialOwners.map((owner) => owner.name)).not.toContain('Bea');
    expect(us.warnings.map((w) => w.code)).toContain('trustee-holds-trust');
  });
});

describe('UK PSC: joint holdings (Sch. 1A Part 2)', () => {
  it('treats each joint holder as holding the whole joint stake (30% each, so registrable)', () => {
    const uk = evaluate(jointPackage(30), { regime: 'uk' });
    expect(attributed(uk)).toEqual({
      Zoe: ['7/10', 'yes'],
      Ann: ['3/10', 'yes'],
      Bo: ['3/10', 'yes'],
    });
    expect(beneficialOwners(uk)).toEqual([
      ['Zoe', ['ownership', 'control']],
      ['Ann', ['ownership']],
      ['Bo', ['ownership']],
    ]);
    // Their chains through the arrangement count under the UK test too (evidence matches).
    const ann = uk.owners.find((owner) => owner.name === 'Ann');
    expect(ann?.chains.length).toBeGreaterThan(0);
    expect(ann?.chains.every((chain) => chain.counts)).toBe(true);
  });

  it("Open Ownership's joint-ownership example (100% held jointly) names both holders", () => {
    const uk = evaluate(jointPackage(100), { regime: 'uk' });
    expect(attributed(uk)).toEqual({ Ann: ['1/1', 'yes'], Bo: ['1/1', 'yes'] });
    expect(uk.fallbackApplied).toBe(false);
    expect(beneficialOwners(uk)).toEqual([
      ['Ann', ['ownership']],
      ['Bo', ['ownership']],
    ]);
  });

  itIfShared(
    'joint-ownership.json itself, when present: both holders under uk, 50% each under eu',
    () => {
      const statements = JSON.parse(readFileSync(SHARED_JOINT, 'utf8')) as unknown;
      expect(attributed(evaluate(statements, { regime: 'uk' }))).toEqual({
        'Natalie Coleman': ['1/1', 'yes'],
        'Roberto Lopez': ['1/1', 'yes'],
      });
      expect(attributed(evaluate(statements, { regime: 'eu' }))).toEqual({
        'Natalie Coleman': ['1/2', 'yes'],
        'Roberto Lopez': ['1/2', 'yes'],
      });
    },
  );

  it('keeps the majority-stake rule for a holding in a legal entity (50% of a company)', () => {
    const statements = jointPackage(30).map((statement) =>
      statement.recordId === 'j' ? entity('j', 'Holdco Ltd') : statement,
    );
    const uk = evaluate(statements, { regime: 'uk' });
    expect(attributed(uk)).toEqual({
      Zoe: ['7/10', 'yes'],
      Ann: ['0/1', 'no'],
      Bo: ['0/1', 'no'],
    });
    expect(beneficialOwners(uk)).toEqual([['Zoe', ['ownership', 'control']]]);
  });

  it('keeps the EU and US answers: each joint holder has 15% by multiplication', () => {
    for (const regime of ['eu', 'us'] as const) {
      const answer = evaluate(jointPackage(30), { regime });
      expect(attributed(answer)).toEqual({
        Zoe: ['7/10', 'yes'],
        Ann: ['3/20', 'no'],
        Bo: ['3/20', 'no'],
      });
    }
  });
});
