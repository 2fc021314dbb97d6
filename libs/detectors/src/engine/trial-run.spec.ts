import { generateBankInMemory } from '@app/generators';
import { MemoryAccountDirectory } from '../core/account-directory';
import type { Activity } from '../core/activity';
import type { DetectedAlert } from '../core/detector';
import { ALL_DETECTORS } from '../registry/all-detectors';
import { DetectorRegistry } from '../registry/detector.registry';
import { defaultConfig } from '../testing/fixtures';
import { activitiesOf } from './dataset';
import { StreamDetectionEngine } from './stream-detection.engine';
import { TrialRun } from './trial-run';

class Counter {
  count = 0;
  items: number[] = [];
  private hidden = 0;

  get total(): number {
    return this.hidden;
  }

  set total(value: number) {
    this.hidden = value;
  }

  bump(): void {
    this.count += 1;
    this.items.push(this.count);
  }
}

describe('TrialRun', () => {
  it('puts back object, array and accessor writes', () => {
    const counter = new Counter();
    counter.bump();
    const trial = new TrialRun();
    const view = trial.wrap(counter);
    view.bump();
    view.bump();
    view.items.shift();
    view.total = 42;
    expect(counter.count).toBe(3);
    expect(counter.total).toBe(42);
    trial.rollback();
    expect(counter.count).toBe(1);
    expect(counter.items).toEqual([1]);
    expect(counter.total).toBe(0);
    expect(Object.keys(counter)).toEqual(['count', 'items', 'hidden']);
  });

  it('puts back Map and Set changes in their original insertion order', () => {
    const map = new Map<string, { n: number }>([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
      ['c', { n: 3 }],
    ]);
    const set = new Set(['x', 'y', 'z']);
    const trial = new TrialRun();
    const state = trial.wrap({ map, set });
    state.map.set('d', { n: 4 });
    state.map.delete('a');
    const b = state.map.get('b');
    if (b) b.n = 20;
    state.map.set('c', { n: 30 });
    for (const [, value] of state.map) value.n += 100;
    state.set.delete('x');
    state.set.add('x');
    state.set.add('w');
    state.map.clear();
    expect(map.size).toBe(0);
    trial.rollback();
    expect([...map.entries()]).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
      ['c', { n: 3 }],
    ]);
    expect([...set]).toEqual(['x', 'y', 'z']);
  });

  it('leaves shared and frozen objects unwrapped and never stores a view in the state', () => {
    const service = { calls: 0 };
    const movement = Object.freeze({ movementId: 'm1', timestamp: 1 });
    const state = { list: [] as object[], service, seen: new Map<string, object>() };
    const trial = new TrialRun([service]);
    const view = trial.wrap(state);
    expect(view.service).toBe(service);
    view.list.push(movement);
    expect(view.list[0]).toBe(movement);
    const inner = { k: 1 };
    view.seen.set('a', inner);
    view.list.push(view.seen.get('a') as object);
    expect(state.list[1]).toBe(inner);
    trial.rollback();
    expect(state.list).toEqual([]);
    expect(state.seen.size).toBe(0);
  });
});

/**
 * Where two object graphs differ: values, prototypes, own keys in order, Map keys in order, Set
 * items. Functions count as equal when their source is (two engines build their own closures).
 */
function differences(a: unknown, b: unknown, path = 'engine', seen = new Set<unknown>()): string[] {
  if (Object.is(a, b)) return [];
  if (typeof a === 'function' && typeof b === 'function')
    return String(a) === String(b) ? [] : [`${path}: function`];
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return [`${path}: ${String(a)} vs ${String(b)}`];
  if (seen.has(a)) return [];
  seen.add(a);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return [`${path}: prototype`];
  if (a instanceof Map && b instanceof Map) {
    const keys = [...a.keys()];
    if (keys.join('|') !== [...b.keys()].join('|')) return [`${path}: map keys`];
    return keys.flatMap((k) => differences(a.get(k), b.get(k), `${path}[${String(k)}]`, seen));
  }
  if (a instanceof Set && b instanceof Set) {
    const left = [...a];
    const right = [...b];
    if (left.length !== right.length) return [`${path}: set size`];
    return left.flatMap((item, i) => differences(item, right[i], `${path}{${i}}`, seen));
  }
  const keys = Reflect.ownKeys(a);
  if (keys.map(String).join('|') !== Reflect.ownKeys(b).map(String).join('|'))
    return [`${path}: keys`];
  return keys.flatMap((k) =>
    differences(
      (a as Record<PropertyKey, unknown>)[k],
      (b as Record<PropertyKey, unknown>)[k],
      `${path}.${String(k)}`,
      seen,
    ),
  );
}

describe('StreamDetectionEngine.trial on a generated bank', () => {
  const bank = {
    profile: 'tiny',
    seed: 7,
    referenceTime: '2025-01-01T00:00:00Z',
    days: 30,
  } as const;
  const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig());
  const signature = (alerts: readonly DetectedAlert[]): string[] =>
    alerts.map(
      (a) =>
        `${a.alertId} ${a.score} ${a.explanation} ${a.movements.map((m) => m.movementId).join(',')}`,
    );

  /** The generated bank's activities (frozen, as the engine's callers feed them) and two engines over it. */
  async function twoEngines(): Promise<{
    activities: Activity[];
    plain: StreamDetectionEngine;
    tried: StreamDetectionEngine;
  }> {
    const dataset = await generateBankInMemory(bank);
    const activities: Activity[] = activitiesOf(dataset).map((a) =>
      a.type === 'movement'
        ? { type: 'movement', movement: Object.freeze(a.movement) }
        : { type: 'event', event: Object.freeze(a.event) },
    );
    const accounts = new MemoryAccountDirectory(dataset.vertices, dataset.edges);
    return {
      activities,
      plain: new StreamDetectionEngine(registry.instantiate(), accounts),
      tried: new StreamDetectionEngine(registry.instantiate(), accounts),
    };
  }

  it('raises in a trial exactly what the real feed raises, and leaves the state as a plain feed does', async () => {
    const { activities, plain, tried } = await twoEngines();
    let raised = 0;
    for (const activity of activities) {
      const expected =
        activity.type === 'movement'
          ? plain.onMovement(activity.movement)
          : plain.onEvent(activity.event);
      const inTrial = tried.trial((feed) =>
        activity.type === 'movement'
          ? feed.onMovement(activity.movement)
          : feed.onEvent(activity.event),
      );
      expect(signature(inTrial)).toEqual(signature(expected));
      const fed =
        activity.type === 'movement'
          ? tried.onMovement(activity.movement)
          : tried.onEvent(activity.event);
      expect(signature(fed)).toEqual(signature(expected));
      raised += expected.length;
    }
    expect(raised).toBeGreaterThan(0);
    expect(tried.stateSize()).toBe(plain.stateSize());
    expect(differences(tried, plain)).toEqual([]);
  }, 120_000);

  it('leaves the state exactly as it was after trying an activity 60 days after the next real one (every eviction put back)', async () => {
    const { activities, plain, tried } = await twoEngines();
    const feed = (engine: StreamDetectionEngine, activity: Activity): DetectedAlert[] =>
      activity.type === 'movement'
        ? engine.onMovement(activity.movement)
        : engine.onEvent(activity.event);
    const step = Math.max(1, Math.floor(activities.length / 12));
    let checked = 0;
    for (let i = 0; i < activities.length; i += 1) {
      if (i > 0 && i % step === 0) {
        // The same activity 60 days on: every rule's windows evict inside the trial.
        const now = activities[i];
        const later: Activity =
          now.type === 'movement'
            ? {
                type: 'movement',
                movement: Object.freeze({
                  ...now.movement,
                  movementId: `${now.movement.movementId}:later`,
                  timestamp: now.movement.timestamp + 60 * 86_400_000,
                }),
              }
            : {
                type: 'event',
                event: Object.freeze({
                  ...now.event,
                  eventId: `${now.event.eventId}:later`,
                  timestamp: now.event.timestamp + 60 * 86_400_000,
                }),
              };
        tried.trial((f) =>
          later.type === 'movement' ? f.onMovement(later.movement) : f.onEvent(later.event),
        );
        expect(differences(tried, plain)).toEqual([]);
        checked += 1;
      }
      expect(signature(feed(tried, activities[i]))).toEqual(signature(feed(plain, activities[i])));
    }
    expect(checked).toBeGreaterThan(10);
  }, 120_000);
});
