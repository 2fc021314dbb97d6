import { type DynamicModule, Module } from '@nestjs/common';
import { GraphStoreModule } from '@app/graph-store';
import { SettingsModule } from '@app/settings';

/**
 * The seeder's application context: typed settings always; the GraphStore port only when a
 * command writes to the graph (so that generating files never needs a reachable JanusGraph).
 */
@Module({ imports: [SettingsModule] })
export class SeederModule {
  static register(options: { graph: boolean }): DynamicModule {
    return { module: SeederModule, imports: options.graph ? [GraphStoreModule] : [] };
  }
}
