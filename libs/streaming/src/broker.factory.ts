import type { StreamingConfig } from '@app/settings';
import type { BrokerLogger } from './broker-logger';
import { MemoryBroker } from './memory/memory.broker';
import type { MessageBroker } from './message-broker.port';
import {
  loadNativeClient,
  nativeClientInstalled,
  PulsarClientModule,
  PulsarNativeBroker,
} from './pulsar/pulsar-native.broker';
import { PulsarWebSocketBroker } from './pulsar/pulsar-websocket.broker';

export interface BrokerFactoryDeps {
  logger: BrokerLogger;
  /** Is `pulsar-client` installed? (for `auto`; tests replace it) */
  nativeInstalled?: () => boolean;
  /** Loads `pulsar-client` (tests replace it). */
  loadNative?: () => PulsarClientModule;
}

/**
 * Builds the broker the `streaming` settings ask for:
 * - `STREAMING_BACKEND=memory`: the embedded `MemoryBroker`;
 * - `STREAMING_BACKEND=pulsar` with `PULSAR_TRANSPORT=websocket`: Pulsar's WebSocket API;
 * - `native`: the `pulsar-client` package, failing with a clear error when it is not installed;
 * - `auto`: native when `pulsar-client` is installed, else WebSocket. This is a documented
 *   choice made once at start-up and logged, not a fallback after a failure: if the chosen
 *   transport cannot reach Pulsar, calls fail with `StreamUnavailableError`.
 */
export function createMessageBroker(
  config: StreamingConfig,
  deps: BrokerFactoryDeps,
): MessageBroker {
  if (config.backend === 'memory') {
    deps.logger.log('Message broker: embedded memory broker (STREAMING_BACKEND=memory)');
    return new MemoryBroker({ tenant: config.tenant, namespace: config.namespace });
  }
  const installed = (deps.nativeInstalled ?? nativeClientInstalled)();
  const transport =
    config.transport === 'auto' ? (installed ? 'native' : 'websocket') : config.transport;
  const why =
    config.transport === 'auto'
      ? ` (PULSAR_TRANSPORT=auto: pulsar-client is ${installed ? '' : 'not '}installed)`
      : '';
  if (transport === 'native') {
    const module = (deps.loadNative ?? loadNativeClient)();
    deps.logger.log(`Message broker: Pulsar native client at ${config.serviceUrl}${why}`);
    return new PulsarNativeBroker(
      {
        serviceUrl: config.serviceUrl,
        tenant: config.tenant,
        namespace: config.namespace,
        authToken: config.authToken,
        healthTopic: config.entitiesTopic,
      },
      module,
    );
  }
  deps.logger.log(`Message broker: Pulsar WebSocket API at ${config.webUrl}${why}`);
  return new PulsarWebSocketBroker({
    webUrl: config.webUrl,
    tenant: config.tenant,
    namespace: config.namespace,
    authToken: config.authToken,
    healthTopic: config.entitiesTopic,
    logger: deps.logger,
    publishRetryMs: config.publishRetryMs,
  });
}
