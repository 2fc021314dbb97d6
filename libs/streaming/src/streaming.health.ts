import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { MessageBroker } from './message-broker.port';
import { PulsarWebSocketBroker } from './pulsar/pulsar-websocket.broker';

/**
 * Readiness of the message broker for `/health/ready`: pings the broker and reports its kind
 * (and, over WebSocket, each consumer's connection state). A failed ping, or a consumer that
 * gave up reconnecting, reports `down` with the reason.
 */
@Injectable()
export class StreamingHealthIndicator {
  constructor(
    private readonly broker: MessageBroker,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    const consumers =
      this.broker instanceof PulsarWebSocketBroker ? this.broker.consumerStates() : undefined;
    const details = { broker: this.broker.kind, ...(consumers ? { consumers } : {}) };
    try {
      await this.broker.ping();
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      return indicator.down({ ...details, message });
    }
    const failed = consumers?.filter((c) => c.state === 'failed') ?? [];
    if (failed.length > 0) {
      return indicator.down({
        ...details,
        message: `${failed.length} consumer(s) gave up reconnecting: ${failed.map((c) => `${c.topic}/${c.subscription}`).join(', ')}`,
      });
    }
    return indicator.up(details);
  }
}
