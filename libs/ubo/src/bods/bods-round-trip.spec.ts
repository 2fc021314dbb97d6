import { MemoryGraphStore } from '@app/graph-store';
import { FixedClock } from '@app/vocabulary';
import { StructureBuilder } from '../structure-builder';
import { UboService } from '../ubo.service';
import type { UboAnswer, UboRequestOptions } from '../ubo.types';

const SETTINGS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;
const TODAY = Date.UTC(2025, 5, 1);

/**
 * What an answer says, by names rather than ids (reading statements back gives new ids):
 * owners with their exact shares and chains, beneficial owners with bases and explanation,
 * control, the fallback, entities, cycles and warning codes.
 */
function said(answer: UboAnswer): unknown {
  const names = new Map<string, string>();
  for (const o of answer.owners) names.set(o.uid, o.name);
  for (const c of answer.controlPersons) names.set(c.uid, c.name);
  for (const e of answer.entities) names.set(e.uid, e.name);
  names.set(answer.target.uid, answer.target.name);
  const name = (uid: string): string => names.get(uid) ?? uid.slice(uid.lastIndexOf(':') + 1);
  return {
    target: answer.target.name,
    owners: answer.owners.map((o) => ({
      name: o.name,
      effective: o.effectiveShare,
      attributed: o.attributedShare,
      qualifies: o.qualifies,
      chains: o.chains.map((c) => [c.entities.map(name), c.product, c.counts]),
      truncated: o.chainsTruncated,
      shareExplanation: o.shareExplanation,
    })),
    beneficialOwners: answer.beneficialOwners.map((o) => ({
      name: o.name,
      bases: o.bases,
      qualifies: o.qualifies,
      share: o.ownership?.attributedShare,
      explanation: o.explanation,
      managementRole: o.managementRole,
    })),
    controlPersons: answer.controlPersons.map((c) => ({
      name: c.name,
      qualifies: c.qualifies,
      reasons: c.reasons.map((r) => [r.kind, r.qualifies, r.chain.entities.map(name)]),
    })),
    officials: answer.seniorManagingOfficials.map((o) => [o.name, o.role]),
    fallbackApplied: answer.fallbackApplied,
    fallback: answer.fallback && {
      reason: answer.fallback.reason,
      officials: answer.fallback.officials.map((o) => o.name),
    },
    controlProng: answer.controlProng?.name ?? null,
    entities: answer.entities.map((e) => [e.name, e.effectiveShare, e.top, e.depthLimited]),
    cycles: answer.cycles.map((c) => [c.entities.map(name).sort(), c.resolution]),
    warnings: answer.warnings.map((w) => w.code).sort(),
    riskIndicators: answer.risk.indicators.map((i) => [i.code, i.weight]),
    deepestLayer: answer.stats.deepestLayer,
  };
}

interface Case {
  name: string;
  options: UboRequestOptions;
  build: (b: StructureBuilder) => string;
}

const CASES: Case[] = [
  {
    name: 'a chain of holdings',
    options: {},
    build: (b) => {
      const [c1, c2, t] = ['c1', 'c2', 't'].map((key) => b.company(key));
      b.owns(b.person('ann'), c1, 10000);
      b.owns(c1, c2, 8000);
      b.owns(c2, t, 6250);
      b.owns(b.person('small'), t, 500);
      return t;
    },
  },
  {
    name: 'a cycle through the target (49/200 by the simple chain, 49/151 integrated)',
    options: {},
    build: (b) => {
      const [t, x, y] = ['t', 'x', 'y'].map((key) => b.company(key));
      b.owns(t, y, 5000);
      b.owns(y, x, 7000);
      b.owns(x, t, 7000);
      b.owns(b.person('ann'), y, 5000);
      return t;
    },
  },
  {
    name: 'a cycle under the simple-paths convention',
    options: { convention: 'simple-paths' },
    build: (b) => {
      const [a, c] = ['a', 'b'].map((key) => b.company(key));
      b.owns(a, c, 5000);
      b.owns(c, a, 5000);
      b.owns(b.person('ann'), a, 5000);
      b.owns(b.person('bob'), c, 5000);
      return a;
    },
  },
  {
    name: 'cross holdings with a direct and an indirect holding of one person',
    options: {},
    build: (b) => {
      const [t, p, q, r] = ['t', 'p', 'q', 'r'].map((key) => b.company(key));
      b.owns(p, q, 3000);
      b.owns(q, p, 2000);
      b.owns(q, r, 4000);
      b.owns(r, p, 1000);
      b.owns(p, t, 4000);
      b.owns(q, t, 3000);
      const bob = b.person('bob');
      b.owns(bob, p, 6000);
      b.owns(bob, t, 500);
      b.owns(b.person('cat'), q, 5000);
      b.owns(b.person('dan'), r, 10000);
      return t;
    },
  },
  {
    name: 'control links, carried up through entities',
    options: {},
    build: (b) => {
      const [t, h, g] = ['t', 'h', 'g'].map((key) => b.company(key));
      const ivy = b.person('ivy');
      b.controls(ivy, g, 'appointmentOfBoard');
      b.controls(g, h, 'otherInfluenceOrControl');
      b.controls(h, t, 'appointmentOfBoard');
      b.owns(b.person('joe'), t, 2000);
      b.controls(b.person('kay'), t, 'unknownInterest');
      return t;
    },
  },
  {
    name: 'UK: whole holdings of an entity whose board the person appoints',
    options: { regime: 'uk' },
    build: (b) => {
      const [t, h] = ['t', 'h'].map((key) => b.company(key));
      b.controls(b.person('lee'), h, 'appointmentOfBoard');
      b.owns(h, t, 3000);
      b.owns(b.person('max'), h, 4000);
      return t;
    },
  },
  {
    name: 'ranges and exclusive bounds',
    options: {},
    build: (b) => {
      const [t, h] = ['t', 'h'].map((key) => b.company(key));
      const ned = b.person('ned');
      b.owns(ned, h, { minBp: 5000, maxBp: 7500, minExclusive: true });
      b.owns(h, t, [3000, 4000]);
      b.owns(b.person('ola'), t, { minBp: 2000, maxBp: 2500, maxExclusive: true });
      b.owns(b.person('pam'), t, { minBp: 2500, maxBp: 2600, minExclusive: true });
      return t;
    },
  },
  {
    name: 'the fallback: a corporate senior managing official carried up to its owner',
    options: {},
    build: (b) => {
      const [t, m] = ['t', 'm'].map((key) => b.company(key));
      b.owns(b.person('quin'), t, 1000);
      b.controls(m, t, 'seniorManagingOfficial');
      b.owns(b.person('rob'), m, 10000);
      return t;
    },
  },
  {
    name: 'US: the control prong next to the owners',
    options: { regime: 'us' },
    build: (b) => {
      const t = b.company('t');
      b.owns(b.person('sue'), t, 3000);
      b.controls(b.person('tom'), t, 'seniorManagingOfficial');
      b.controls(b.person('uma'), t, 'boardChair');
      return t;
    },
  },
  {
    name: 'the depth limit',
    options: { maxDepth: 2 },
    build: (b) => {
      const layers = ['l0', 'l1', 'l2', 'l3'].map((key) => b.company(key));
      for (let i = 1; i < layers.length; i += 1) b.owns(layers[i], layers[i - 1], 10000);
      b.owns(b.person('vic'), layers[3], 10000);
      return layers[0];
    },
  },
];

describe('BODS export round trip: reading the exported statements back gives the same answer', () => {
  it.each(CASES.map((c): [string, Case] => [c.name, c]))(
    '%s',
    async (_name, { options, build }) => {
      const b = new StructureBuilder('rt');
      const target = build(b);
      const store = new MemoryGraphStore();
      const graph = b.build();
      await store.upsertVertices(graph.vertices);
      await store.upsertEdges(graph.edges);
      const service = new UboService(store, SETTINGS, undefined, new FixedClock(TODAY));

      const answer = await service.forCompany(target, options);
      const statements: unknown = JSON.parse(JSON.stringify(await service.asBods(target, options)));
      const again = service.evaluate(statements, target, options);
      expect(again.bods.notes.filter((n) => n.severity === 'skipped')).toEqual([]);
      expect(said(again)).toEqual(said(answer));
    },
  );

  it('keeps every link of a cycle: 49/151 stays 49/151 (not 49/200)', async () => {
    const b = new StructureBuilder('rt49');
    const [t, x, y] = ['t', 'x', 'y'].map((key) => b.company(key));
    b.owns(t, y, 5000);
    b.owns(y, x, 7000);
    b.owns(x, t, 7000);
    const ann = b.person('ann');
    b.owns(ann, y, 5000);
    const store = new MemoryGraphStore();
    const graph = b.build();
    await store.upsertVertices(graph.vertices);
    await store.upsertEdges(graph.edges);
    const service = new UboService(store, SETTINGS, undefined, new FixedClock(TODAY));
    const statements = await service.asBods(t);
    const links = statements.filter((s) => s.recordType === 'relationship');
    // The three links of the cycle and Ann's holding, plus Ann's primary relationship.
    expect(links.map((s) => s.recordId).sort()).toEqual(
      [...graph.edges.map((e) => e.eid), `bo:${t}>${ann}`].sort(),
    );
    const again = service.evaluate(JSON.parse(JSON.stringify(statements)) as unknown, t);
    expect(again.owners.map((o) => [o.name, o.effectiveShare.min])).toEqual([['ann', '49/151']]);
  });
});
