import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { TestingModuleBuilder } from '@nestjs/testing';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import type { AppConfig } from '@app/settings';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';

export interface BootApiOptions {
  /** The graph store the app uses (a fresh embedded one by default); nothing is seeded. */
  store?: GraphStore;
  /** App settings over the defaults (seedOnStart is false unless given). */
  app?: Partial<AppConfig>;
  /** Further provider overrides (a fixed Clock, a service stand-in). */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/**
 * The whole API as `npm start` configures it (global pipe, filter, guards, middleware), on an
 * embedded store, for e2e specs: call `close()` on it in `afterAll`.
 */
export async function bootApi(options: BootApiOptions = {}): Promise<NestExpressApplication> {
  const defaults = loadAllSettings({});
  const settings = { ...defaults.app, seedOnStart: false, ...options.app };
  const builder = Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(options.store ?? new MemoryGraphStore())
    .overrideProvider(appSettings.KEY)
    .useValue(settings);
  const moduleRef = await (options.override?.(builder) ?? builder).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, settings);
  await app.init();
  return app;
}
