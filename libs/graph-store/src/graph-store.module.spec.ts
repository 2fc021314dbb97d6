import { Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { graphSettings, loadAllSettings } from '@app/settings';
import type { GraphConfig } from '@app/settings';
import { GraphUnavailableError } from '@app/vocabulary';
import { GraphStoreHealthIndicator } from './graph-store.health';
import { GraphStoreModule } from './graph-store.module';
import type { GraphStoreModuleOptions } from './graph-store.module';
import { GraphStore } from './graph-store.port';
import { MemoryGraphStore } from './memory/memory.graph-store';

function graphConfig(backend: 'memory' | 'janusgraph'): GraphConfig {
  // Port 1 on loopback: nothing listens there, so a real JanusGraph adapter cannot connect.
  return {
    ...loadAllSettings({
      GRAPH_BACKEND: backend,
      JANUSGRAPH_PORT: '1',
      JANUSGRAPH_CONNECT_TIMEOUT_MS: '500',
      JANUSGRAPH_RETRY_ATTEMPTS: '0',
    }).graph,
  };
}

/** Stands in for the global SettingsModule with fixed graph settings. */
function settingsFor(config: GraphConfig): new () => object {
  @Global()
  @Module({
    providers: [{ provide: graphSettings.KEY, useValue: config }],
    exports: [graphSettings.KEY],
  })
  class FixedSettingsModule {}
  return FixedSettingsModule;
}

async function boot(backend: 'memory' | 'janusgraph', options?: GraphStoreModuleOptions) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      settingsFor(graphConfig(backend)),
      options ? GraphStoreModule.forRoot(options) : GraphStoreModule,
    ],
  }).compile();
  return moduleRef;
}

/** A stand-in adapter: a memory store that says it is JanusGraph and records shutdown. */
class FakeJanusStore extends MemoryGraphStore implements OnApplicationShutdown {
  // The memory class types its backend as 'memory'; this stand-in claims to be JanusGraph.
  override readonly backend = 'janusgraph' as unknown as 'memory';
  closed = false;
  up = true;
  onApplicationShutdown(): void {
    this.closed = true;
  }
  override ping(): Promise<void> {
    return this.up
      ? Promise.resolve()
      : Promise.reject(new GraphUnavailableError('connection refused by 127.0.0.1:8182'));
  }
}

describe('GraphStoreModule', () => {
  it('provides the memory store when GRAPH_BACKEND=memory', async () => {
    const moduleRef = await boot('memory');
    const store = moduleRef.get(GraphStore);
    expect(store).toBeInstanceOf(MemoryGraphStore);
    expect(store.backend).toBe('memory');
    expect(moduleRef.get(GraphStore)).toBe(store);
    await moduleRef.close();
  });

  it('fails to start when JanusGraph is unreachable, never falling back to memory', async () => {
    const failure = boot('janusgraph');
    await expect(failure).rejects.toBeInstanceOf(GraphUnavailableError);
    await expect(failure).rejects.toThrow('127.0.0.1:1');
  });

  it('uses an adapter passed to forRoot, and Nest closes it on shutdown', async () => {
    const fake = new FakeJanusStore();
    const seen: GraphConfig[] = [];
    const moduleRef = await boot('janusgraph', {
      adapters: {
        janusgraph: (config) => {
          seen.push(config);
          return fake;
        },
      },
    });
    expect(moduleRef.get(GraphStore)).toBe(fake);
    expect(seen).toHaveLength(1);
    expect(seen[0].backend).toBe('janusgraph');
    await moduleRef.close();
    expect(fake.closed).toBe(true);
  });

  it('surfaces an adapter that fails to start', async () => {
    const options: GraphStoreModuleOptions = {
      adapters: {
        janusgraph: () => Promise.reject(new GraphUnavailableError('cannot reach 127.0.0.1:8182')),
      },
    };
    await expect(boot('janusgraph', options)).rejects.toThrow('cannot reach 127.0.0.1:8182');
  });

  it('refuses an adapter that builds a store of another backend', async () => {
    const options: GraphStoreModuleOptions = {
      adapters: { janusgraph: () => new MemoryGraphStore() },
    };
    await expect(boot('janusgraph', options)).rejects.toThrow('built a "memory" store');
  });
});

describe('GraphStoreHealthIndicator', () => {
  it('reports up with the backend name when the store answers', async () => {
    const moduleRef = await boot('memory');
    const indicator = moduleRef.get(GraphStoreHealthIndicator);
    expect(await indicator.isHealthy('graph')).toEqual({
      graph: { status: 'up', backend: 'memory' },
    });
    await moduleRef.close();
  });

  it('reports down with the reason when the ping fails', async () => {
    const fake = new FakeJanusStore();
    const moduleRef = await boot('janusgraph', { adapters: { janusgraph: () => fake } });
    const indicator = moduleRef.get(GraphStoreHealthIndicator);
    fake.up = false;
    expect(await indicator.isHealthy('graph')).toEqual({
      graph: {
        status: 'down',
        backend: 'janusgraph',
        message: 'connection refused by 127.0.0.1:8182',
      },
    });
    fake.up = true;
    expect((await indicator.isHealthy('graph')).graph.status).toBe('up');
    await moduleRef.close();
  });

  it('reports down within its timeout when the store never answers (a frozen JanusGraph)', async () => {
    const fake = new FakeJanusStore();
    const moduleRef = await boot('janusgraph', { adapters: { janusgraph: () => fake } });
    const indicator = moduleRef.get(GraphStoreHealthIndicator);
    indicator.timeoutMs = 50;
    jest.spyOn(fake, 'ping').mockReturnValue(new Promise<void>(() => undefined));
    expect(await indicator.isHealthy('graph')).toEqual({
      graph: {
        status: 'down',
        backend: 'janusgraph',
        message:
          'the graph store did not answer a ping within 0.05 s (is JanusGraph frozen or overloaded?)',
      },
    });
    await moduleRef.close();
  });
});
