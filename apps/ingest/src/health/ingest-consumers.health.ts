import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { MessageBroker, PulsarWebSocketBroker } from '@app/streaming';
import { IngestWorker } from '../ingest/ingest.worker';

/**
 * Readiness of the worker's own consumers for `/health/ready`: `down` until the worker has
 * subscribed to both topics (and again once it stops), while it is paused because the graph
 * store cannot take writes (batches held, see `OutageGate`: the message says since when and why),
 * and, over Pulsar's WebSocket API, while one of its consumers is not connected (connecting, reconnecting after a lost connection, or
 * given up). The native client reconnects inside `pulsar-client` and exposes no state; the
 * broker's own ping (`StreamingHealthIndicator`) covers it.
 */
@Injectable()
export class IngestConsumersHealthIndicator {
  constructor(
    private readonly worker: IngestWorker,
    private readonly broker: MessageBroker,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string>(key: Key): HealthIndicatorResult<Key> {
    const indicator = this.health.check(key);
    const { topics, subscription } = this.worker.source;
    const details = { subscription, topics: [...topics] };
    if (!this.worker.isRunning) {
      return indicator.down({
        ...details,
        message: 'the worker is not subscribed to its topics (starting or stopped)',
      });
    }
    const outage = this.worker.outage;
    if (outage) {
      return indicator.down({
        ...details,
        message:
          `paused: the graph store cannot take writes since ${new Date(outage.since).toISOString()} (${outage.reason}); ` +
          `${outage.heldMessages} message(s) held and tried again with backoff (${outage.failures} failed tries); nothing is dead-lettered meanwhile`,
      });
    }
    if (!(this.broker instanceof PulsarWebSocketBroker)) return indicator.up(details);
    const consumers = this.broker
      .consumerStates()
      .filter((c) => c.subscription === subscription && topics.includes(c.topic))
      .map((c) => ({ topic: c.topic, state: c.state }));
    const connected = new Set(consumers.filter((c) => c.state === 'connected').map((c) => c.topic));
    const missing = topics.filter((topic) => !connected.has(topic));
    if (missing.length > 0) {
      return indicator.down({
        ...details,
        consumers,
        message: `no connected consumer for ${missing.join(', ')}`,
      });
    }
    return indicator.up({ ...details, consumers });
  }
}
