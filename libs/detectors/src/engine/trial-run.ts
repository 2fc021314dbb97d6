/** A method of a Map or Set as the view hands it out. */
type CollectionMethod = (...args: never[]) => unknown;

/**
 * Runs code against live rule state and then puts every change back, so that a movement can be
 * scored "as if" without leaving it in the windows.
 *
 * Why not copy the state: a warm engine holds hundreds of thousands of entries (a small bank's
 * 90 days: about 125,000 window entries, and much more in indexes); a deep copy costs about a
 * second, far too slow for a per-request answer. Instead the state is seen through proxies
 * that write through to it and journal the previous value of every slot they change; `rollback`
 * replays the journal backwards. The cost is proportional to what the trial touches (a few
 * windows), not to the size of the state.
 *
 * What is journaled: property writes and deletions on objects and arrays (array methods such as
 * push, shift or splice go through them), and Map/Set `set`, `add`, `delete` and `clear`.
 * Insertion order is restored exactly: a new key is undone by deleting it (it was the last one),
 * and the first delete or clear on a collection snapshots its entries once, to rebuild it in
 * order. Values come back wrapped, so a change deep in the state is journaled too; values going
 * in are unwrapped, so the state never keeps a proxy.
 *
 * What is not wrapped: primitives, functions, frozen objects (they cannot change; the scoring
 * engine freezes the movements and events it feeds), Dates and regular expressions (rules
 * never mutate them), and the `shared` objects: read-only services the state points at (the
 * account directory, base-money converters).
 *
 * Objects the trial creates are never wrapped: they are not part of the state before the trial,
 * so changing them needs no journal, and a rule that compares one by identity with what it reads
 * back from its windows (`passed.includes(out)`) finds it. This relies on rules reaching the
 * older state only through the evaluator (every path from it is wrapped); the engine-level
 * spec checks it by raising, for every movement of a generated bank, the same alerts in a trial
 * as in a real feed, and ending with the same state.
 */
export class TrialRun {
  private readonly proxies = new WeakMap<object, object>();
  private readonly targets = new WeakMap<object, object>();
  private readonly snapshotted = new WeakSet<object>();
  /** Objects the trial created and put into the state: gone after rollback, never wrapped. */
  private readonly fresh = new WeakSet<object>();
  private readonly shared: WeakSet<object>;
  private journal: (() => void)[] = [];

  constructor(shared: Iterable<object> = []) {
    this.shared = new WeakSet(shared);
  }

  /** Changes journaled so far. */
  get changes(): number {
    return this.journal.length;
  }

  /** A view of `value` whose changes are journaled. */
  wrap<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    const object = value as object;
    if (this.targets.has(object) || this.fresh.has(object)) return value;
    if (
      this.shared.has(object) ||
      Object.isFrozen(object) ||
      object instanceof Date ||
      object instanceof RegExp
    )
      return value;
    const known = this.proxies.get(object);
    if (known) return known as T;
    const proxy =
      object instanceof Map || object instanceof Set
        ? new Proxy(object, this.collectionHandler())
        : new Proxy(object, this.objectHandler());
    this.proxies.set(object, proxy);
    this.targets.set(proxy, object);
    return proxy as T;
  }

  /** Puts back every journaled change, newest first; the trial's views must not be used after. */
  rollback(): void {
    const journal = this.journal;
    this.journal = [];
    for (let i = journal.length - 1; i >= 0; i -= 1) journal[i]();
  }

  private unwrap<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    return (this.targets.get(value) as T | undefined) ?? value;
  }

  /**
   * A value about to be written into the state, unwrapped. A plain object that was never read
   * from the state was created by the trial: it is remembered as fresh and handed back as it is
   * afterwards, so that rules comparing it by identity (`includes`) see the same object.
   */
  private incoming<T>(value: T): T {
    const raw = this.unwrap(value);
    if (raw !== null && typeof raw === 'object' && !this.proxies.has(raw)) this.fresh.add(raw);
    return raw;
  }

  private objectHandler(): ProxyHandler<object> {
    return {
      get: (target, property, receiver): unknown =>
        this.wrap<unknown>(Reflect.get(target, property, receiver)),
      set: (target, property, value, receiver) => {
        // A setter runs on the view, so that the writes it makes are journaled themselves.
        if (isAccessor(target, property)) return Reflect.set(target, property, value, receiver);
        this.remember(target, property);
        return Reflect.set(target, property, this.incoming(value));
      },
      deleteProperty: (target, property) => {
        this.remember(target, property);
        return Reflect.deleteProperty(target, property);
      },
      defineProperty: (target, property, descriptor) => {
        this.remember(target, property);
        const plain =
          'value' in descriptor
            ? { ...descriptor, value: this.incoming<unknown>(descriptor.value) }
            : descriptor;
        return Reflect.defineProperty(target, property, plain);
      },
    };
  }

  /**
   * Journals the current state of one property (its value, or its absence). An array's length
   * too: writing past the end grows it without a write to `length` that a trap would see.
   */
  private remember(target: object, property: PropertyKey): void {
    if (Array.isArray(target) && property !== 'length') this.remember(target, 'length');
    const descriptor = Reflect.getOwnPropertyDescriptor(target, property);
    this.journal.push(() => {
      if (descriptor) Reflect.defineProperty(target, property, descriptor);
      else Reflect.deleteProperty(target, property);
    });
  }

  private collectionHandler(): ProxyHandler<Map<unknown, unknown> | Set<unknown>> {
    return {
      get: (target, property) => {
        // Built-in collections keep their entries in internal slots: always act on the target.
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return target instanceof Map
          ? this.mapMethod(target, property, value as (...args: unknown[]) => unknown)
          : this.setMethod(target, property, value as (...args: unknown[]) => unknown);
      },
    };
  }

  private mapMethod(
    map: Map<unknown, unknown>,
    property: PropertyKey,
    method: (...args: unknown[]) => unknown,
  ): CollectionMethod {
    const self = this.proxies.get(map);
    switch (property) {
      case 'get':
        return (key: unknown) => this.wrap(map.get(this.unwrap(key)));
      case 'has':
        return (key: unknown) => map.has(this.unwrap(key));
      case 'set':
        return (key: unknown, value: unknown) => {
          const k = this.incoming(key);
          if (map.has(k)) {
            const old = map.get(k);
            this.journal.push(() => map.set(k, old));
          } else {
            this.journal.push(() => map.delete(k));
          }
          map.set(k, this.incoming(value));
          return self;
        };
      case 'delete':
        return (key: unknown) => {
          const k = this.unwrap(key);
          if (!map.has(k)) return false;
          this.snapshot(map);
          return map.delete(k);
        };
      case 'clear':
        return () => {
          if (map.size > 0) this.snapshot(map);
          map.clear();
        };
      case 'forEach':
        return (visit: (value: unknown, key: unknown, owner: unknown) => void) => {
          map.forEach((value, key) => visit(this.wrap(value), this.wrap(key), self));
        };
      case 'keys':
        return () => this.wrapAll(map.keys());
      case 'values':
        return () => this.wrapAll(map.values());
      case 'entries':
      case Symbol.iterator:
        return () => this.wrapPairs(map.entries());
      default:
        return method.bind(map);
    }
  }

  private setMethod(
    set: Set<unknown>,
    property: PropertyKey,
    method: (...args: unknown[]) => unknown,
  ): CollectionMethod {
    const self = this.proxies.get(set);
    switch (property) {
      case 'has':
        return (item: unknown) => set.has(this.unwrap(item));
      case 'add':
        return (item: unknown) => {
          const raw = this.incoming(item);
          if (!set.has(raw)) {
            this.journal.push(() => set.delete(raw));
            set.add(raw);
          }
          return self;
        };
      case 'delete':
        return (item: unknown) => {
          const raw = this.unwrap(item);
          if (!set.has(raw)) return false;
          this.snapshot(set);
          return set.delete(raw);
        };
      case 'clear':
        return () => {
          if (set.size > 0) this.snapshot(set);
          set.clear();
        };
      case 'forEach':
        return (visit: (value: unknown, key: unknown, owner: unknown) => void) => {
          set.forEach((item) => visit(this.wrap(item), this.wrap(item), self));
        };
      case 'keys':
      case 'values':
      case Symbol.iterator:
        return () => this.wrapAll(set.values());
      case 'entries':
        return () => this.wrapPairs(set.entries());
      default:
        return method.bind(set);
    }
  }

  /**
   * Before the first removal from a collection in this trial: its entries in order, to rebuild
   * it exactly (re-adding a removed key would put it last). Later changes are journaled after
   * this entry, so they are undone first.
   */
  private snapshot(collection: Map<unknown, unknown> | Set<unknown>): void {
    if (this.snapshotted.has(collection)) return;
    this.snapshotted.add(collection);
    if (collection instanceof Map) {
      const entries = [...collection.entries()];
      this.journal.push(() => {
        collection.clear();
        for (const [key, value] of entries) collection.set(key, value);
      });
    } else {
      const items = [...collection.values()];
      this.journal.push(() => {
        collection.clear();
        for (const item of items) collection.add(item);
      });
    }
  }

  private *wrapAll(items: IterableIterator<unknown>): IterableIterator<unknown> {
    for (const item of items) yield this.wrap(item);
  }

  private *wrapPairs(
    pairs: IterableIterator<[unknown, unknown]>,
  ): IterableIterator<[unknown, unknown]> {
    for (const [key, value] of pairs) yield [this.wrap(key), this.wrap(value)];
  }
}

/** Whether the property is a getter/setter pair, on the object or up its prototype chain. */
function isAccessor(target: object, property: PropertyKey): boolean {
  for (
    let object: object | null = target;
    object !== null;
    object = Reflect.getPrototypeOf(object)
  ) {
    const descriptor = Reflect.getOwnPropertyDescriptor(object, property);
    if (descriptor) return descriptor.get !== undefined || descriptor.set !== undefined;
  }
  return false;
}
