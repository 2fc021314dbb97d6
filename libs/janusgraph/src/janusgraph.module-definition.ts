import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { JanusGraphClientConfig } from './janusgraph.client';

export interface JanusGraphModuleOptions {
  /** Connection settings: the `graph` settings namespace (`GraphConfig`) fits as it is. */
  graph: JanusGraphClientConfig & {
    /** Run the idempotent schema bootstrap when the module starts (`GRAPH_SCHEMA_BOOTSTRAP`). */
    schemaBootstrap: boolean;
  };
}

export const {
  ConfigurableModuleClass: JanusGraphConfigurableModule,
  MODULE_OPTIONS_TOKEN: JANUSGRAPH_MODULE_OPTIONS,
  OPTIONS_TYPE: JANUSGRAPH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: JANUSGRAPH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<JanusGraphModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
