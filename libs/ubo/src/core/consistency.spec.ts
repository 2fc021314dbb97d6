import { resolveUboOptions } from '../regimes';
import { StructureBuilder } from '../structure-builder';
import type { UboAnswer, UboRequestOptions } from '../ubo.types';
import { computeOwnership, ComputeExtras } from './compute-ownership';

const SETTINGS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;

function run(
  b: StructureBuilder,
  target: string,
  request: UboRequestOptions = {},
  extras: ComputeExtras = {},
): UboAnswer {
  return computeOwnership(b.build(), target, resolveUboOptions(SETTINGS, request), extras);
}

function codes(answer: UboAnswer): string[] {
  return answer.warnings.map((w) => w.code);
}

/** Four layers L0 (target) <- L1 <- L2 <- L3 <- Vic, each 100%. */
function layers(): { b: StructureBuilder; l: string[]; vic: string } {
  const b = new StructureBuilder('depth');
  const l = ['l0', 'l1', 'l2', 'l3'].map((key) => b.company(key));
  for (let i = 1; i < l.length; i += 1) b.owns(l[i], l[i - 1], 10000);
  const vic = b.person('vic');
  b.owns(vic, l[3], 10000);
  return { b, l, vic };
}

describe('UBO answers do not contradict themselves', () => {
  describe('the depth limit', () => {
    it('says the depth limit cut the chain and how to raise it, not that nothing is known above', () => {
      const { b, l } = layers();
      const answer = run(b, l[0], { maxDepth: 2 });
      expect(answer.owners).toEqual([]);
      expect(codes(answer)).toContain('depth-limit-reached');
      expect(codes(answer)).not.toContain('no-natural-person');
      const depth = answer.warnings.find((w) => w.code === 'depth-limit-reached');
      expect(depth?.entities).toEqual([l[2]]);
      expect(depth?.message).toContain('The depth limit cut the structure');
      expect(depth?.message).toContain('raise maxDepth');
      expect(depth?.message).toContain('UBO_MAX_DEPTH');
      expect(answer.risk.indicators.map((i) => i.code)).not.toContain('ownership-ends-at-entity');
      const cut = answer.entities.find((e) => e.uid === l[2]);
      expect(cut).toMatchObject({ top: false, depthLimited: true });
      expect(cut?.explanation).toContain('not where ownership ends');
      for (const warning of answer.warnings) {
        expect(warning.message).not.toMatch(/nothing is known above|in the data; ownership ends/);
      }
      // The fallback still applies, and says it only looked within the layers read.
      expect(answer.fallback?.reason).toContain('within the 2 layers read');
    });

    it('with all the data at hand, a last-layer company without holders is a true top', () => {
      const b = new StructureBuilder('top');
      const [t, h] = ['t', 'h'].map((key) => b.company(key));
      b.owns(h, t, 10000);
      const complete = run(b, t, { maxDepth: 1 }, { completeData: true });
      expect(codes(complete)).not.toContain('depth-limit-reached');
      expect(complete.entities.find((e) => e.uid === h)).toMatchObject({
        top: true,
        depthLimited: false,
      });
      expect(codes(complete)).toContain('no-natural-person');
      // Read from a store (maxDepth layers only), the same company may have holders.
      const partial = run(b, t, { maxDepth: 1 });
      expect(codes(partial)).toContain('depth-limit-reached');
      expect(codes(partial)).not.toContain('no-natural-person');
    });

    it('with all the data at hand, says for certain which holders the limit cut off', () => {
      const { b, l } = layers();
      const answer = run(b, l[0], { maxDepth: 2 }, { completeData: true });
      const depth = answer.warnings.find((w) => w.code === 'depth-limit-reached');
      expect(depth?.message).toContain('their holders above were not read');
      expect(depth?.entities).toEqual([l[2]]);
    });
  });

  describe('the integrated convention', () => {
    it('says how the listed simple chains relate to the share: the geometric series round the cycle', () => {
      const b = new StructureBuilder('series');
      const [t, x, y] = ['t', 'x', 'y'].map((key) => b.company(key));
      b.owns(t, y, 5000);
      b.owns(y, x, 7000);
      b.owns(x, t, 7000);
      const ann = b.person('ann');
      b.owns(ann, y, 5000);
      const answer = run(b, t);
      const owner = answer.owners.find((o) => o.uid === ann);
      // 50% x 70% x 70% = 49/200 by the one simple chain; each round of the cycle multiplies
      // by 50% x 70% x 70% = 49/200 again: 49/200 / (1 - 49/200) = 49/151.
      expect(owner?.effectiveShare.min).toBe('49/151');
      expect(owner?.chains.map((c) => c.product?.min)).toEqual(['49/200']);
      expect(owner?.shareExplanation).toContain('adds up to 24.5%');
      expect(owner?.shareExplanation).toContain('geometric series');
      expect(owner?.shareExplanation).toContain('= 24.5% / (1 - 24.5%) = 49/151');
      expect(answer.beneficialOwners[0].explanation).toContain(owner?.shareExplanation);
      // Under simple paths the one chain is the whole share, so nothing needs explaining.
      const simple = run(b, t, { convention: 'simple-paths' });
      expect(simple.owners[0].effectiveShare.min).toBe('49/200');
      expect(simple.owners[0].shareExplanation).toBeUndefined();
    });

    it('gives a general explanation when the cycle is not a single ring', () => {
      const b = new StructureBuilder('web');
      const [t, p, q, r] = ['t', 'p', 'q', 'r'].map((key) => b.company(key));
      b.owns(p, q, 3000);
      b.owns(q, p, 2000);
      b.owns(q, r, 4000);
      b.owns(r, p, 1000);
      b.owns(p, t, 6000);
      const cat = b.person('cat');
      b.owns(cat, q, 5000);
      const owner = run(b, t).owners.find((o) => o.uid === cat);
      expect(owner?.shareExplanation).toContain('(I - W)^-1');
      expect(owner?.shareExplanation).toContain('p, q, r');
    });

    it('explains an entity inside a cycle above 100% instead of leaving it unexplained', () => {
      const b = new StructureBuilder('above');
      const [t, a, c] = ['t', 'a', 'b'].map((key) => b.company(key));
      b.owns(a, t, 10000);
      b.owns(a, c, 5000);
      b.owns(c, a, 5000);
      b.owns(b.person('ann'), c, 5000);
      const answer = run(b, t);
      // v(A) = 1 + v(B)/2 and v(B) = v(A)/2, so A counts 4/3 of T.
      const entity = answer.entities.find((e) => e.uid === a);
      expect(entity?.effectiveShare.min).toBe('4/3');
      expect(entity?.explanation).toContain('ownership cycle');
      expect(entity?.explanation).toContain('not a holding');
      const warning = answer.warnings.find((w) => w.code === 'cycle-entity-above-100');
      expect(warning?.entities).toEqual([a]);
      expect(answer.owners[0].effectiveShare.min).toBe('1/3');
    });
  });

  describe('the fallback', () => {
    it('is applied (fallbackApplied) when nobody qualifies, even when no official is known', () => {
      const b = new StructureBuilder('nobody');
      const t = b.company('t');
      b.owns(b.person('small'), t, 1000);
      const answer = run(b, t);
      expect(answer.fallbackApplied).toBe(true);
      expect(answer.fallback?.officials).toEqual([]);
      expect(answer.fallback?.reason).toContain('nobody qualifies');
      expect(
        answer.warnings.find((w) => w.code === 'no-senior-managing-official')?.message,
      ).toContain('nobody can be named');
    });

    it('names the official and gives the reason', () => {
      const b = new StructureBuilder('named');
      const t = b.company('t');
      b.owns(b.person('small'), t, 1000);
      const ceo = b.person('ceo');
      b.controls(ceo, t, 'seniorManagingOfficial');
      const answer = run(b, t);
      expect(answer.fallbackApplied).toBe(true);
      expect(answer.fallback?.officials.map((o) => o.uid)).toEqual([ceo]);
      expect(answer.beneficialOwners[0].explanation).toContain(
        "Named as senior managing official of t under the regime's fallback",
      );
    });

    it('does not apply when someone qualifies, nor under the US rule', () => {
      const b = new StructureBuilder('none');
      const t = b.company('t');
      b.owns(b.person('big'), t, 5000);
      b.controls(b.person('ceo'), t, 'seniorManagingOfficial');
      const eu = run(b, t);
      expect([eu.fallbackApplied, eu.fallback]).toEqual([false, null]);
      const small = new StructureBuilder('us');
      const u = small.company('t');
      small.owns(small.person('small'), u, 1000);
      const us = run(small, u, { regime: 'us' });
      expect([us.fallbackApplied, us.fallback]).toEqual([false, null]);
    });

    it('carries a role held by an entity (corporate manager) up to the person who controls it', () => {
      const b = new StructureBuilder('corp');
      const [t, m] = ['t', 'm'].map((key) => b.company(key));
      b.owns(b.person('quin'), t, 1000);
      const role = b.controls(m, t, 'seniorManagingOfficial');
      const rob = b.person('rob');
      b.owns(rob, m, 6000);
      const answer = run(b, t);
      expect(answer.fallbackApplied).toBe(true);
      expect(answer.fallback?.officials.map((o) => [o.uid, o.role, o.edgeId])).toEqual([
        [rob, 'seniorManagingOfficial', role],
      ]);
      expect(answer.seniorManagingOfficials[0].through?.entities).toEqual([rob, m, t]);
      expect(answer.beneficialOwners.map((o) => [o.uid, o.basis])).toEqual([
        [rob, 'fallback-senior-managing-official'],
      ]);
      expect(answer.beneficialOwners[0].explanation).toContain('rob -> m (60%) -> t');
    });

    it('says who holds the role when no person controls the corporate manager', () => {
      const b = new StructureBuilder('orphan');
      const [t, m] = ['t', 'm'].map((key) => b.company(key));
      b.owns(b.person('quin'), t, 1000);
      b.controls(m, t, 'seniorManagingOfficial');
      b.owns(b.person('minor'), m, 4000);
      const answer = run(b, t);
      expect(answer.fallback?.officials).toEqual([]);
      expect(
        answer.warnings.find((w) => w.code === 'no-senior-managing-official')?.message,
      ).toContain('the role is held by m, and no natural person who controls it is in the data');
    });
  });

  describe('control held by an entity', () => {
    it('is carried up to whoever controls the entity, with the chain in the explanation', () => {
      const b = new StructureBuilder('carry');
      const [t, h, g] = ['t', 'h', 'g'].map((key) => b.company(key));
      const ivy = b.person('ivy');
      b.controls(ivy, g, 'appointmentOfBoard');
      b.owns(g, h, 5100);
      b.controls(h, t, 'otherInfluenceOrControl');
      const answer = run(b, t);
      expect(answer.beneficialOwners.map((o) => [o.uid, o.basis, o.qualifies])).toEqual([
        [ivy, 'control', 'yes'],
      ]);
      expect(answer.controlPersons[0].reasons[0].chain.entities).toEqual([ivy, g, h, t]);
      const { explanation } = answer.beneficialOwners[0];
      expect(explanation).toContain('held by h and carried up to ivy, who controls it');
      expect(explanation).toContain(
        'ivy -> g (appoints the board) -> h (51%) -> t (other influence or control)',
      );
      expect(answer.fallbackApplied).toBe(false);
    });

    it('is not carried up through a holding that is not control (30% of the entity)', () => {
      const b = new StructureBuilder('minority');
      const [t, h] = ['t', 'h'].map((key) => b.company(key));
      b.owns(b.person('pat'), h, 3000);
      b.controls(h, t, 'appointmentOfBoard');
      const answer = run(b, t);
      expect(answer.controlPersons).toEqual([]);
      // Pat is in the data, so the answer does not claim that no natural person is.
      const warning = answer.warnings.find((w) => w.code === 'no-natural-person');
      expect(warning?.message).toContain(
        'the persons in the data hold interests that do not reach it',
      );
    });
  });

  describe('shares that break a rule', () => {
    it.each([
      [[6000, 4000], 'shareMinBp 6000 is above shareMaxBp 4000'],
      [[2000, 12000], 'shareMaxBp 12000 is above 10000 basis points (100%)'],
      [[-100, 2000], 'shareMinBp -100 is negative'],
      [[2500.5, 3000], 'shareMinBp 2500.5 is not a whole number of basis points'],
    ] as const)('name the rule in the warning: %j', (share, rule) => {
      const b = new StructureBuilder('rule');
      const t = b.company('t');
      const edge = b.owns(b.person('ann'), t, share);
      const warning = run(b, t).warnings.find((w) => w.code === 'share-missing');
      expect(warning?.message).toContain(`${edge} has an impossible share (${rule}; read as`);
      expect(warning?.edges).toEqual([edge]);
    });
  });
});
