import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

export const STREAMING_BACKENDS = ['memory', 'pulsar'] as const;
export type StreamingBackend = (typeof STREAMING_BACKENDS)[number];
export const PULSAR_TRANSPORTS = ['websocket', 'native', 'auto'] as const;
export type PulsarTransport = (typeof PULSAR_TRANSPORTS)[number];
export const PULSAR_SUBSCRIPTION_TYPES = ['Key_Shared', 'Shared'] as const;
export type PulsarSubscriptionType = (typeof PULSAR_SUBSCRIPTION_TYPES)[number];

const TOPIC_RULE = { message: 'must be a topic name of letters, digits, dot, dash or underscore' };

/** Message streaming with Apache Pulsar (namespace `streaming`). */
export class StreamingSettings {
  @EnvVar({
    name: 'STREAMING_BACKEND',
    kind: 'enum',
    values: STREAMING_BACKENDS,
    default: 'memory',
    description: 'Message broker: `memory` (embedded, default) or `pulsar`.',
  })
  @IsIn(STREAMING_BACKENDS, { message: `must be one of ${STREAMING_BACKENDS.join(', ')}` })
  backend!: StreamingBackend;

  @EnvVar({
    name: 'PULSAR_SERVICE_URL',
    kind: 'string',
    default: 'pulsar://127.0.0.1:6650',
    description: 'Binary protocol URL (native client).',
  })
  @Matches(/^pulsar(\+ssl)?:\/\/[^\s]+$/, { message: 'must be a pulsar:// or pulsar+ssl:// URL' })
  serviceUrl!: string;

  @EnvVar({
    name: 'PULSAR_WEB_URL',
    kind: 'string',
    default: 'http://127.0.0.1:8080',
    description: 'HTTP URL of the broker: admin API and WebSocket API.',
  })
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  webUrl!: string;

  @EnvVar({
    name: 'PULSAR_TRANSPORT',
    kind: 'enum',
    values: PULSAR_TRANSPORTS,
    default: 'auto',
    description:
      'Client: `websocket`, `native` (needs the optional pulsar-client package) or `auto` (native when installed, else WebSocket).',
  })
  @IsIn(PULSAR_TRANSPORTS, { message: `must be one of ${PULSAR_TRANSPORTS.join(', ')}` })
  transport!: PulsarTransport;

  @EnvVar({
    name: 'PULSAR_AUTH_TOKEN',
    kind: 'string',
    secret: true,
    refusedInProduction: ['dev-token'],
    description: 'JWT for Pulsar token authentication (secret, no default).',
  })
  @IsOptional()
  @IsString()
  authToken?: string;

  @EnvVar({
    name: 'PULSAR_TENANT',
    kind: 'string',
    default: 'public',
    description: 'Pulsar tenant.',
  })
  @Matches(/^[A-Za-z0-9._-]+$/, TOPIC_RULE)
  tenant!: string;

  @EnvVar({
    name: 'PULSAR_NAMESPACE',
    kind: 'string',
    default: 'default',
    description: 'Pulsar namespace.',
  })
  @Matches(/^[A-Za-z0-9._-]+$/, TOPIC_RULE)
  namespace!: string;

  @EnvVar({
    name: 'PULSAR_TOPIC_ENTITIES',
    kind: 'string',
    default: 'bank.entities',
    description: 'Topic of persons, companies, accounts, identifiers and relations.',
  })
  @Matches(/^[A-Za-z0-9._-]+$/, TOPIC_RULE)
  entitiesTopic!: string;

  @EnvVar({
    name: 'PULSAR_TOPIC_MOVEMENTS',
    kind: 'string',
    default: 'bank.movements',
    description: 'Topic of money movements (transactions).',
  })
  @Matches(/^[A-Za-z0-9._-]+$/, TOPIC_RULE)
  movementsTopic!: string;

  @EnvVar({
    name: 'PULSAR_TOPIC_ALERTS',
    kind: 'string',
    default: 'bank.alerts',
    description: 'Topic the ingest worker publishes stream alerts to.',
  })
  @Matches(/^[A-Za-z0-9._-]+$/, TOPIC_RULE)
  alertsTopic!: string;

  @EnvVar({
    name: 'PULSAR_DEAD_LETTER_TOPIC',
    kind: 'string',
    default: 'bank.dead-letter',
    description: 'Where messages go after the last failed redelivery, with the reason.',
  })
  @Matches(/^[A-Za-z0-9._-]+$/, TOPIC_RULE)
  deadLetterTopic!: string;

  @EnvVar({
    name: 'PULSAR_SUBSCRIPTION',
    kind: 'string',
    default: 'graph-ingest',
    description:
      'Subscription name of the ingest worker (every worker of one deployment uses the same).',
  })
  @MinLength(1, { message: 'must not be empty' })
  subscription!: string;

  @EnvVar({
    name: 'PULSAR_SUBSCRIPTION_TYPE',
    kind: 'enum',
    values: PULSAR_SUBSCRIPTION_TYPES,
    default: 'Key_Shared',
    description:
      "How several ingest workers share the topics: `Key_Shared` (one account's messages always go to the same worker, in order) or `Shared` (any worker, no order).",
  })
  @IsIn(PULSAR_SUBSCRIPTION_TYPES, {
    message: `must be one of ${PULSAR_SUBSCRIPTION_TYPES.join(', ')}`,
  })
  subscriptionType!: PulsarSubscriptionType;

  @EnvVar({
    name: 'PULSAR_MAX_REDELIVER_COUNT',
    kind: 'integer',
    default: '3',
    description: 'Redeliveries of a failing message before it is dead-lettered.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(100, { message: 'must be at most 100' })
  maxRedeliverCount!: number;

  @EnvVar({
    name: 'PULSAR_NACK_REDELIVERY_DELAY_MS',
    kind: 'integer',
    default: '1000',
    description: 'Delay before a negatively acknowledged message is redelivered.',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  nackRedeliveryDelayMs!: number;

  @EnvVar({
    name: 'PULSAR_RECEIVE_QUEUE_SIZE',
    kind: 'integer',
    default: '1000',
    description:
      'Messages prefetched by a consumer (unacknowledged ones included: the ingest worker needs INGEST_WRITE_CONCURRENCY + 1 batches of room).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  receiveQueueSize!: number;

  @EnvVar({
    name: 'PULSAR_PUBLISH_BUNDLE_SIZE',
    kind: 'integer',
    default: '50',
    description:
      'Most envelopes the project\'s own producers (seeder generate --sink pulsar, benchmarks) put in one Pulsar message, one JSON document per line, all of one key bucket; 1 sends every envelope as a message of its own. Fewer, larger messages cost the broker far less over the WebSocket API (docs/streaming.md, "Bundles"). Consumers read both kinds.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(1000, { message: 'must be at most 1000 (the most a consumer accepts in one message)' })
  publishBundleSize!: number;

  @EnvVar({
    name: 'PULSAR_PUBLISH_KEY_BUCKETS',
    kind: 'integer',
    default: '64',
    description:
      'Key buckets the bundles of PULSAR_PUBLISH_BUNDLE_SIZE are spread over: a bundle is keyed by its bucket, and every message of one key (one paying account) always lands in the same bucket, so Key_Shared order per account holds. More buckets spread the load over more ingest workers; fewer make fuller bundles.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(65536, { message: 'must be at most 65536 (the hash range of Key_Shared)' })
  publishKeyBuckets!: number;

  @EnvVar({
    name: 'PULSAR_PUBLISH_RETRY_MS',
    kind: 'integer',
    default: '60000',
    description:
      "How long one publish over the WebSocket API keeps trying a broker it cannot reach (connection refused or lost, HTTP 5xx or 429), with backoff, before it fails: long enough to ride through a broker restart. It covers the seeder (--sink pulsar) and the ingest worker's alerts, dead letters and messages sent back to wait. A refusal (bad token, unknown topic) fails at once.",
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  publishRetryMs!: number;
}
