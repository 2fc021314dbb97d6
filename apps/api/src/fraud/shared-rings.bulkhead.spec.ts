import { DetectorRegistry, FraudRingService, fraudRingDetector } from '@app/detectors';
import type { RingQuery } from '@app/detectors';
import { MemoryGraphStore } from '@app/graph-store';
import { DetectorsSettings, loadSettings } from '@app/settings';
import { FixedClock } from '@app/vocabulary';
import {
  MAX_RUNNING_RING_SEARCHES,
  MAX_WAITING_RING_SEARCHES,
  RingSearchBusyException,
  SharedRingsService,
} from './shared-rings.service';

/** FraudRingService whose searches wait until the test lets them finish; it counts them. */
class HeldRings extends FraudRingService {
  running = 0;
  mostRunning = 0;
  started = 0;
  private readonly held: (() => void)[] = [];

  constructor() {
    super(
      new MemoryGraphStore(),
      new DetectorRegistry([fraudRingDetector], loadSettings(DetectorsSettings, {})),
    );
  }

  override async findRings(query: RingQuery = {}): ReturnType<FraudRingService['findRings']> {
    this.running += 1;
    this.started += 1;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    await new Promise<void>((resolve) => this.held.push(resolve));
    this.running -= 1;
    return super.findRings(query);
  }

  /** Lets every search held now finish. */
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

/** Settles pending promise callbacks and one turn of the event loop. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Distinct questions (one per minMembers value), so that none shares another's search. */
const question = (n: number): RingQuery => ({ parameters: { minMembers: 2 + n } });

function setup(): { rings: HeldRings; shared: SharedRingsService } {
  const rings = new HeldRings();
  return { rings, shared: new SharedRingsService(rings, new FixedClock(Date.UTC(2026, 11, 6))) };
}

describe('SharedRingsService: searches at once (GET /fraud/rings)', () => {
  const capacity = MAX_RUNNING_RING_SEARCHES + MAX_WAITING_RING_SEARCHES;

  it('runs a few searches at once, queues a few, and refuses the next one at once with 503 ring_search_busy', async () => {
    const { rings, shared } = setup();
    const accepted = Array.from({ length: capacity }, (_, n) => shared.find(question(n)));
    const refused = shared.find(question(capacity)).catch((e: unknown) => e);
    try {
      await settle();
      expect(rings.running).toBe(MAX_RUNNING_RING_SEARCHES);
      const error = await refused;
      expect(error).toBeInstanceOf(RingSearchBusyException);
      const busy = error as RingSearchBusyException;
      expect(busy.getStatus()).toBe(503);
      expect(busy.errorCode).toBe('ring_search_busy');
      expect(busy.retryAfterSeconds).toBeGreaterThan(0);
      expect(busy.message).toContain('Try again in');
    } finally {
      while (rings.started < capacity || rings.running > 0) {
        rings.release();
        await settle();
      }
    }
    const answers = await Promise.all(accepted);
    expect(answers.map((a) => a.value.parameters.minMembers)).toEqual(
      Array.from({ length: capacity }, (_, n) => 2 + n),
    );
    expect(rings.mostRunning).toBe(MAX_RUNNING_RING_SEARCHES);
  });

  it('takes searches again once the running ones are done', async () => {
    const { rings, shared } = setup();
    const first = Array.from({ length: capacity }, (_, n) => shared.find(question(n)));
    while (rings.started < capacity || rings.running > 0) {
      rings.release();
      await settle();
    }
    await Promise.all(first);
    const again = shared.find(question(capacity));
    await settle();
    expect(rings.running).toBe(1);
    rings.release();
    expect((await again).value.parameters.minMembers).toBe(2 + capacity);
  });

  it('does not spend a turn on callers asking the same question as a running search', async () => {
    const { rings, shared } = setup();
    const same = Array.from({ length: capacity + 3 }, () => shared.find(question(0)));
    await settle();
    expect(rings.started).toBe(1);
    rings.release();
    const answers = await Promise.all(same);
    expect(new Set(answers).size).toBe(1);
  });
});
