import { DetectorRegistry, FraudRingService, fraudRingDetector } from '@app/detectors';
import { MemoryGraphStore } from '@app/graph-store';
import type { AccountHolders, SharedIdentifier, SharedIdentifierQuery } from '@app/graph-store';
import { DetectorsSettings, loadSettings } from '@app/settings';
import { ids } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { yieldingGraphStore } from './yielding.graph-store';

const ACCOUNTS = ['account:y:A', 'account:y:B', 'account:y:C'];
const IDENTIFIERS = ['device:y:1', 'phone:y:1'];

/** Three accounts of three customers sharing a device and a phone: one ring. */
const VERTICES: GraphVertex[] = [
  ...ACCOUNTS.map((uid): GraphVertex => ({
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId: 'y',
      country: 'US',
    },
  })),
  { label: 'Identifier', uid: IDENTIFIERS[0], props: { kind: 'device', value: '1' } },
  { label: 'Identifier', uid: IDENTIFIERS[1], props: { kind: 'phone', value: '1' } },
];
const EDGES: GraphEdge[] = ACCOUNTS.flatMap((account) =>
  IDENTIFIERS.map((identifier): GraphEdge => ({
    label: 'USES',
    eid: ids.structural('USES', account, identifier),
    from: account,
    to: identifier,
    props: { firstSeen: Date.UTC(2024, 0, 1), lastSeen: Date.UTC(2024, 6, 1) },
  })),
);

/** The memory store, noting each read of a ring search in `marks`. */
class RecordingStore extends MemoryGraphStore {
  constructor(private readonly marks: string[]) {
    super();
  }

  override findSharedIdentifiers(query: SharedIdentifierQuery): Promise<SharedIdentifier[]> {
    this.marks.push('read');
    return super.findSharedIdentifiers(query);
  }

  override getHolders(accountIds: readonly string[]): Promise<AccountHolders[]> {
    this.marks.push('read');
    return super.getHolders(accountIds);
  }
}

async function storeWithRing(marks: string[]): Promise<RecordingStore> {
  const store = new RecordingStore(marks);
  await store.upsertVertices(VERTICES);
  await store.upsertEdges(EDGES);
  return store;
}

function ringService(store: MemoryGraphStore): FraudRingService {
  return new FraudRingService(
    yieldingGraphStore(store),
    new DetectorRegistry([fraudRingDetector], loadSettings(DetectorsSettings, {})),
  );
}

describe('yieldingGraphStore (ring searches)', () => {
  it('lets the event loop turn before each read of a ring search, so other requests are served between its phases', async () => {
    const marks: string[] = [];
    const rings = ringService(await storeWithRing(marks));
    // A ticker stands for the other requests: it runs once per turn of the event loop.
    let ticking = true;
    const tick = (): void => {
      marks.push('tick');
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);

    const found = await rings.findRings({});
    ticking = false;

    expect(found.rings.map((ring) => ring.members)).toEqual([ACCOUNTS]);
    const turns = marks.filter((mark, i) => mark !== 'tick' || marks[i - 1] !== 'tick');
    // The memory store answers at once: without the turns both reads came before any tick.
    expect(turns.slice(0, 4)).toEqual(['tick', 'read', 'tick', 'read']);
  });

  it('answers as the store does, and leaves its other methods and properties alone', async () => {
    const store = await storeWithRing([]);
    const yielding = yieldingGraphStore(store);
    expect(yielding.backend).toBe(store.backend);
    expect(yielding.getVertex).toBe(store.getVertex);
    expect(await yielding.findSharedIdentifiers({ hubCap: 10 })).toEqual(
      await store.findSharedIdentifiers({ hubCap: 10 }),
    );
  });
});
