import { createServer } from 'node:net';
import { Test } from '@nestjs/testing';
import { HealthIndicatorService } from '@nestjs/terminus';
import { GraphUnavailableError } from '@app/vocabulary';
import { JanusGraphClient } from './janusgraph.client';
import { JanusGraphHealthIndicator } from './janusgraph.health';
import { JanusGraphModule } from './janusgraph.module';
import type { JanusGraphModuleOptions } from './janusgraph.module-definition';
import { SchemaReadiness } from './schema/schema.readiness';

/** A TCP port on which nothing listens (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function graphOptions(port: number): JanusGraphModuleOptions['graph'] {
  return {
    host: '127.0.0.1',
    port,
    tls: false,
    tlsRejectUnauthorized: true,
    traversalSource: 'g',
    poolSize: 2,
    connectTimeoutMs: 2000,
    requestTimeoutMs: 2000,
    retryAttempts: 0,
    retryBaseDelayMs: 1,
    breakerThreshold: 5,
    breakerHalfOpenMs: 1000,
    schemaBootstrap: false,
  };
}

describe('JanusGraphModule', () => {
  it('provides the client and the health indicator, configured by forRootAsync', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        JanusGraphModule.forRootAsync({ useFactory: () => ({ graph: graphOptions(8999) }) }),
      ],
    }).compile();
    const client = moduleRef.get(JanusGraphClient);
    expect(client.endpoint).toBe('ws://127.0.0.1:8999/gremlin');
    expect(client.poolSize).toBe(2);
    expect(moduleRef.get(JanusGraphHealthIndicator)).toBeInstanceOf(JanusGraphHealthIndicator);
    expect(moduleRef.get(SchemaReadiness)).toBeInstanceOf(SchemaReadiness);
  });

  it('refuses to start, naming host:port, when JanusGraph cannot be reached (no fallback)', async () => {
    const port = await closedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [JanusGraphModule.forRoot({ graph: graphOptions(port) })],
    }).compile();
    const app = moduleRef.createNestApplication();
    const error = await app.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });
});

describe('JanusGraphHealthIndicator', () => {
  const fakeClient = {
    endpoint: 'ws://db:8182/gremlin',
    poolSize: 2,
    breakerState: 'closed',
  } as unknown as JanusGraphClient;
  const readiness = (assertReady: () => Promise<void>) =>
    ({ assertReady }) as unknown as SchemaReadiness;

  it('reports up with the endpoint when the server answers and the schema is complete', async () => {
    const indicator = new JanusGraphHealthIndicator(
      fakeClient,
      readiness(() => Promise.resolve()),
      new HealthIndicatorService(),
    );
    await expect(indicator.isHealthy('janusgraph')).resolves.toEqual({
      janusgraph: { status: 'up', endpoint: 'ws://db:8182/gremlin', pool: 2, breaker: 'closed' },
    });
  });

  it('reports down with the reason when the server does not answer or the schema is incomplete', async () => {
    const indicator = new JanusGraphHealthIndicator(
      fakeClient,
      readiness(() =>
        Promise.reject(
          new GraphUnavailableError('JanusGraph is not reachable at ws://db:8182/gremlin'),
        ),
      ),
      new HealthIndicatorService(),
    );
    const result = await indicator.isHealthy('janusgraph');
    expect(result.janusgraph.status).toBe('down');
    expect(result.janusgraph.message).toBe('JanusGraph is not reachable at ws://db:8182/gremlin');
  });
});
