import { ConfigType, registerAs } from '@nestjs/config';
import { Env, loadSettings } from './load-settings';
import { AppSettings } from './namespaces/app.settings';
import { DetectorsSettings } from './namespaces/detectors.settings';
import { GraphSettings } from './namespaces/graph.settings';
import { IngestSettings } from './namespaces/ingest.settings';
import { ModelSettings } from './namespaces/model.settings';
import { MoneySettings } from './namespaces/money.settings';
import { DEVELOPMENT_API_KEYS, SecuritySettings } from './namespaces/security.settings';
import { SeederSettings } from './namespaces/seeder.settings';
import { StreamingSettings } from './namespaces/streaming.settings';
import { UboSettings } from './namespaces/ubo.settings';
import { InvalidSettingsError, SettingsProblem } from './settings.error';

/** Every settings namespace, in documentation order. */
export const SETTINGS_NAMESPACES = {
  app: AppSettings,
  graph: GraphSettings,
  streaming: StreamingSettings,
  ingest: IngestSettings,
  security: SecuritySettings,
  seeder: SeederSettings,
  detectors: DetectorsSettings,
  money: MoneySettings,
  ubo: UboSettings,
  model: ModelSettings,
} as const;

export type SettingsNamespace = keyof typeof SETTINGS_NAMESPACES;

/** The only reader of the process environment in the whole repository. */
export function processEnv(): Env {
  return process.env;
}

function withDevelopmentKeys(settings: SecuritySettings, env: Env): SecuritySettings {
  const environment = env.NODE_ENV ?? 'development';
  if (settings.apiKeys.length === 0 && environment !== 'production') {
    settings.apiKeys = DEVELOPMENT_API_KEYS.split(',');
  }
  return settings;
}

export const appSettings = registerAs('app', () => loadSettings(AppSettings, processEnv()));
export const graphSettings = registerAs('graph', () => loadSettings(GraphSettings, processEnv()));
export const streamingSettings = registerAs('streaming', () =>
  loadSettings(StreamingSettings, processEnv()),
);
export const ingestSettings = registerAs('ingest', () =>
  loadSettings(IngestSettings, processEnv()),
);
export const securitySettings = registerAs('security', () =>
  withDevelopmentKeys(loadSettings(SecuritySettings, processEnv()), processEnv()),
);
export const seederSettings = registerAs('seeder', () =>
  loadSettings(SeederSettings, processEnv()),
);
export const detectorsSettings = registerAs('detectors', () =>
  loadSettings(DetectorsSettings, processEnv()),
);
export const moneySettings = registerAs('money', () => loadSettings(MoneySettings, processEnv()));
export const uboSettings = registerAs('ubo', () => loadSettings(UboSettings, processEnv()));
export const modelSettings = registerAs('model', () => loadSettings(ModelSettings, processEnv()));

export const ALL_SETTINGS = [
  appSettings,
  graphSettings,
  streamingSettings,
  ingestSettings,
  securitySettings,
  seederSettings,
  detectorsSettings,
  moneySettings,
  uboSettings,
  modelSettings,
];

export type AppConfig = ConfigType<typeof appSettings>;
export type GraphConfig = ConfigType<typeof graphSettings>;
export type StreamingConfig = ConfigType<typeof streamingSettings>;
export type IngestConfig = ConfigType<typeof ingestSettings>;
export type SecurityConfig = ConfigType<typeof securitySettings>;
export type SeederConfig = ConfigType<typeof seederSettings>;
export type DetectorsConfig = ConfigType<typeof detectorsSettings>;
export type MoneyConfig = ConfigType<typeof moneySettings>;
export type UboConfig = ConfigType<typeof uboSettings>;
export type ModelConfig = ConfigType<typeof modelSettings>;

export interface AllSettings {
  app: AppSettings;
  graph: GraphSettings;
  streaming: StreamingSettings;
  ingest: IngestSettings;
  security: SecuritySettings;
  seeder: SeederSettings;
  detectors: DetectorsSettings;
  money: MoneySettings;
  ubo: UboSettings;
  model: ModelSettings;
}

/**
 * Validates every namespace at once so that one start reports every problem.
 * Used by each `main.ts` before Nest boots, by the CLI, the benchmarks and tests.
 */
export function loadAllSettings(env: Env = processEnv()): AllSettings {
  const problems: SettingsProblem[] = [];
  const attempt = <T extends object>(ctor: new () => T): T | undefined => {
    try {
      return loadSettings(ctor, env);
    } catch (error: unknown) {
      if (error instanceof InvalidSettingsError) {
        problems.push(...error.problems);
        return undefined;
      }
      throw error;
    }
  };
  const app = attempt(AppSettings);
  const graph = attempt(GraphSettings);
  const streaming = attempt(StreamingSettings);
  const ingest = attempt(IngestSettings);
  const security = attempt(SecuritySettings);
  const seeder = attempt(SeederSettings);
  const detectors = attempt(DetectorsSettings);
  const money = attempt(MoneySettings);
  const ubo = attempt(UboSettings);
  const model = attempt(ModelSettings);
  if (
    !app ||
    !graph ||
    !streaming ||
    !ingest ||
    !security ||
    !seeder ||
    !detectors ||
    !money ||
    !ubo ||
    !model
  ) {
    throw new InvalidSettingsError(problems);
  }
  return {
    app,
    graph,
    streaming,
    ingest,
    security: withDevelopmentKeys(security, env),
    seeder,
    detectors,
    money,
    ubo,
    model,
  };
}
