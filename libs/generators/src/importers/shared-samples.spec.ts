import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateEdge, validateVertex } from '@app/vocabulary';
import { importAmlsim } from './amlsim/amlsim.importer';
import { importAmlworld } from './amlworld/amlworld.importer';
import { collectImport } from './import-chunk';

/**
 * Checks the parsers against real public samples kept next to the repository
 * (`<repo>/../shared/data`, see its README). A user's clone does not have that folder, so the
 * suite is skipped there, with the reason in its title. The features are tested on the
 * fixtures of this folder; this only shows that the real files parse.
 */
const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
const SHARED = join(REPO_ROOT, '..', 'shared', 'data');
const describeIfShared = existsSync(SHARED) ? describe : describe.skip;
const DAY = 86_400_000;

describeIfShared(
  `Importers on the public samples in ${SHARED} (skipped: ../shared/data not present in a user's clone)`,
  () => {
    it('reads AMLworld LI-Medium_Patterns.txt: 456 blocks, 3,909 rows', async () => {
      const run = await collectImport(
        importAmlworld({ patternsPath: join(SHARED, 'amlworld', 'LI-Medium_Patterns.txt') }),
      );
      expect(run.summary).toMatchObject({
        patternBlocks: 456,
        patternRows: 3909,
        edges: 3909,
        groundTruth: 456,
      });
      expect(new Set(run.edges.map((e) => e.eid)).size).toBe(3909);
      const perTypology: Record<string, number> = {};
      for (const record of run.groundTruth)
        perTypology[record.typology] = (perTypology[record.typology] ?? 0) + 1;
      expect(perTypology).toEqual({
        bipartite: 72,
        'fan-out': 69,
        stack: 67,
        'scatter-gather': 63,
        random: 49,
        'fan-in': 47,
        cycle: 46,
        'gather-scatter': 43,
      });
      expect(run.groundTruth.reduce((sum, r) => sum + r.movements.length, 0)).toBe(3909);
      for (const vertex of run.vertices) expect(validateVertex(vertex)).toEqual([]);
      for (const edge of run.edges) expect(validateEdge(edge)).toEqual([]);
      // The one Bitcoin leg: 1.395073 BTC from a sibling account of 002258/800F62160.
      const btc = run.edges.filter((e) => e.label === 'TRANSFERRED' && e.props.currency === 'BTC');
      expect(btc).toHaveLength(1);
      expect(btc[0]).toMatchObject({
        from: 'account:002258:800F62161',
        props: { amountMinor: 139_507_300 },
      });
      expect(run.groundTruth[0]?.parameters).toMatchObject({
        pattern: 'SCATTER-GATHER',
        beginLine: 1,
      });
    });

    it('reads AMLSim export_small: 100 accounts, 10,333 transactions, 51 SAR in 3 fan-in alerts', async () => {
      const run = await collectImport(
        importAmlsim({ dir: join(SHARED, 'amlsim', 'export_small') }),
      );
      expect(run.summary).toMatchObject({
        schema: 'new',
        accounts: 100,
        edges: 10_333,
        sarTransactions: 51,
        alerts: 3,
        accountsNotInAccountsFile: 0,
        alertTransactionsOnlyInAlertFile: 0,
        unlabelledSarTransactions: 0,
      });
      expect(
        run.groundTruth.map((r) => [r.typology, r.movements.length, r.entities.length]),
      ).toEqual([
        ['fan-in', 21, 22],
        ['fan-in', 16, 17],
        ['fan-in', 14, 15],
      ]);
      for (const edge of run.edges) expect(validateEdge(edge)).toEqual([]);
    });

    it('reads AMLSim sample_outputs (old schema): the cycle alert of accounts 24 and 25', async () => {
      const run = await collectImport(
        importAmlsim({ dir: join(SHARED, 'amlsim', 'sample_outputs') }),
      );
      expect(run.summary).toMatchObject({ schema: 'old', alerts: 1, edges: 45 + 88 });
      expect(run.groundTruth).toHaveLength(1);
      expect(run.groundTruth[0]).toMatchObject({
        typology: 'cycle',
        movements: ['mv:amlsim:74', 'mv:amlsim:131'],
        window: { from: Date.UTC(2017, 0, 1) + 27 * DAY, to: Date.UTC(2017, 0, 1) + 48 * DAY },
      });
      for (const edge of run.edges) expect(validateEdge(edge)).toEqual([]);
    });
  },
);
