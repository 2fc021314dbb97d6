import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** HTTP server and process-wide behaviour (namespace `app`). */
export class AppSettings {
  @EnvVar({
    name: 'NODE_ENV',
    kind: 'enum',
    values: NODE_ENVIRONMENTS,
    default: 'development',
    description: 'Runtime environment; `production` refuses development secrets.',
  })
  @IsIn(NODE_ENVIRONMENTS, { message: `must be one of ${NODE_ENVIRONMENTS.join(', ')}` })
  environment!: NodeEnvironment;

  @EnvVar({
    name: 'APP_HOST',
    kind: 'string',
    default: '127.0.0.1',
    description: 'Address the API listens on (use 0.0.0.0 in a container).',
  })
  @IsString()
  host!: string;

  @EnvVar({
    name: 'APP_PORT',
    kind: 'integer',
    default: '3000',
    description: 'TCP port of the API.',
  })
  @IsInt({ message: 'must be a whole number (a TCP port)' })
  @Min(0, { message: 'must be a TCP port between 0 and 65535' })
  @Max(65535, { message: 'must be a TCP port between 0 and 65535' })
  port!: number;

  @EnvVar({
    name: 'LOG_LEVEL',
    kind: 'enum',
    values: LOG_LEVELS,
    default: 'info',
    description: 'Minimum level of the JSON logs.',
  })
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  logLevel!: LogLevel;

  @EnvVar({
    name: 'CORS_ORIGINS',
    kind: 'list',
    default: '',
    refusedInProduction: ['*'],
    description:
      'Comma-separated origins allowed by CORS; empty disables CORS. A wildcard (`*`) is refused when NODE_ENV=production.',
  })
  @IsString({ each: true })
  corsOrigins!: string[];

  @EnvVar({
    name: 'BODY_LIMIT',
    kind: 'string',
    default: '1mb',
    description: 'Largest accepted JSON request body (e.g. `1mb`, `512kb`).',
  })
  @Matches(/^\d+(b|kb|mb)$/, { message: 'must be a size such as 512kb or 1mb' })
  bodyLimit!: string;

  @EnvVar({
    name: 'BODY_MAX_DEPTH',
    kind: 'integer',
    default: '64',
    description:
      'Deepest nesting of objects and arrays accepted in a JSON request body; deeper bodies are refused with 400 before they are parsed.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(1000, { message: 'must be at most 1000' })
  bodyMaxDepth!: number;

  @EnvVar({
    name: 'TRUST_PROXY_HOPS',
    kind: 'integer',
    default: '0',
    description:
      'Reverse proxies in front of the API whose X-Forwarded-For is trusted for the client address (rate limits per address, logs); 0 trusts none.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be at least 0' })
  @Max(10, { message: 'must be at most 10' })
  trustProxyHops!: number;

  @EnvVar({
    name: 'SHUTDOWN_GRACE_SECONDS',
    kind: 'integer',
    default: '10',
    description:
      'On SIGTERM, how long requests in progress may run before the API closes every connection; meanwhile each answer closes its keep-alive connection and no new connection is taken.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be at least 0' })
  @Max(300, { message: 'must be at most 300' })
  shutdownGraceSeconds!: number;

  @EnvVar({
    name: 'HTTP_IDLE_TIMEOUT_SECONDS',
    kind: 'integer',
    default: '300',
    description:
      'A connection on which nothing is sent or received for this long is closed (a client that stopped reading its answer, or never sends); 0 never closes one. Keep it above the longest request you expect to wait for an answer (the first POST /api/v1/score/* reads the stored history, which on a large graph takes minutes).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be at least 0' })
  @Max(3600, { message: 'must be at most 3600' })
  idleTimeoutSeconds!: number;

  @EnvVar({
    name: 'HTTP_MAX_CONNECTIONS_PER_ADDRESS',
    kind: 'integer',
    default: '256',
    description:
      'Open connections one client address may hold; a connection beyond it is answered 429 and closed. Not applied when TRUST_PROXY_HOPS is above 0 (every connection then comes from the proxy, which should cap them); 0 = no cap.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be at least 0' })
  @Max(100000, { message: 'must be at most 100000' })
  maxConnectionsPerAddress!: number;

  @EnvVar({
    name: 'APP_SEED_ON_START',
    kind: 'boolean',
    default: 'true',
    description:
      'With the memory graph, seed a synthetic bank (seeder settings) when the API starts.',
  })
  @IsBoolean({ message: 'must be true or false' })
  seedOnStart!: boolean;

  @EnvVar({
    name: 'APP_DATA_DIR',
    kind: 'string',
    description:
      'A dataset folder the API loads into its graph store at start, instead of seeding a synthetic bank: a bank export (docs/import-format.md, CSV or JSON lines) or a folder written by `seeder generate` / `seeder import` (JSON lines). A bad folder stops the start. Unset or empty = none.',
  })
  @IsOptional()
  @IsString()
  dataDir?: string;

  @EnvVar({
    name: 'CI',
    kind: 'boolean',
    default: 'false',
    description:
      'Set by CI systems: integration tests then fail, instead of skipping, when JanusGraph or Pulsar cannot be found.',
  })
  @IsBoolean({ message: 'must be true or false' })
  ci!: boolean;
}
