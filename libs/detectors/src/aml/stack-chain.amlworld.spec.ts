import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { collectImport, importAmlworld } from '@app/generators';
import { movementOf, shippedBaseMoney } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { runDetector } from '../testing/fixtures';
import { stackChainDetector } from './stack-chain.detector';

/**
 * The stack rule on the public AMLworld LI-Medium patterns kept next to the repository
 * (`<repo>/../shared/data`). A user's clone does not have that folder, so the suite is skipped
 * there, with the reason in its title; the rule's behaviour is tested on hand-made scenarios in
 * stack-chain.detector.spec.ts.
 */
const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
const PATTERNS = join(REPO_ROOT, '..', 'shared', 'data', 'amlworld', 'LI-Medium_Patterns.txt');
const describeIfShared = existsSync(PATTERNS) ? describe : describe.skip;

describeIfShared(
  `aml.stack-chain on AMLworld LI-Medium patterns at ${PATTERNS} (skipped: ../shared/data not present in a user's clone)`,
  () => {
    it('finds at least 80% of the 67 stack attempts with alerts sharing a movement', async () => {
      const run = await collectImport(importAmlworld({ patternsPath: PATTERNS }));
      const movements: Movement[] = [];
      for (const edge of run.edges)
        if (edge.label === 'TRANSFERRED') movements.push(movementOf(edge));
      const { alerts } = runDetector(stackChainDetector, movements, {
        vertices: [...run.vertices],
        money: shippedBaseMoney('USD'),
      });
      const evidence = new Set(alerts.flatMap((a) => a.movements.map((m) => m.movementId)));
      const stacks = run.groundTruth.filter((r) => r.typology === 'stack');
      const found = stacks.filter((r) => r.movements.some((id) => evidence.has(id)));
      expect(stacks).toHaveLength(67);
      expect(found.length / stacks.length).toBeGreaterThanOrEqual(0.8);
    });
  },
);
