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
  constructor(
    private readonly store: GraphStore,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    try {
      await this.store.ping();
      return indicator.up({ backend: this.store.backend });
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      return indicator.down({ backend: this.store.backend, message });
    }
  }
}
