import type { GraphStore } from '../graph-store.port';
import { loadBankFixture } from './fixture';
import type { BankFixture } from './fixture';

/**
 * The port's methods that only read. A call to any other method (a write, or a method the port
 * gains later) may change what the store holds. Typed by the port, so a renamed method fails
 * the type check here.
 */
const READ_METHODS: ReadonlySet<PropertyKey> = new Set<keyof GraphStore>([
  'backend',
  'ping',
  'getVertex',
  'getVertices',
  'getEdge',
  'getEdges',
  'getNeighbourhood',
  'getOwnershipSubgraph',
  'getMovements',
  'scanMovements',
  'getAccountEvents',
  'getHolders',
  'selectFanCandidates',
  'findSharedIdentifiers',
  'listVertices',
  'listVerticesOrdered',
  'searchByName',
  'counts',
]);

/** What the store is known to hold: nothing, exactly the bank fixture, or not known. */
type Content = 'empty' | 'fixture' | 'unknown';

/**
 * The contract's way to start a test from an empty store or from the bank fixture. Clearing and
 * reloading a real JanusGraph takes seconds per test (on Cassandra, with its uniqueness locks,
 * about 2.5 s), and most tests only read the fixture. So the store is cleared or reloaded only
 * when it may hold something else: `store` is the subject's store behind a proxy that marks the
 * content unknown before every call that is not a read, whatever the test does with it.
 */
export class ContractStore {
  readonly store: GraphStore;
  private content: Content = 'unknown';
  /** empty() or loadFixture() was called since beginTest(): the test knows what it starts from. */
  private started = true;

  constructor(
    private readonly raw: GraphStore,
    private readonly fixture: BankFixture,
  ) {
    this.store = new Proxy(raw, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const method = value;
        return (...args: unknown[]): unknown => {
          if (!this.started) {
            throw new Error(
              'a contract test used the store before empty() or loadFixture(): give its describe block a beforeEach that starts from one of them',
            );
          }
          if (!READ_METHODS.has(property)) this.content = 'unknown';
          const result: unknown = Reflect.apply(method, target, args);
          return result;
        };
      },
    });
  }

  /**
   * Called before each test: until the test (or its beforeEach) calls empty() or loadFixture(),
   * any use of `store` throws, so that no test silently starts from what the last one left.
   */
  beginTest(): void {
    this.started = false;
  }

  /** The store holds nothing (cleared unless nothing was written since the last clear). */
  async empty(): Promise<void> {
    this.started = true;
    if (this.content === 'empty') return;
    this.content = 'unknown';
    await this.raw.clear();
    this.content = 'empty';
  }

  /** The store holds exactly the bank fixture (reloaded unless nothing was written since). */
  async loadFixture(): Promise<void> {
    this.started = true;
    if (this.content === 'fixture') return;
    await this.empty();
    this.content = 'unknown';
    await loadBankFixture(this.raw, this.fixture);
    this.content = 'fixture';
  }
}
