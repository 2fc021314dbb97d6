import type { Subgraph } from '@app/graph-store';
import type { OwnershipTypology } from '@app/vocabulary';
import { StructureBuilder } from './structure-builder';
import type {
  Qualifies,
  UboAnswer,
  UboBasis,
  UboRequestOptions,
  UboWarningCode,
} from './ubo.types';

/**
 * A scenario that any GraphStore must answer the same way: the structure (vertices and edges
 * in the shared vocabulary), the target, the options and the hand-computed expected answer.
 * Every scenario uses its own id source, so all of them can be loaded into one store at once.
 */
export interface UboScenario {
  name: string;
  typology?: OwnershipTypology;
  target: string;
  options: UboRequestOptions;
  graph: Subgraph;
  expected: {
    /** Every person with some effective ownership: exact share ("n/d", min = max) or range. */
    owners: Readonly<Record<string, { min: string; max?: string; qualifies: Qualifies }>>;
    /** Beneficial owners and all their bases, in the regime's sense. */
    beneficialOwners: Readonly<Record<string, readonly UboBasis[]>>;
    controlPersons?: readonly string[];
    /** Each cycle as its sorted member uids. */
    cycles?: readonly (readonly string[])[];
    /** Warning codes the answer must contain. */
    warnings?: readonly UboWarningCode[];
    controlProng?: string;
    /** Whether the regime's fallback applies, and the persons it names (uids, sorted). */
    fallback?: readonly string[] | null;
    /** Companies the depth limit cut off (their holders were not read). */
    depthLimited?: readonly string[];
  };
}

function scenario(
  name: string,
  typology: OwnershipTypology | undefined,
  options: UboRequestOptions,
  build: (b: StructureBuilder) => { target: string; expected: UboScenario['expected'] },
): UboScenario {
  const b = new StructureBuilder(`uc-${name}`);
  const { target, expected } = build(b);
  return { name, ...(typology ? { typology } : {}), target, options, graph: b.build(), expected };
}

/** The scenarios, built fresh on every call (hand-computed expectations in the comments). */
export function uboContractCases(): UboScenario[] {
  return [
    scenario('layered-chain', 'ubo-layered-chain', { regime: 'eu' }, (b) => {
      // 100% x 80% x 62.5% x 50% = 1/4 exactly: qualifies under "25% or more". Ann also holds a
      // majority at every layer down to C3, which holds 50% of T: control of the direct
      // shareholder (AMLR), so her bases are ownership and control.
      const ann = b.person('ann');
      const [c1, c2, c3, t] = ['c1', 'c2', 'c3', 't'].map((key) => b.company(key));
      b.owns(ann, c1, 10000);
      b.owns(c1, c2, 8000);
      b.owns(c2, c3, 6250);
      b.owns(c3, t, 5000);
      return {
        target: t,
        expected: {
          owners: { [ann]: { min: '1/4', qualifies: 'yes' } },
          beneficialOwners: { [ann]: ['ownership', 'control'] },
          controlPersons: [ann],
        },
      };
    }),
    scenario('multi-path', 'ubo-multi-path', { regime: 'eu' }, (b) => {
      // Bob: 50% x 20% + 100% x 10% + 5% = 1/4 (no single path reaches 25%); Carol 24% direct.
      const bob = b.person('bob');
      const carol = b.person('carol');
      const [a, c, t] = ['a', 'b', 't'].map((key) => b.company(key));
      b.owns(bob, a, 5000);
      b.owns(a, t, 2000);
      b.owns(bob, c, 10000);
      b.owns(c, t, 1000);
      b.owns(bob, t, 500);
      b.owns(carol, t, 2400);
      return {
        target: t,
        expected: {
          owners: {
            [bob]: { min: '1/4', qualifies: 'yes' },
            [carol]: { min: '6/25', qualifies: 'no' },
          },
          beneficialOwners: { [bob]: ['ownership'] },
        },
      };
    }),
    scenario('exact-threshold-eu', 'ubo-exact-threshold', { regime: 'eu' }, (b) => {
      // 50% x 50% = 1/4, exactly at the EU threshold.
      const dan = b.person('dan');
      const [h, t] = ['h', 't'].map((key) => b.company(key));
      b.owns(dan, h, 5000);
      b.owns(h, t, 5000);
      return {
        target: t,
        expected: {
          owners: { [dan]: { min: '1/4', qualifies: 'yes' } },
          beneficialOwners: { [dan]: ['ownership'] },
        },
      };
    }),
    scenario('exact-threshold-uk', 'ubo-exact-threshold', { regime: 'uk' }, (b) => {
      // UK needs more than 25%: 25.00% does not qualify, 25.01% does.
      const erin = b.person('erin');
      const fred = b.person('fred');
      const t = b.company('t');
      b.owns(erin, t, 2500);
      b.owns(fred, t, 2501);
      return {
        target: t,
        expected: {
          owners: {
            [erin]: { min: '1/4', qualifies: 'no' },
            [fred]: { min: '2501/10000', qualifies: 'yes' },
          },
          beneficialOwners: { [fred]: ['ownership'] },
        },
      };
    }),
    scenario('below-threshold-fallback', 'ubo-below-threshold', { regime: 'eu' }, (b) => {
      // 24.99% does not qualify; nobody controls; the senior managing official is named.
      const gus = b.person('gus');
      const hal = b.person('hal');
      const t = b.company('t');
      b.owns(gus, t, 2499);
      b.controls(hal, t, 'seniorManagingOfficial');
      return {
        target: t,
        expected: {
          owners: { [gus]: { min: '2499/10000', qualifies: 'no' } },
          beneficialOwners: { [hal]: ['fallback-senior-managing-official'] },
          warnings: ['fallback-applied'],
        },
      };
    }),
    scenario('cycle-integrated', 'ubo-cycle', { regime: 'eu', convention: 'integrated' }, (b) => {
      // A and B hold 50% of each other; Ann 50% of A, Bob 50% of B. Target A:
      // v(A) = 1 + v(B)/2, v(B) = v(A)/2 -> v(A) = 4/3, v(B) = 2/3; Ann 2/3, Bob 1/3.
      const ann = b.person('ann');
      const bob = b.person('bob');
      const [a, c] = ['a', 'b'].map((key) => b.company(key));
      b.owns(a, c, 5000);
      b.owns(c, a, 5000);
      b.owns(ann, a, 5000);
      b.owns(bob, c, 5000);
      return {
        target: a,
        expected: {
          owners: {
            [ann]: { min: '2/3', qualifies: 'yes' },
            [bob]: { min: '1/3', qualifies: 'yes' },
          },
          beneficialOwners: { [ann]: ['ownership'], [bob]: ['ownership'] },
          cycles: [[a, c].sort()],
        },
      };
    }),
    scenario(
      'cycle-simple-paths',
      'ubo-cycle',
      { regime: 'eu', convention: 'simple-paths' },
      (b) => {
        // Same structure, simple paths: Ann 1/2 (A -> B -> A repeats A), Bob 1/2 x 1/2 = 1/4.
        const ann = b.person('ann');
        const bob = b.person('bob');
        const [a, c] = ['a', 'b'].map((key) => b.company(key));
        b.owns(a, c, 5000);
        b.owns(c, a, 5000);
        b.owns(ann, a, 5000);
        b.owns(bob, c, 5000);
        return {
          target: a,
          expected: {
            owners: {
              [ann]: { min: '1/2', qualifies: 'yes' },
              [bob]: { min: '1/4', qualifies: 'yes' },
            },
            beneficialOwners: { [ann]: ['ownership'], [bob]: ['ownership'] },
            cycles: [[a, c].sort()],
          },
        };
      },
    ),
    scenario('control-only', 'ubo-control-only', { regime: 'eu' }, (b) => {
      // Ivy owns the holding that appoints the target's board; nobody owns the target.
      const ivy = b.person('ivy');
      const [holdco, t] = ['holdco', 't'].map((key) => b.company(key));
      b.owns(ivy, holdco, 10000);
      b.controls(holdco, t, 'appointmentOfBoard');
      return {
        target: t,
        expected: { owners: {}, beneficialOwners: { [ivy]: ['control'] }, controlPersons: [ivy] },
      };
    }),
    scenario('range-possibly', undefined, { regime: 'eu' }, (b) => {
      // 20%-30%: may or may not reach 25%.
      const jo = b.person('jo');
      const t = b.company('t');
      b.owns(jo, t, [2000, 3000]);
      return {
        target: t,
        expected: {
          owners: { [jo]: { min: '1/5', max: '3/10', qualifies: 'possibly' } },
          beneficialOwners: { [jo]: ['ownership'] },
          warnings: ['no-senior-managing-official'],
        },
      };
    }),
    scenario('us-control-prong', undefined, { regime: 'us' }, (b) => {
      // Kim owns 30%; Lee is the senior managing official: the one control-prong person.
      const kim = b.person('kim');
      const lee = b.person('lee');
      const t = b.company('t');
      b.owns(kim, t, 3000);
      b.controls(lee, t, 'seniorManagingOfficial');
      return {
        target: t,
        expected: {
          owners: { [kim]: { min: '3/10', qualifies: 'yes' } },
          beneficialOwners: { [kim]: ['ownership'], [lee]: ['control'] },
          controlProng: lee,
        },
      };
    }),
    scenario('uk-majority-chain', 'ubo-layered-chain', { regime: 'uk' }, (b) => {
      // Max holds 60% of M, M holds 30% of T: the whole 30% counts in the UK (18% by multiplication).
      const max = b.person('max');
      const [m, t] = ['m', 't'].map((key) => b.company(key));
      b.owns(max, m, 6000);
      b.owns(m, t, 3000);
      return {
        target: t,
        expected: {
          owners: { [max]: { min: '9/50', qualifies: 'yes' } },
          beneficialOwners: { [max]: ['ownership'] },
        },
      };
    }),
    scenario('cycle-ring', 'ubo-cycle', { regime: 'eu', convention: 'integrated' }, (b) => {
      // T holds 50% of Y, Y 70% of X, X 70% of T; Ann 50% of Y. The one simple chain gives
      // 1/2 x 7/10 x 7/10 = 49/200; each round of the ring multiplies by 49/200 again, so
      // Ann holds 49/200 / (1 - 49/200) = 49/151 under the integrated convention.
      const ann = b.person('ann');
      const [t, x, y] = ['t', 'x', 'y'].map((key) => b.company(key));
      b.owns(t, y, 5000);
      b.owns(y, x, 7000);
      b.owns(x, t, 7000);
      b.owns(ann, y, 5000);
      return {
        target: t,
        expected: {
          owners: { [ann]: { min: '49/151', qualifies: 'yes' } },
          beneficialOwners: { [ann]: ['ownership'] },
          cycles: [[t, x, y].sort()],
          fallback: null,
        },
      };
    }),
    scenario('corporate-official-fallback', 'ubo-below-threshold', { regime: 'eu' }, (b) => {
      // Nobody holds 25%; the senior managing official is company M, which Rob holds 60% of:
      // the role is carried up to Rob, who is named under the fallback.
      const quin = b.person('quin');
      const rob = b.person('rob');
      const [t, m] = ['t', 'm'].map((key) => b.company(key));
      b.owns(quin, t, 1000);
      b.controls(m, t, 'seniorManagingOfficial');
      b.owns(rob, m, 6000);
      return {
        target: t,
        expected: {
          owners: { [quin]: { min: '1/10', qualifies: 'no' } },
          beneficialOwners: { [rob]: ['fallback-senior-managing-official'] },
          warnings: ['fallback-applied'],
          fallback: [rob],
        },
      };
    }),
    scenario('depth-limit', 'ubo-layered-chain', { regime: 'eu', maxDepth: 2 }, (b) => {
      // L3 -> L2 -> L1 -> T, each 100%, and Vic holds L3: with maxDepth 2, L2 is the last
      // layer read and Vic is out of reach; the answer says the limit cut the chain at L2.
      const vic = b.person('vic');
      const [t, l1, l2, l3] = ['t', 'l1', 'l2', 'l3'].map((key) => b.company(key));
      b.owns(l1, t, 10000);
      b.owns(l2, l1, 10000);
      b.owns(l3, l2, 10000);
      b.owns(vic, l3, 10000);
      return {
        target: t,
        expected: {
          owners: {},
          beneficialOwners: {},
          warnings: ['depth-limit-reached', 'no-senior-managing-official'],
          depthLimited: [l2],
          fallback: [],
        },
      };
    }),
    scenario('self-ownership', undefined, { regime: 'eu', convention: 'integrated' }, (b) => {
      // The target holding 10% of its own shares (treasury shares) is an ownership cycle of
      // one company: integrated, Nia's 50% is 1/2 / (1 - 1/10) = 5/9. Said in a warning.
      const nia = b.person('nia');
      const t = b.company('t');
      b.owns(t, t, 1000);
      b.owns(nia, t, 5000);
      return {
        target: t,
        expected: {
          owners: { [nia]: { min: '5/9', qualifies: 'yes' } },
          beneficialOwners: { [nia]: ['ownership'] },
          cycles: [[t]],
          warnings: ['self-ownership'],
        },
      };
    }),
  ];
}

/** Differences between an answer and a scenario's expectation (empty when it matches). */
export function checkScenario(answer: UboAnswer, scenario: UboScenario): string[] {
  const problems: string[] = [];
  const { expected } = scenario;
  const owners = new Map(answer.owners.map((owner) => [owner.uid, owner]));
  const expectedOwners = Object.keys(expected.owners).sort();
  const actualOwners = [...owners.keys()].sort();
  if (expectedOwners.join() !== actualOwners.join())
    problems.push(
      `owners are [${actualOwners.join(', ')}], expected [${expectedOwners.join(', ')}]`,
    );
  for (const [uid, want] of Object.entries(expected.owners)) {
    const got = owners.get(uid);
    if (!got) continue;
    const max = want.max ?? want.min;
    if (got.effectiveShare.min !== want.min || got.effectiveShare.max !== max) {
      problems.push(
        `${uid} holds ${got.effectiveShare.min}..${got.effectiveShare.max}, expected ${want.min}..${max}`,
      );
    }
    if (got.qualifies !== want.qualifies)
      problems.push(`${uid} qualifies "${got.qualifies}", expected "${want.qualifies}"`);
  }
  const bos = new Map(answer.beneficialOwners.map((owner) => [owner.uid, owner.bases]));
  const expectedBos = Object.keys(expected.beneficialOwners).sort();
  const actualBos = [...bos.keys()].sort();
  if (expectedBos.join() !== actualBos.join())
    problems.push(
      `beneficial owners are [${actualBos.join(', ')}], expected [${expectedBos.join(', ')}]`,
    );
  for (const [uid, bases] of Object.entries(expected.beneficialOwners)) {
    const got = bos.get(uid);
    if (got && got.join() !== bases.join())
      problems.push(`${uid} has bases [${got.join(', ')}], expected [${bases.join(', ')}]`);
  }
  if (expected.controlPersons) {
    const got = answer.controlPersons.map((person) => person.uid).sort();
    if (got.join() !== [...expected.controlPersons].sort().join())
      problems.push(`control persons are [${got.join(', ')}]`);
  }
  if (expected.cycles) {
    const got = answer.cycles.map((cycle) => cycle.entities.join('|')).sort();
    const want = expected.cycles.map((cycle) => [...cycle].sort().join('|')).sort();
    if (got.join() !== want.join())
      problems.push(`cycles are [${got.join('; ')}], expected [${want.join('; ')}]`);
  }
  for (const code of expected.warnings ?? []) {
    if (!answer.warnings.some((warning) => warning.code === code))
      problems.push(`warning ${code} is missing`);
  }
  if (expected.controlProng !== undefined && answer.controlProng?.uid !== expected.controlProng) {
    problems.push(
      `control prong is ${answer.controlProng?.uid ?? 'nobody'}, expected ${expected.controlProng}`,
    );
  }
  if (expected.fallback !== undefined) {
    const got =
      answer.fallback === null ? null : answer.fallback.officials.map((o) => o.uid).sort();
    const want = expected.fallback === null ? null : [...expected.fallback].sort();
    if (JSON.stringify(got) !== JSON.stringify(want) || answer.fallbackApplied !== (want !== null))
      problems.push(
        `fallback is ${JSON.stringify(got)} (fallbackApplied ${String(answer.fallbackApplied)}), expected ${JSON.stringify(want)}`,
      );
  }
  if (expected.depthLimited !== undefined) {
    const got = answer.entities
      .filter((e) => e.depthLimited)
      .map((e) => e.uid)
      .sort();
    if (got.join() !== [...expected.depthLimited].sort().join())
      problems.push(`depth-limited entities are [${got.join(', ')}]`);
    if (answer.warnings.some((w) => w.code === 'no-natural-person'))
      problems.push(
        'the depth limit cut the chain, yet the answer says no natural person is in the data',
      );
  }
  if (answer.options.convention !== (scenario.options.convention ?? answer.options.convention))
    problems.push('the convention was not applied');
  return problems;
}
