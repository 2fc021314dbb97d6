import { seededRandom } from '@app/risk-model';
import { movementEdge } from '@app/vocabulary';
import type { GraphVertex, GroundTruthRecord, Movement } from '@app/vocabulary';
import type { TuningDataset } from '../tune/rule-tuner';

// A small labelled bank for the seeder's unit tests (tune, evaluate --model).
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 6, 0, 0, 0);

function account(uid: string, openedDaysBefore: number): GraphVertex {
  return {
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: T0 - openedDaysBefore * DAY,
      status: 'active',
      bankId: 'TUNE',
      country: 'US',
    },
  };
}

/**
 * A seeded bank of `normal` accounts paying each other small sums at random, and every third
 * day a labelled fan-out: a fresh account pays 6 fresh accounts USD 3,000 each within an hour.
 */
export function fanBank(seed: number, days = 45, normal = 25): TuningDataset {
  const random = seededRandom(seed);
  const vertices: GraphVertex[] = [];
  const movements: Movement[] = [];
  const groundTruth: GroundTruthRecord[] = [];
  for (let a = 0; a < normal; a += 1) vertices.push(account(`account:TUNE:n${a}`, 400));
  let id = 0;
  const pay = (from: string, to: string, major: number, at: number): Movement => {
    id += 1;
    const movement: Movement = {
      movementId: `mv:tune:${String(id).padStart(6, '0')}`,
      fromAccount: from,
      toAccount: to,
      amountMinor: Math.round(major * 100),
      currency: 'USD',
      timestamp: at,
      channel: 'wire',
    };
    movements.push(movement);
    return movement;
  };
  for (let d = 0; d < days; d += 1) {
    for (let k = 0; k < normal; k += 1) {
      const from = Math.floor(random() * normal);
      const to = (from + 1 + Math.floor(random() * (normal - 1))) % normal;
      pay(
        `account:TUNE:n${from}`,
        `account:TUNE:n${to}`,
        20 + Math.round(random() * 400),
        T0 + d * DAY + Math.floor(random() * DAY),
      );
    }
    if (d % 3 === 1) {
      const hub = `account:TUNE:hub${d}`;
      vertices.push(account(hub, 10));
      const ids: string[] = [];
      for (let m = 0; m < 6; m += 1) {
        const mule = `account:TUNE:mule${d}-${m}`;
        vertices.push(account(mule, 10));
        ids.push(pay(hub, mule, 3000 + m, T0 + d * DAY + 36_000_000 + m * 300_000).movementId);
      }
      groundTruth.push({
        instanceId: `tune:${d}`,
        typology: 'fan-out',
        source: 'generator',
        decoy: false,
        entities: [hub],
        movements: ids,
        window: { from: T0 + d * DAY, to: T0 + (d + 1) * DAY },
        parameters: {},
      });
    }
  }
  movements.sort((a, b) => a.timestamp - b.timestamp || (a.movementId < b.movementId ? -1 : 1));
  return { vertices, edges: movements.map(movementEdge), groundTruth, observedSince: T0 };
}
