import { DetectorRegistry, FraudRingService, fraudRingDetector } from '@app/detectors';
import type { RingQuery } from '@app/detectors';
import { MemoryGraphStore } from '@app/graph-store';
import { DetectorsSettings, loadSettings } from '@app/settings';
import { FixedClock } from '@app/vocabulary';
import { SharedRingsService } from './shared-rings.service';

/** FraudRingService whose searches take `tookMs` on the test's clock; it notes each question. */
class TimedRings extends FraudRingService {
  readonly asked: RingQuery[] = [];
  tookMs = 1_000;

  constructor(private readonly clock: FixedClock) {
    super(
      new MemoryGraphStore(),
      new DetectorRegistry([fraudRingDetector], loadSettings(DetectorsSettings, {})),
    );
  }

  override async findRings(query: RingQuery = {}): ReturnType<FraudRingService['findRings']> {
    this.asked.push(query);
    const found = await super.findRings(query);
    this.clock.advance(this.tookMs);
    return found;
  }
}

function setup(): { rings: TimedRings; shared: SharedRingsService } {
  const clock = new FixedClock(Date.UTC(2026, 11, 6, 12));
  const rings = new TimedRings(clock);
  return { rings, shared: new SharedRingsService(rings, clock) };
}

describe('SharedRingsService (GET /fraud/rings)', () => {
  it('shares one costly search among callers asking the same thing, whatever the order of their lists', async () => {
    const { rings, shared } = setup();
    const answers = await Promise.all([
      shared.find({
        accountIds: ['account:b', 'account:a'],
        parameters: { kinds: ['phone', 'device'] },
      }),
      shared.find({
        accountIds: ['account:a', 'account:b', 'account:a'],
        parameters: { kinds: ['device', 'phone'] },
      }),
    ]);
    expect(rings.asked).toHaveLength(1);
    expect(rings.asked[0]).toEqual({
      accountIds: ['account:a', 'account:b'],
      parameters: { kinds: ['device', 'phone'] },
    });
    expect(answers[1]).toBe(answers[0]);
  });

  it('searches again for a different question', async () => {
    const { rings, shared } = setup();
    await shared.find({ parameters: { minMembers: 3 } });
    const other = await shared.find({ parameters: { minMembers: 4 } });
    expect(rings.asked).toHaveLength(2);
    expect(other.value.parameters.minMembers).toBe(4);
  });

  it('searches afresh for every caller when the search is cheap', async () => {
    const { rings, shared } = setup();
    rings.tookMs = 0;
    await shared.find({});
    await shared.find({});
    expect(rings.asked).toHaveLength(2);
  });
});
