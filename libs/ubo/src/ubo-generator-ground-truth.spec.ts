import { seedGraphStore } from '@app/generators';
import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import {
  FixedClock,
  type GroundTruthRecord,
  OWNERSHIP_TYPOLOGIES,
  type OwnershipTypology,
} from '@app/vocabulary';
import { parseRational } from './core/share-interval';
import { UboService } from './ubo.service';
import type { UboAnswer } from './ubo.types';

/**
 * Issue 5 done-criterion: every ownership scenario the generator injects into a synthetic bank
 * is answered by UboService exactly as its ground truth says (EU regime: 25% or more, multiply
 * along chains, add across chains, integrated convention for cycles).
 *
 * The small profile (seed 42, 90 days) is generated straight into a memory graph store, then
 * every ownership ground-truth record is checked against `forCompany(target)`:
 *   (a) each expected owner's exact effective share equals the expected rational,
 *   (b) whether the owner qualifies matches (true <-> 'yes', false <-> 'no'),
 *   (c) every expected controller is named (a control person, or a beneficial owner by control
 *       or by the senior-managing-official fallback),
 *   (d) nobody qualifies by ownership that the ground truth says does not, and the answer lists
 *       no owner the ground truth does not know about.
 */

const REFERENCE_TIME = '2025-01-01T00:00:00Z';

function isOwnershipTypology(typology: string): typology is OwnershipTypology {
  return (OWNERSHIP_TYPOLOGIES as readonly string[]).includes(typology);
}

/** Every disagreement between the answer and the record, each naming the instance. */
function mismatchesOf(record: GroundTruthRecord, answer: UboAnswer): string[] {
  const expected = record.expectedOwnership;
  const where = `${record.instanceId} (${record.typology})`;
  if (!expected) return [`${where}: no expectedOwnership`];
  const problems: string[] = [];
  const owners = new Map(answer.owners.map((o) => [o.uid, o]));

  for (const [person, want] of Object.entries(expected.owners)) {
    const got = owners.get(person);
    if (!got) {
      problems.push(`${where}: owner ${person} (expected ${want.share}) missing from the answer`);
      continue;
    }
    const share = got.effectiveShare;
    const wanted = parseRational(want.share);
    const exactlyEqual =
      share.exact &&
      parseRational(share.min).equals(wanted) &&
      parseRational(share.max).equals(wanted);
    if (!exactlyEqual)
      problems.push(
        `${where}: owner ${person} share expected ${want.share}, got [${share.min}, ${share.max}] (exact=${String(share.exact)})`,
      );
    const wantQualifies = want.qualifies ? 'yes' : 'no';
    if (got.qualifies !== wantQualifies)
      problems.push(
        `${where}: owner ${person} (share ${want.share}) qualifies expected ${wantQualifies}, got ${got.qualifies}`,
      );
  }

  for (const got of answer.owners) {
    if (!(got.uid in expected.owners))
      problems.push(
        `${where}: unexpected owner ${got.uid} with share ${got.effectiveShare.min} (qualifies ${got.qualifies})`,
      );
  }

  // Beneficial owners whose basis is ownership must be exactly the expected qualifying owners.
  const qualifyingByOwnership = answer.beneficialOwners
    .filter((b) => b.bases.includes('ownership'))
    .map((b) => b.uid)
    .sort();
  const expectedQualifying = Object.entries(expected.owners)
    .filter(([, o]) => o.qualifies)
    .map(([uid]) => uid)
    .sort();
  if (JSON.stringify(qualifyingByOwnership) !== JSON.stringify(expectedQualifying))
    problems.push(
      `${where}: beneficial owners by ownership expected [${expectedQualifying.join(', ')}], got [${qualifyingByOwnership.join(', ')}]`,
    );

  const controlPersons = new Set(answer.controlPersons.map((c) => c.uid));
  const namedByControlOrFallback = new Set(
    answer.beneficialOwners
      .filter(
        (b) => b.bases.includes('control') || b.bases.includes('fallback-senior-managing-official'),
      )
      .map((b) => b.uid),
  );
  for (const controller of expected.controllers) {
    if (!controlPersons.has(controller) && !namedByControlOrFallback.has(controller))
      problems.push(
        `${where}: expected controller ${controller} is neither a control person nor a beneficial owner by control/fallback (control persons: [${[...controlPersons].join(', ')}], beneficial owners: [${answer.beneficialOwners.map((b) => `${b.uid}:${b.basis}`).join(', ')}])`,
      );
  }
  return problems;
}

describe('UboService answers every generated ownership scenario as its ground truth says', () => {
  let service: UboService;
  let records: GroundTruthRecord[];

  beforeAll(async () => {
    const store = new MemoryGraphStore();
    const seeded = await seedGraphStore(store, {
      profile: 'small',
      seed: 42,
      referenceTime: REFERENCE_TIME,
      days: 90,
    });
    records = seeded.groundTruth.filter((r) => isOwnershipTypology(r.typology));
    const ubo = loadAllSettings({}).ubo;
    service = new UboService(store, ubo, undefined, new FixedClock(Date.parse(REFERENCE_TIME)));
  }, 60_000);

  it('has at least one instance of each of the six ownership typologies', () => {
    const present = new Set(records.map((r) => r.typology));
    expect([...OWNERSHIP_TYPOLOGIES].filter((t) => !present.has(t))).toEqual([]);
    // Something to check in each category: owners with shares, and named controllers.
    const owners = records.flatMap((r) => Object.keys(r.expectedOwnership?.owners ?? {}));
    const controllers = records.flatMap((r) => r.expectedOwnership?.controllers ?? []);
    expect(owners.length).toBeGreaterThan(records.length);
    expect(controllers.length).toBeGreaterThan(0);
  });

  it('matches shares, qualification and controllers of every instance', async () => {
    const mismatches: string[] = [];
    for (const record of records) {
      const target = record.expectedOwnership?.target;
      if (target === undefined) {
        mismatches.push(`${record.instanceId} (${record.typology}): no expectedOwnership`);
        continue;
      }
      const answer = await service.forCompany(target, { regime: 'eu', convention: 'integrated' });
      expect(answer.options.thresholdBp).toBe(2500);
      expect(answer.options.comparator).toBe('at-least');
      expect(answer.options.method).toBe('multiplication');
      mismatches.push(...mismatchesOf(record, answer));
    }
    expect(mismatches).toEqual([]);
  });
});
