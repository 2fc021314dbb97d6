import { DynamicModule, Global, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { GraphBackend, GraphConfig, graphSettings } from '@app/settings';
import { GraphUnavailableError } from '@app/vocabulary';
import { GraphStoreHealthIndicator } from './graph-store.health';
import { GraphStore } from './graph-store.port';
import { janusGraphStoreFactory } from './janusgraph/janusgraph.graph-store.factory';
import { MemoryGraphStore } from './memory/memory.graph-store';

/**
 * Builds the store of one backend. Gets the validated `graph` settings and the module
 * reference (to resolve anything else it needs, e.g. a connection provider from an imported
 * module). A store implementing `onApplicationShutdown` is closed by Nest on shutdown.
 */
export type GraphStoreFactory = (
  config: GraphConfig,
  moduleRef: ModuleRef,
) => GraphStore | Promise<GraphStore>;

export type GraphStoreAdapters = Readonly<Record<GraphBackend, GraphStoreFactory>>;

/** Injection token of the adapter map in use (defaults merged with `forRoot` overrides). */
export const GRAPH_STORE_ADAPTERS = Symbol('GRAPH_STORE_ADAPTERS');

/**
 * The adapters this library ships: the embedded memory store and JanusGraph. Tests and apps may
 * replace one with `GraphStoreModule.forRoot({ adapters })`.
 */
export const DEFAULT_GRAPH_STORE_ADAPTERS: GraphStoreAdapters = {
  memory: () => new MemoryGraphStore(),
  janusgraph: janusGraphStoreFactory,
};

export interface GraphStoreModuleOptions {
  /** Adapters to use instead of (or in addition to) the defaults, by backend name. */
  adapters?: Partial<GraphStoreAdapters>;
  /** Modules the adapter factories need (their providers are then found through ModuleRef). */
  imports?: ModuleMetadata['imports'];
}

/**
 * Chooses the adapter named by the `graph.backend` setting. There is no fallback: if that
 * adapter fails to start, the application fails to start with the adapter's error.
 */
async function createGraphStore(
  config: GraphConfig,
  moduleRef: ModuleRef,
  adapters: GraphStoreAdapters | undefined,
): Promise<GraphStore> {
  const available = adapters ?? DEFAULT_GRAPH_STORE_ADAPTERS;
  const factory = (available as Partial<Record<string, GraphStoreFactory>>)[config.backend];
  if (factory === undefined) {
    throw new GraphUnavailableError(
      `GRAPH_BACKEND is "${String(config.backend)}", but no graph store adapter has that name ` +
        `(known: ${Object.keys(available).join(', ')})`,
    );
  }
  const store = await factory(config, moduleRef);
  if (store.backend !== config.backend) {
    throw new GraphUnavailableError(
      `The adapter registered for "${config.backend}" built a "${store.backend}" store`,
    );
  }
  return store;
}

const STORE_PROVIDER: Provider = {
  provide: GraphStore,
  useFactory: createGraphStore,
  inject: [graphSettings.KEY, ModuleRef, { token: GRAPH_STORE_ADAPTERS, optional: true }],
};

/**
 * Provides the `GraphStore` port (global) and its health indicator. Needs the global
 * `SettingsModule` for the `graph` settings. Import it as is for the built-in adapters, or
 * through `forRoot` to add adapters.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [STORE_PROVIDER, GraphStoreHealthIndicator],
  exports: [GraphStore, GraphStoreHealthIndicator],
})
export class GraphStoreModule {
  static forRoot(options: GraphStoreModuleOptions = {}): DynamicModule {
    const adapters: GraphStoreAdapters = { ...DEFAULT_GRAPH_STORE_ADAPTERS, ...options.adapters };
    return {
      module: GraphStoreModule,
      global: true,
      imports: options.imports ?? [],
      providers: [{ provide: GRAPH_STORE_ADAPTERS, useValue: adapters }],
    };
  }
}
