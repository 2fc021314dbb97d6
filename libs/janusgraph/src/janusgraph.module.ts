import {
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JanusGraphClient } from './janusgraph.client';
import { JanusGraphHealthIndicator } from './janusgraph.health';
import {
  JANUSGRAPH_MODULE_OPTIONS,
  JanusGraphConfigurableModule,
  JanusGraphModuleOptions,
} from './janusgraph.module-definition';
import { bootstrapSchema } from './schema/schema.bootstrap';
import { SchemaReadiness } from './schema/schema.readiness';

/**
 * Owns the connection: opens it (and bootstraps the schema when configured) while the
 * application starts, so a server that cannot be reached stops the start with a
 * GraphUnavailableError naming host:port; closes it on shutdown.
 */
@Injectable()
export class JanusGraphConnectionLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JanusGraphModule.name);

  constructor(
    private readonly client: JanusGraphClient,
    @Inject(JANUSGRAPH_MODULE_OPTIONS) private readonly options: JanusGraphModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.client.open();
    if (this.options.graph.schemaBootstrap) {
      const report = await bootstrapSchema(this.client);
      for (const warning of report.warnings) this.logger.warn(`JanusGraph schema: ${warning}`);
      this.logger.log(
        `JanusGraph schema ready in ${report.durationMs} ms (created ${report.createdIndexes.length} indexes, ${report.createdKeys.length} keys)`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/**
 * The JanusGraph connection for Nest applications: provides `JanusGraphClient`,
 * `SchemaReadiness` and `JanusGraphHealthIndicator` (global by default).
 *
 * ```ts
 * JanusGraphModule.forRootAsync({
 *   inject: [graphSettings.KEY],
 *   useFactory: (graph: GraphConfig) => ({ graph }),
 * })
 * ```
 */
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: JanusGraphClient,
      useFactory: (options: JanusGraphModuleOptions) => new JanusGraphClient(options.graph),
      inject: [JANUSGRAPH_MODULE_OPTIONS],
    },
    {
      provide: SchemaReadiness,
      useFactory: (client: JanusGraphClient) => new SchemaReadiness(client),
      inject: [JanusGraphClient],
    },
    JanusGraphConnectionLifecycle,
    JanusGraphHealthIndicator,
  ],
  exports: [JanusGraphClient, SchemaReadiness, JanusGraphHealthIndicator],
})
export class JanusGraphModule extends JanusGraphConfigurableModule {}
