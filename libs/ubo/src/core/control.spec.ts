import { resolveUboOptions } from '../regimes';
import { StructureBuilder } from '../structure-builder';
import type { UboAnswer, UboRequestOptions } from '../ubo.types';
import { computeOwnership } from './compute-ownership';

const DEFAULTS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;

function run(
  b: StructureBuilder,
  target: string,
  request: UboRequestOptions = {},
  highRisk: string[] = [],
): UboAnswer {
  return computeOwnership(
    b.build(),
    target,
    resolveUboOptions(DEFAULTS, request, { highRiskJurisdictions: highRisk }),
  );
}

describe('computeOwnership: control', () => {
  it('names a person who controls through a chain of majority stakes, even with a small product', () => {
    // Ann 60% of A, A 60% of B, B 60% of T: 21.6% by multiplication, but control all the way.
    const b = new StructureBuilder();
    const ann = b.person('ann');
    const a = b.company('a');
    const c = b.company('b');
    const t = b.company('t');
    b.owns(ann, a, 6000);
    b.owns(a, c, 6000);
    b.owns(c, t, 6000);
    const answer = run(b, t);
    expect(answer.owners[0].effectiveShare.min).toBe('27/125');
    expect(answer.owners[0].qualifies).toBe('no');
    const control = answer.controlPersons.find((c2) => c2.uid === ann);
    expect(control?.qualifies).toBe('yes');
    expect(control?.reasons.map((r) => r.kind)).toContain('majority-chain');
    const owner = answer.beneficialOwners.find((o) => o.uid === ann);
    expect(owner?.basis).toBe('control');
    expect(owner?.bases).toEqual(['control']);
  });

  it('names a person with the right to appoint the board through a controlled entity', () => {
    const b = new StructureBuilder();
    const ann = b.person('ann');
    const holdco = b.company('holdco');
    const t = b.company('t');
    b.owns(ann, holdco, 10000);
    const edge = b.controls(holdco, t, 'appointmentOfBoard');
    const answer = run(b, t);
    const reason = answer.controlPersons[0].reasons.find((r) => r.kind === 'appointment-of-board');
    expect(reason?.qualifies).toBe('yes');
    expect(reason?.chain.entities).toEqual([ann, holdco, t]);
    expect(reason?.chain.links.map((l) => l.edgeId)).toContain(edge);
  });

  it('counts voting rights that meet the threshold (EU) but only a majority as majority control', () => {
    const b = new StructureBuilder();
    const ann = b.person('ann');
    const bob = b.person('bob');
    const t = b.company('t');
    b.controls(ann, t, 'votingRights', { shareMinBp: 3000, shareMaxBp: 3000 });
    b.controls(bob, t, 'votingRights', { shareMinBp: 6000, shareMaxBp: 6000 });
    const answer = run(b, t);
    const ann1 = answer.controlPersons.find((c) => c.uid === ann);
    const bob1 = answer.controlPersons.find((c) => c.uid === bob);
    expect(ann1?.reasons.map((r) => r.kind)).toEqual(['voting-rights']);
    expect(ann1?.reasons[0].share?.min).toBe('3/10');
    expect(bob1?.reasons.map((r) => r.kind)).toEqual(['majority-chain']);
  });

  it('names the person who controls the direct shareholder (AMLR: control of a 25% holder)', () => {
    const b = new StructureBuilder();
    const ann = b.person('ann');
    const holdco = b.company('holdco');
    const t = b.company('t');
    b.controls(ann, holdco, 'otherInfluenceOrControl');
    b.owns(holdco, t, 3000);
    const answer = run(b, t);
    expect(answer.controlPersons[0].reasons.map((r) => r.kind)).toEqual([
      'controls-direct-shareholder',
    ]);
    expect(answer.beneficialOwners.map((o) => [o.uid, o.basis])).toEqual([[ann, 'control']]);
  });

  it('treats the roles of a legal arrangement as control and nominees as a risk, not as control', () => {
    const b = new StructureBuilder();
    const settlor = b.person('settlor');
    const nominee = b.person('nominee');
    const trust = b.company('trust', { companyType: 'trust' });
    b.controls(settlor, trust, 'settlor');
    b.controls(nominee, trust, 'nominee');
    const answer = run(b, trust);
    expect(answer.controlPersons.map((c) => [c.uid, c.reasons[0].kind])).toEqual([
      [settlor, 'legal-arrangement'],
    ]);
    expect(answer.risk.indicators.map((i) => i.code)).toContain('nominee');
  });

  it('an unknown interest makes a person a possible controller', () => {
    const b = new StructureBuilder();
    const ann = b.person('ann');
    const t = b.company('t');
    b.controls(ann, t, 'unknownInterest');
    const answer = run(b, t);
    expect(answer.controlPersons[0].qualifies).toBe('possibly');
    expect(answer.beneficialOwners[0].risk.indicators.map((i) => i.code)).toEqual(
      expect.arrayContaining(['unknown-interest', 'uncertain-share']),
    );
  });
});

describe('computeOwnership: fallback and the US control prong', () => {
  function dispersed(): {
    b: StructureBuilder;
    ceo: string;
    chair: string;
    member: string;
    t: string;
  } {
    const b = new StructureBuilder();
    const t = b.company('t');
    for (let i = 0; i < 10; i += 1) b.owns(b.person(`holder${i}`), t, 1000);
    const ceo = b.person('ceo');
    const chair = b.person('chair');
    const member = b.person('member');
    b.controls(ceo, t, 'seniorManagingOfficial');
    b.controls(chair, t, 'boardChair');
    b.controls(member, t, 'boardMember');
    return { b, ceo, chair, member, t };
  }

  it('EU: nobody holds 25%, nobody controls, so the senior managing official is named', () => {
    const { b, ceo, t } = dispersed();
    const answer = run(b, t);
    expect(answer.fallbackApplied).toBe(true);
    expect(answer.beneficialOwners.map((o) => [o.uid, o.basis, o.managementRole])).toEqual([
      [ceo, 'fallback-senior-managing-official', 'seniorManagingOfficial'],
    ]);
    expect(answer.owners).toHaveLength(10);
    expect(answer.warnings.map((w) => w.code)).toContain('fallback-applied');
  });

  it('EU: without a senior managing official the board chair is the fallback', () => {
    const b = new StructureBuilder();
    const t = b.company('t');
    const chair = b.person('chair');
    b.controls(chair, t, 'boardChair');
    b.controls(b.person('member'), t, 'boardMember');
    expect(run(b, t).beneficialOwners.map((o) => o.uid)).toEqual([chair]);
  });

  it('EU: a control person comes before any fallback', () => {
    const { b, t } = dispersed();
    const boss = b.person('boss');
    b.controls(boss, t, 'otherInfluenceOrControl');
    const answer = run(b, t);
    expect(answer.fallbackApplied).toBe(false);
    expect(answer.beneficialOwners.map((o) => [o.uid, o.basis])).toEqual([[boss, 'control']]);
  });

  it('US: exactly one control-prong person next to the 25% owners, even when owners exist', () => {
    const { b, ceo, chair, member, t } = dispersed();
    const big = b.person('big');
    b.owns(big, t, 2500);
    const answer = run(b, t, { regime: 'us' });
    expect(answer.controlProng?.uid).toBe(ceo);
    expect(answer.controlProng?.alternatives).toEqual([chair, member]);
    expect(answer.beneficialOwners.map((o) => [o.uid, o.basis, o.controlProng ?? false])).toEqual([
      [big, 'ownership', false],
      [ceo, 'control', true],
    ]);
    expect(answer.fallbackApplied).toBe(false);
  });

  it('US: says so when no control-prong person is in the data', () => {
    const b = new StructureBuilder();
    const t = b.company('t');
    b.owns(b.person('big'), t, 5000);
    const answer = run(b, t, { regime: 'us' });
    expect(answer.controlProng).toBeNull();
    expect(answer.warnings.map((w) => w.code)).toContain('control-prong-missing');
  });
});

describe('computeOwnership: risk indicators and score', () => {
  it('lists each indicator with its weight, and the score is their capped sum', () => {
    const b = new StructureBuilder();
    const ann = b.person('ann', { isPep: true });
    const shell = b.company('shell', { jurisdiction: 'PA', isShell: true });
    const mid = b.company('mid', { jurisdiction: 'IR', hasBearerShares: true });
    const t = b.company('t');
    b.owns(ann, shell, 10000);
    b.owns(shell, mid, 10000);
    b.owns(mid, t, 5000);
    const answer = run(b, t, {}, ['IR']);
    const risk = answer.beneficialOwners[0].risk;
    const weights = Object.fromEntries(risk.indicators.map((i) => [i.code, i.weight]));
    expect(weights).toEqual({
      pep: 0.3,
      'high-risk-jurisdiction': 0.3,
      'secrecy-jurisdiction': 0.2,
      'shell-company': 0.2,
      'bearer-shares': 0.2,
      'layering-depth': 0.05,
    });
    expect(risk.score).toBe(1); // 1.25 capped
    expect(risk.indicators.find((i) => i.code === 'secrecy-jurisdiction')?.entities).toEqual([
      shell,
    ]);
  });

  it('a plain direct owner has no indicators and a zero score', () => {
    const b = new StructureBuilder();
    const ann = b.person('ann');
    const t = b.company('t');
    b.owns(ann, t, 10000);
    expect(run(b, t).beneficialOwners[0].risk).toEqual({ score: 0, indicators: [] });
  });

  it('flags sanctioned persons, cycles on the chain and deep layering', () => {
    const b = new StructureBuilder();
    const ann = b.person('ann', { isSanctioned: true });
    const chain = Array.from({ length: 6 }, (_, i) => b.company(`c${i}`));
    const t = b.company('t');
    b.owns(ann, chain[0], 10000);
    for (let i = 1; i < chain.length; i += 1) b.owns(chain[i - 1], chain[i], 10000);
    b.owns(chain[5], t, 10000);
    b.owns(chain[5], chain[4], 100); // a small loop
    const risk = run(b, t).beneficialOwners[0].risk;
    const codes = risk.indicators.map((i) => i.code);
    expect(codes).toEqual(
      expect.arrayContaining(['sanctioned-person', 'circular-ownership', 'layering-depth']),
    );
    expect(risk.indicators.find((i) => i.code === 'layering-depth')?.weight).toBe(0.2);
  });
});
