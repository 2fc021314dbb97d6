import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JanusGraphClient } from './janusgraph.client';
import { SchemaReadiness } from './schema/schema.readiness';

/**
 * Readiness of the JanusGraph connection for `/health/ready`: the server answers and its schema
 * is complete (`SchemaReadiness`: one round trip per probe, the schema itself re-checked every
 * few seconds). Reports the endpoint and the breaker state; `down` with the reason (unreachable,
 * or what the schema lacks and what to run) makes the health check answer 503.
 */
@Injectable()
export class JanusGraphHealthIndicator {
  constructor(
    private readonly client: JanusGraphClient,
    private readonly readiness: SchemaReadiness,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    const details = { endpoint: this.client.endpoint, pool: this.client.poolSize };
    try {
      await this.readiness.assertReady();
      return indicator.up({ ...details, breaker: this.client.breakerState });
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      return indicator.down({ ...details, breaker: this.client.breakerState, message });
    }
  }
}
