import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { GraphStore } from './graph-store.port';

/**
 * Readiness of the graph store for `/health/ready` (API and ingest worker): pings the store and
 * reports the backend name. A failed or rejected ping reports `down` with the reason, which
 * makes the health check answer 503. On JanusGraph the ping also fails while the graph's schema
 * is missing or incomplete, and the reason then says what is missing and what to run; the
 * memory store is always ready.
 */
@Injectable()
export class GraphStoreHealthIndicator {
  /**
   * Longest wait for the ping. A JanusGraph that hangs (frozen, out of memory) keeps its
   * connections open and answers nothing: readiness then took 25 to 31 s and could answer 200
   * at the end (outside fault review). Past this it is `down`, at once.
   */
  timeoutMs = READINESS_PING_TIMEOUT_MS;

  constructor(
    private readonly store: GraphStore,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `the graph store did not answer a ping within ${this.timeoutMs / 1000} s (is JanusGraph frozen or overloaded?)`,
            ),
          ),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([this.store.ping(), late]);
      return indicator.up({ backend: this.store.backend });
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      return indicator.down({ backend: this.store.backend, message });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** See `GraphStoreHealthIndicator.timeoutMs`. */
export const READINESS_PING_TIMEOUT_MS = 5_000;
