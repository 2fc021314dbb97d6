import type { GraphStore } from '@app/graph-store';
import { FixedClock } from '@app/vocabulary';
import { computeOwnership } from '../core/compute-ownership';
import { resolveUboOptions } from '../regimes';
import { checkScenario, uboContractCases, UboScenario } from '../ubo.contract-cases';
import { UboService } from '../ubo.service';
import type { UboAnswer } from '../ubo.types';

const SETTINGS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;
/** 2025-06-01T00:00:00Z: a fixed "today" so that the answers do not depend on the date. */
const TODAY = Date.UTC(2025, 5, 1);

/** What two answers must agree on (everything but the order of warnings' evidence lists). */
function essentials(answer: UboAnswer): unknown {
  return {
    owners: answer.owners.map((o) => [
      o.uid,
      o.effectiveShare,
      o.attributedShare,
      o.qualifies,
      o.chains.map((c) => c.links.map((l) => l.edgeId)),
    ]),
    beneficialOwners: answer.beneficialOwners.map((o) => [
      o.uid,
      o.bases,
      o.qualifies,
      o.risk,
      o.explanation,
    ]),
    controlPersons: answer.controlPersons.map((c) => [
      c.uid,
      c.qualifies,
      c.reasons.map((r) => r.kind).sort(),
    ]),
    cycles: answer.cycles,
    entities: answer.entities,
    warnings: answer.warnings.map((w) => w.code).sort(),
    controlProng: answer.controlProng?.uid ?? null,
    fallbackApplied: answer.fallbackApplied,
    fallback: answer.fallback,
  };
}

/**
 * Runs every UBO contract scenario against a GraphStore: the answer read through the store
 * (UboService.forCompany, one getOwnershipSubgraph round trip) must match the hand-computed
 * expectation and the pure core's answer on the scenario's own subgraph. Scenario ids are
 * unique, so nothing is cleared; call it from a spec file with a fresh or shared store:
 *
 *   describeUboParity('memory', () => new MemoryGraphStore());
 */
export function describeUboParity(
  name: string,
  makeStore: () => GraphStore | Promise<GraphStore>,
): void {
  describe(`UBO parity on ${name}`, () => {
    const scenarios = uboContractCases();
    let service: UboService;

    beforeAll(async () => {
      const store = await makeStore();
      await store.upsertVertices(scenarios.flatMap((s) => s.graph.vertices));
      await store.upsertEdges(scenarios.flatMap((s) => s.graph.edges));
      service = new UboService(store, SETTINGS, undefined, new FixedClock(TODAY));
    });

    it.each(scenarios.map((s): [string, UboScenario] => [s.name, s]))(
      '%s',
      async (_name, scenario) => {
        const viaStore = await service.forCompany(scenario.target, scenario.options);
        expect(checkScenario(viaStore, scenario)).toEqual([]);
        const options = resolveUboOptions(SETTINGS, { ...scenario.options, asOf: '2025-06-01' });
        const direct = computeOwnership(scenario.graph, scenario.target, options);
        expect(essentials(viaStore)).toEqual(essentials(direct));
      },
    );
  });
}
