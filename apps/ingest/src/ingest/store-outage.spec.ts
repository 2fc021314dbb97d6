import {
  BatchRejectedError,
  ConflictError,
  FixedClock,
  GraphTimeoutError,
  GraphUnavailableError,
  InvalidInputError,
  StreamUnavailableError,
} from '@app/vocabulary';
import { isStoreOutage, OutageGate } from './store-outage';

describe('isStoreOutage', () => {
  it('is true for the typed errors of a graph store in trouble, false for anything a message causes', () => {
    expect(isStoreOutage(new GraphUnavailableError('refused'))).toBe(true);
    expect(isStoreOutage(new GraphTimeoutError('slow'))).toBe(true);
    expect(isStoreOutage(new ConflictError('locked'))).toBe(true);
    expect(isStoreOutage(new BatchRejectedError([], 0))).toBe(false);
    expect(isStoreOutage(new InvalidInputError('bad', []))).toBe(false);
    expect(isStoreOutage(new StreamUnavailableError('pulsar'))).toBe(false);
    expect(isStoreOutage(new Error('ECONNREFUSED'))).toBe(false);
    expect(isStoreOutage('down')).toBe(false);
  });
});

describe('OutageGate', () => {
  it('pauses twice as long after each failure, up to the maximum, and remembers since when', async () => {
    const clock = new FixedClock(1_000);
    const pauses: number[] = [];
    const gate = new OutageGate(
      { initialMs: 1, maxMs: 8 },
      { failed: (_state, ms) => pauses.push(ms), recovered: () => undefined },
      clock,
    );
    let failures = 6;
    let sinceSeen = 0;
    const result = await gate.hold(() => {
      if (failures > 0) {
        failures -= 1;
        clock.advance(10);
        sinceSeen = gate.outage?.since ?? sinceSeen;
        return Promise.reject(new GraphUnavailableError('down'));
      }
      return Promise.resolve('written');
    }, 3);
    expect(result).toBe('written');
    expect(pauses).toEqual([1, 2, 4, 8, 8, 8]);
    // The outage began at the first failure (the clock read 1,010 then).
    expect(sinceSeen).toBe(1_010);
    expect(gate.outage).toBeUndefined();
    expect(gate.storeAnsweringSince).toBe(1_060);
  });

  it('passes any other error to the caller at once, without pausing', async () => {
    const failed: number[] = [];
    const gate = new OutageGate(
      { initialMs: 1, maxMs: 1 },
      { failed: (s) => failed.push(s.failures), recovered: () => undefined },
    );
    await expect(gate.hold(() => Promise.reject(new TypeError('bug')), 1)).rejects.toThrow('bug');
    expect(failed).toEqual([]);
    expect(gate.outage).toBeUndefined();
  });
});
