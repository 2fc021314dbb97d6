import { performance } from 'node:perf_hooks';
import type { GraphStore, Subgraph } from '@app/graph-store';
import {
  computeOwnership,
  resolveUboOptions,
  StructureBuilder,
  UboAnswer,
  UboService,
} from '@app/ubo';
import { FixedClock } from '@app/vocabulary';

/**
 * UBO latency benchmark: loads three structures into a GraphStore and times
 * `UboService.forCompany` (one getOwnershipSubgraph round trip + the pure core) and the core
 * alone. Returns a markdown report. Run it on the memory store with
 *
 *   TZ=UTC npx ts-node -r tsconfig-paths/register --transpile-only libs/ubo/bench/ubo.bench.ts
 *
 * or call `benchUbo(() => janusGraphStore)` from the repository's bench runner.
 */

const SETTINGS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;
const RUNS = 5;

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same web. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Structure {
  name: string;
  description: string;
  target: string;
  graph: Subgraph;
  convention?: 'integrated' | 'simple-paths';
}

/** A chain of 20 companies above the target, 90% at each layer, with a 10% side owner per layer. */
export function layeredChain(): Structure {
  const b = new StructureBuilder('bench-chain');
  const layers = Array.from({ length: 20 }, (_, i) => b.company(`l${i}`));
  for (let i = 1; i < layers.length; i += 1) {
    b.owns(layers[i], layers[i - 1], 9000);
    b.owns(b.person(`side${i}`), layers[i - 1], 1000);
  }
  b.owns(b.person('top'), layers[19], 10000);
  return {
    name: '20-layer chain',
    description: '20 companies, 90% per layer, a 10% person at each layer',
    target: layers[0],
    graph: b.build(),
  };
}

/** 10,000 persons holding 1 basis point each of the target. */
export function wide(): Structure {
  const b = new StructureBuilder('bench-wide');
  const target = b.company('t');
  for (let i = 0; i < 10_000; i += 1) b.owns(b.person(`p${i}`), target, 1);
  return {
    name: 'wide (10k direct owners)',
    description: '10,000 persons with 0.01% each',
    target,
    graph: b.build(),
  };
}

/**
 * 1,000 companies in a random web (seeded): each holds a share of 2-3 random others (at most
 * 40% of each company in total held by companies), 400 persons hold the rest of 400 random
 * companies. Nearly everything is one strongly connected component.
 */
export function cyclicWeb(): Structure {
  const random = seeded(20251122);
  const b = new StructureBuilder('bench-web');
  const companies = Array.from({ length: 1000 }, (_, i) => b.company(`c${i}`));
  const heldByCompanies = new Array<number>(companies.length).fill(0);
  companies.forEach((holder, i) => {
    const targets = 2 + Math.floor(random() * 2);
    for (let k = 0; k < targets; k += 1) {
      const j = Math.floor(random() * companies.length);
      const bp = 500 + Math.floor(random() * 1000);
      if (j === i || heldByCompanies[j] + bp > 4000) continue;
      heldByCompanies[j] += bp;
      b.owns(holder, companies[j], bp);
    }
  });
  for (let p = 0; p < 400; p += 1) {
    const j = Math.floor(random() * companies.length);
    b.owns(b.person(`p${p}`), companies[j], Math.max(1, 6000 - heldByCompanies[j]));
  }
  return {
    name: 'cyclic web (1k companies)',
    description: '1,000 companies, 2-3 random holdings each, 400 persons',
    target: companies[0],
    graph: b.build(),
  };
}

/** 250 rings of 4 companies (50% around each ring) in a binary tree of rings: many small cycles. */
export function ringsOfFour(): Structure {
  const b = new StructureBuilder('bench-rings');
  const target = b.company('t');
  let below = [target];
  let ring = 0;
  while (ring < 250) {
    const next: string[] = [];
    for (const company of [...below, ...below]) {
      if (ring >= 250) break;
      const members = Array.from({ length: 4 }, (_, i) => b.company(`r${ring}m${i}`));
      members.forEach((m, i) => b.owns(m, members[(i + 1) % 4], 5000));
      b.owns(members[0], company, 2500);
      members.forEach((m, i) => b.owns(b.person(`r${ring}p${i}`), m, 5000));
      next.push(members[2]);
      ring += 1;
    }
    below = next;
  }
  return {
    name: '250 rings of 4 (1k companies)',
    description: 'small ownership cycles solved exactly, one by one',
    target,
    graph: b.build(),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function resolutionOf(answer: UboAnswer): string {
  const counts = new Map<string, number>();
  answer.cycles.forEach((c) => counts.set(c.resolution, (counts.get(c.resolution) ?? 0) + 1));
  const largest = Math.max(0, ...answer.cycles.map((c) => c.entities.length));
  return answer.cycles.length === 0
    ? 'no cycles'
    : `${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}; largest ${largest}`;
}

export async function benchUbo(makeStore: () => GraphStore | Promise<GraphStore>): Promise<string> {
  const store = await makeStore();
  const service = new UboService(store, SETTINGS, undefined, new FixedClock(Date.UTC(2025, 5, 1)));
  const structures: Structure[] = [
    layeredChain(),
    wide(),
    cyclicWeb(),
    { ...cyclicWeb(), name: 'cyclic web, simple-paths', convention: 'simple-paths' },
    ringsOfFour(),
  ];
  const rows: string[] = [];
  for (const structure of structures) {
    const loadStart = performance.now();
    for (let i = 0; i < structure.graph.vertices.length; i += 2000)
      await store.upsertVertices(structure.graph.vertices.slice(i, i + 2000));
    for (let i = 0; i < structure.graph.edges.length; i += 2000)
      await store.upsertEdges(structure.graph.edges.slice(i, i + 2000));
    const loadMs = performance.now() - loadStart;
    const options = { convention: structure.convention ?? 'integrated' } as const;
    const totals: number[] = [];
    let answer: UboAnswer | undefined;
    for (let run = 0; run < RUNS; run += 1) {
      const start = performance.now();
      answer = await service.forCompany(structure.target, options);
      totals.push(performance.now() - start);
    }
    const subgraph = await store.getOwnershipSubgraph(structure.target, SETTINGS.maxDepth);
    const resolved = resolveUboOptions(SETTINGS, { ...options, asOf: '2025-06-01' });
    const cores: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const start = performance.now();
      computeOwnership(subgraph, structure.target, resolved);
      cores.push(performance.now() - start);
    }
    const result = answer as UboAnswer;
    rows.push(
      `| ${structure.name} | ${subgraph.vertices.length} | ${subgraph.edges.length} | ${loadMs.toFixed(0)} | ${median(totals).toFixed(1)} | ${median(cores).toFixed(1)} | ${result.owners.length} | ${result.beneficialOwners.length} | ${resolutionOf(result)} (${options.convention}) |`,
    );
  }
  return [
    `### UBO latency (${store.backend} store, median of ${RUNS} runs, EU regime)`,
    '',
    '| structure | vertices | edges | load ms | forCompany ms | core ms | owners | beneficial owners | cycles (convention) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    'forCompany = one getOwnershipSubgraph round trip + computeOwnership (exact rationals, chains,',
    'control, risk). Cycles larger than 60 companies are solved as certified bounds (see README).',
  ].join('\n');
}

if (require.main === module) {
  void (async () => {
    const { MemoryGraphStore } = await import('@app/graph-store');
    process.stdout.write(`${await benchUbo(() => new MemoryGraphStore())}\n`);
  })();
}
