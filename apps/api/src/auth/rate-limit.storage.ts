import { Logger, Module, OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { InvalidSettingsError, SecurityConfig, securitySettings } from '@app/settings';

/** The counter record @nestjs/throttler expects from a storage. */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Prefix of every key this API writes to Redis, so the counters can share a database. */
export const RATE_LIMIT_KEY_PREFIX = 'rate-limit:';

/**
 * Answered (503, error `rate_limit_unavailable`) while the shared counters cannot be read: the
 * API fails closed rather than serve requests it cannot count.
 */
export class RateLimitUnavailableException extends ServiceUnavailableException {
  readonly errorCode = 'rate_limit_unavailable';

  constructor() {
    super(
      'The rate-limit store (Redis, setting RATE_LIMIT_REDIS_URL) does not answer, so no request can be counted and none is served. Try again shortly; operators: see docs/operations.md.',
    );
  }
}

/** The URL without its user name and password, safe for messages and logs. */
export function redisAddressOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unreadable URL)';
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Rate-limit counters in Redis, shared by every API replica. The counting itself (one atomic
 * script per request: count, expire, block) is @nest-lab/throttler-storage-redis; this class
 * owns the connection and keeps requests bounded:
 * - no offline queue: while Redis is disconnected a count fails at once instead of waiting;
 * - `commandTimeout`: a Redis that accepts the connection but does not answer fails the count
 *   after RATE_LIMIT_REDIS_TIMEOUT_MS;
 * - a failed count becomes 503 `rate_limit_unavailable` (fail closed), never a 500 or a hang;
 * - the client reconnects in the background, so the API serves again once Redis is back.
 */
export class RedisRateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly counters: ThrottlerStorageRedisService;
  private outage = false;

  private constructor(
    private readonly redis: Redis,
    private readonly address: string,
  ) {
    this.counters = new ThrottlerStorageRedisService(redis);
    redis.on('error', (error: unknown) => this.reportOutage(error));
    redis.on('ready', () => {
      if (!this.outage) return;
      this.outage = false;
      this.logger.log(`Redis at ${this.address} answers again; requests are counted and served.`);
    });
  }

  /**
   * Connects and checks that Redis answers; refuses to start (naming RATE_LIMIT_REDIS_URL)
   * otherwise. There is no fallback to counting in memory.
   */
  static async connect(url: string, timeoutMs: number): Promise<RedisRateLimitStorage> {
    const address = redisAddressOf(url);
    // No reconnection until the first connection succeeded: a failed start ends cleanly.
    let connected = false;
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      keyPrefix: RATE_LIMIT_KEY_PREFIX,
      // After a loss, keep trying in the background, at most every 2 s.
      retryStrategy: (attempt: number) => (connected ? Math.min(attempt * 200, 2000) : null),
    });
    // Errors while connecting are reported by connect() below, not as an unhandled event.
    const ignore = (): void => undefined;
    redis.on('error', ignore);
    try {
      await redis.connect();
      await redis.ping();
      connected = true;
    } catch (error: unknown) {
      // A refused connection has already ended (no retries before the first success).
      if (redis.status !== 'end') redis.disconnect();
      throw new InvalidSettingsError([
        {
          variable: 'RATE_LIMIT_REDIS_URL',
          value: '***',
          rule: `RATE_LIMIT_STORE=redis, but Redis at ${address} did not answer within ${timeoutMs} ms (${describeError(error)}). Start Redis or correct the URL; the API does not fall back to counting in memory (set RATE_LIMIT_STORE=memory only for a single replica).`,
        },
      ]);
    }
    redis.off('error', ignore);
    return new RedisRateLimitStorage(redis, address);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      return await this.counters.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error: unknown) {
      this.reportOutage(error);
      throw new RateLimitUnavailableException();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    this.outage = false;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** One log line per outage, not one per request or reconnection attempt. */
  private reportOutage(error: unknown): void {
    if (this.outage) return;
    this.outage = true;
    this.logger.error(
      `Redis at ${this.address} (RATE_LIMIT_REDIS_URL) does not answer: ${describeError(error)}. Requests are answered 503 until it is back.`,
    );
  }
}

/** Token of the storage the rate-limit guard counts in. */
export const RATE_LIMIT_STORAGE = Symbol('RateLimitStorage');

/** The storage chosen by RATE_LIMIT_STORE: this process's memory, or Redis shared by replicas. */
export async function createRateLimitStorage(security: SecurityConfig): Promise<ThrottlerStorage> {
  switch (security.rateLimitStore) {
    case 'memory':
      return new ThrottlerStorageService();
    case 'redis':
      if (security.rateLimitRedisUrl === undefined) {
        // Settings validation refuses this first; kept for a hand-built config in tests.
        throw new InvalidSettingsError([
          {
            variable: 'RATE_LIMIT_REDIS_URL',
            value: undefined,
            rule: 'is required when RATE_LIMIT_STORE=redis',
          },
        ]);
      }
      return RedisRateLimitStorage.connect(
        security.rateLimitRedisUrl,
        security.rateLimitRedisTimeoutMs,
      );
  }
}

/** Provides RATE_LIMIT_STORAGE, connected (or refused) while the application starts. */
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [securitySettings.KEY],
      useFactory: createRateLimitStorage,
    },
  ],
  exports: [RATE_LIMIT_STORAGE],
})
export class RateLimitStorageModule {}
