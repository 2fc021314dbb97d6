import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { loadAllSettings, SettingsModule, StreamingConfig } from '@app/settings';
import { StreamUnavailableError } from '@app/vocabulary';
import { createMessageBroker } from './broker.factory';
import { MemoryBroker } from './memory/memory.broker';
import { MessageBroker } from './message-broker.port';
import { PulsarClientModule, PulsarNativeBroker } from './pulsar/pulsar-native.broker';
import { PulsarWebSocketBroker } from './pulsar/pulsar-websocket.broker';
import { StreamingHealthIndicator } from './streaming.health';
import { StreamingModule } from './streaming.module';

function config(env: Record<string, string>): StreamingConfig {
  return loadAllSettings(env).streaming;
}

function logger() {
  const lines: string[] = [];
  return {
    lines,
    log: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    error: (m: string) => lines.push(m),
  };
}

const fakeNative = {
  Client: class {
    close(): Promise<null> {
      return Promise.resolve(null);
    }
  },
  AuthenticationToken: class {},
  MessageId: { earliest: () => 'earliest' },
} as unknown as PulsarClientModule;

describe('createMessageBroker', () => {
  it('uses the memory broker by default, in the configured tenant and namespace', () => {
    const broker = createMessageBroker(config({ PULSAR_TENANT: 'bank', PULSAR_NAMESPACE: 'ns' }), {
      logger: logger(),
    });
    expect(broker).toBeInstanceOf(MemoryBroker);
    expect(broker.topicName('x')).toBe('persistent://bank/ns/x');
  });

  it('uses the WebSocket API for pulsar + websocket', () => {
    const log = logger();
    const broker = createMessageBroker(
      config({ STREAMING_BACKEND: 'pulsar', PULSAR_TRANSPORT: 'websocket' }),
      { logger: log },
    );
    expect(broker).toBeInstanceOf(PulsarWebSocketBroker);
    expect(log.lines).toEqual(['Message broker: Pulsar WebSocket API at http://127.0.0.1:8080']);
  });

  it('auto picks WebSocket when pulsar-client is not installed, and says why', () => {
    const log = logger();
    const broker = createMessageBroker(
      config({ STREAMING_BACKEND: 'pulsar', PULSAR_TRANSPORT: 'auto' }),
      {
        logger: log,
        nativeInstalled: () => false,
      },
    );
    expect(broker.kind).toBe('pulsar-websocket');
    expect(log.lines[0]).toMatch(/PULSAR_TRANSPORT=auto: pulsar-client is not installed/);
  });

  it('auto picks the native client when it is installed', async () => {
    const log = logger();
    const broker = createMessageBroker(
      config({ STREAMING_BACKEND: 'pulsar', PULSAR_TRANSPORT: 'auto' }),
      {
        logger: log,
        nativeInstalled: () => true,
        loadNative: () => fakeNative,
      },
    );
    expect(broker).toBeInstanceOf(PulsarNativeBroker);
    expect(log.lines[0]).toMatch(
      /native client at pulsar:\/\/127\.0\.0\.1:6650 \(PULSAR_TRANSPORT=auto: pulsar-client is installed\)/,
    );
    await broker.close();
  });

  it('refuses native when pulsar-client is missing, instead of switching transport', () => {
    expect(() =>
      createMessageBroker(config({ STREAMING_BACKEND: 'pulsar', PULSAR_TRANSPORT: 'native' }), {
        logger: logger(),
      }),
    ).toThrow(StreamUnavailableError);
  });
});

describe('StreamingModule', () => {
  async function moduleWith(broker?: MessageBroker) {
    const builder = Test.createTestingModule({
      imports: [SettingsModule, TerminusModule, StreamingModule],
    });
    if (broker) builder.overrideProvider(MessageBroker).useValue(broker);
    const moduleRef = await builder.compile();
    await moduleRef.init();
    return moduleRef;
  }

  it('provides the memory broker from the default settings, healthy while open, closed on shutdown', async () => {
    const moduleRef = await moduleWith();
    const broker = moduleRef.get(MessageBroker);
    expect(broker).toBeInstanceOf(MemoryBroker);
    const health = moduleRef.get(HealthCheckService);
    const indicator = moduleRef.get(StreamingHealthIndicator);
    await expect(health.check([() => indicator.isHealthy('stream')])).resolves.toMatchObject({
      status: 'ok',
      info: { stream: { status: 'up', broker: 'memory' } },
    });
    await moduleRef.close();
    await expect(broker.publish('x', [{ payload: 'x' }])).rejects.toBeInstanceOf(
      StreamUnavailableError,
    );
  });

  it('reports down with the reason when the broker does not answer', async () => {
    const broker = new PulsarWebSocketBroker({
      webUrl: 'http://127.0.0.1:9',
      tenant: 'public',
      namespace: 'default',
      connectTimeoutMs: 1000,
    });
    const moduleRef = await moduleWith(broker);
    const indicator = moduleRef.get(StreamingHealthIndicator);
    const result = await indicator.isHealthy('stream');
    expect(result.stream).toMatchObject({ status: 'down', broker: 'pulsar-websocket' });
    expect(String(result.stream.message)).toMatch(
      /Pulsar does not answer at http:\/\/127\.0\.0\.1:9/,
    );
    await moduleRef.close();
  });
});
