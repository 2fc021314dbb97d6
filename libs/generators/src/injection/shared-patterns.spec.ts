import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DAY_MS } from '../population/population.model';
import { readPatternFile } from './pattern-file';
import { type InjectionCandidate, planPatternInjection } from './pattern-injection';

/**
 * Plans the injection of the public AMLworld LI-Medium patterns file, kept next to the
 * repository (`<repo>/../shared/data`). A user's clone does not have it, so the suite is
 * skipped there, with the reason in its title; the behaviour is tested on the fixture.
 */
const SHARED = join(resolve(__dirname, '..', '..', '..', '..'), '..', 'shared', 'data');
const PATTERNS = join(SHARED, 'amlworld', 'LI-Medium_Patterns.txt');
const describeIfShared = existsSync(PATTERNS) ? describe : describe.skip;

describeIfShared(
  `Injection of ${PATTERNS} (skipped: ../shared/data not present in a user's clone)`,
  () => {
    it('grafts 456 attempts (3,909 rows, 4,216 accounts) injectively into a 90-day period', async () => {
      const file = await readPatternFile(PATTERNS);
      const currencies = ['USD', 'USD', 'USD', 'EUR', 'GBP', 'CAD'];
      const candidates: InjectionCandidate[] = Array.from({ length: 6000 }, (_, i) => ({
        uid: `account:bank:${i}`,
        currency: currencies[i % currencies.length] ?? 'USD',
      }));
      const windowEnd = Date.UTC(2025, 0, 1);
      const clock = { windowStart: windowEnd - 90 * DAY_MS, windowEnd, days: 90 };
      const plan = planPatternInjection(file, { seed: 42, clock, candidates });
      expect(plan.summary).toMatchObject({ attempts: 456, movements: 3909, accounts: 4216 });
      expect(new Set(plan.accountMap.values()).size).toBe(4216);
      expect(new Set(plan.movements.map((m) => m.eid)).size).toBe(3909);
      expect(plan.records[0]?.instanceId).toBe('amlworld-li-medium-0001');
      const times = plan.movements.map((m) => m.props.timestamp);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(clock.windowStart);
      expect(Math.max(...times)).toBeLessThan(clock.windowEnd);
      const btc = plan.movements.filter((m) => m.props.currency === 'BTC');
      expect(btc.map((m) => [m.props.amountMinor, m.props.channel])).toEqual([
        [139_507_300, 'crypto'],
      ]);
    }, 60_000); // reads and grafts a 3,909-row file: seconds on a busy 2-core machine
  },
);
