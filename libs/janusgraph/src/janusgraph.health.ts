import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JanusGraphClient } from './janusgraph.client';

/**
 * Readiness of the JanusGraph connection for `/health/ready`: pings the server (one trivial
 * traversal through the circuit breaker) and reports the endpoint and the breaker state. A
 * failed ping reports `down` with the reason, which makes the health check answer 503.
 */
@Injectable()
export class JanusGraphHealthIndicator {
  constructor(
    private readonly client: JanusGraphClient,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    const details = { endpoint: this.client.endpoint, pool: this.client.poolSize };
    try {
      await this.client.ping();
      return indicator.up({ ...details, breaker: this.client.breakerState });
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      return indicator.down({ ...details, breaker: this.client.breakerState, message });
    }
  }
}
