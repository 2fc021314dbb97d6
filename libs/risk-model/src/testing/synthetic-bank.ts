import type { DetectionChunk } from '@app/detectors';
import type { GraphEdge, GraphVertex, GroundTruthRecord, Movement } from '@app/vocabulary';
import { movementEdge } from '@app/vocabulary';
import { seededRandom } from '../model/seeded-random';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);

/** An account vertex opened `daysBefore` days before T0. */
export function account(uid: string, country = 'US', daysBefore = 400): GraphVertex {
  return {
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: T0 - daysBefore * DAY,
      status: 'active',
      bankId: 'SYNB',
      country,
    },
  };
}

export function payment(
  id: string,
  from: string,
  to: string,
  major: number,
  at: number,
  extra: Partial<Movement> = {},
): Movement {
  return {
    movementId: id,
    fromAccount: from,
    toAccount: to,
    amountMinor: Math.round(major * 100),
    currency: 'USD',
    timestamp: at,
    channel: 'wire',
    ...extra,
  };
}

/**
 * A small labelled bank made with a seed: `normal` accounts paying each other at random over
 * `days` days, and every few days a laundering fan-out then fan-in through fresh mule accounts
 * (labelled), so there is something to learn in every part of the time span.
 */
export function syntheticBank(seed: number, days = 30, normal = 30): DetectionChunk {
  const random = seededRandom(seed);
  const vertices: GraphVertex[] = [];
  const movements: Movement[] = [];
  const groundTruth: GroundTruthRecord[] = [];
  for (let a = 0; a < normal; a += 1) vertices.push(account(`account:SYNB:n${a}`));
  let id = 0;
  const next = (): string => `mv:syn:${String((id += 1)).padStart(6, '0')}`;
  for (let d = 0; d < days; d += 1) {
    for (let k = 0; k < normal * 2; k += 1) {
      const from = Math.floor(random() * normal);
      let to = Math.floor(random() * normal);
      if (to === from) to = (to + 1) % normal;
      movements.push(
        payment(
          next(),
          `account:SYNB:n${from}`,
          `account:SYNB:n${to}`,
          20 + Math.round(random() * 3000),
          T0 + d * DAY + Math.floor(random() * DAY),
        ),
      );
    }
    if (d % 3 === 1) {
      const hub = `account:SYNB:hub${d}`;
      const sink = `account:SYNB:sink${d}`;
      vertices.push(account(hub, 'US', 5), account(sink, 'US', 5));
      const ids: string[] = [];
      for (let m = 0; m < 6; m += 1) {
        const mule = `account:SYNB:mule${d}-${m}`;
        vertices.push(account(mule, 'US', 3));
        const out = payment(next(), hub, mule, 9000 + m * 10, T0 + d * DAY + m * 600_000);
        const back = payment(
          next(),
          mule,
          sink,
          8800 + m * 10,
          T0 + d * DAY + 7_200_000 + m * 600_000,
        );
        movements.push(out, back);
        ids.push(out.movementId, back.movementId);
      }
      groundTruth.push({
        instanceId: `syn:${d}`,
        typology: 'scatter-gather',
        source: 'generator',
        decoy: false,
        entities: [hub, sink],
        movements: ids,
        window: { from: T0 + d * DAY, to: T0 + d * DAY + DAY },
        parameters: {},
      });
    }
  }
  movements.sort((a, b) => a.timestamp - b.timestamp || (a.movementId < b.movementId ? -1 : 1));
  const edges: GraphEdge[] = movements.map(movementEdge);
  return { vertices, edges, groundTruth };
}
