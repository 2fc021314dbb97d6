import { ThrottlerStorageService } from '@nestjs/throttler';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { InvalidSettingsError, loadAllSettings } from '@app/settings';
import {
  createRateLimitStorage,
  RateLimitUnavailableException,
  redisAddressOf,
} from './rate-limit.storage';

/** A port of 127.0.0.1 on which nothing listens (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('rate-limit storage', () => {
  it('counts in this process with RATE_LIMIT_STORE=memory', async () => {
    const storage = await createRateLimitStorage(loadAllSettings({}).security);
    expect(storage).toBeInstanceOf(ThrottlerStorageService);
    (storage as ThrottlerStorageService).onApplicationShutdown();
  });

  it('refuses to start when Redis does not answer, naming the setting and never the password', async () => {
    const port = await closedPort();
    const security = loadAllSettings({
      RATE_LIMIT_STORE: 'redis',
      RATE_LIMIT_REDIS_URL: `redis://:a-secret-password@127.0.0.1:${port}/2`,
    }).security;
    const start = createRateLimitStorage(security);
    await expect(start).rejects.toBeInstanceOf(InvalidSettingsError);
    const message = ((await start.catch((error: unknown) => error)) as Error).message;
    expect(message).toContain(
      `RATE_LIMIT_REDIS_URL="***": RATE_LIMIT_STORE=redis, but Redis at redis://127.0.0.1:${port}/2 did not answer`,
    );
    expect(message).toContain('does not fall back to counting in memory');
    expect(message).not.toContain('a-secret-password');
  });

  it('refuses a hand-built config with the redis store and no URL', async () => {
    const security = { ...loadAllSettings({}).security, rateLimitStore: 'redis' as const };
    await expect(createRateLimitStorage(security)).rejects.toThrow(
      'RATE_LIMIT_REDIS_URL=(not set): is required when RATE_LIMIT_STORE=redis',
    );
  });

  it('shows a Redis URL without its user name and password', () => {
    expect(redisAddressOf('rediss://app:pw@cache.bank.example:6380/0')).toBe(
      'rediss://cache.bank.example:6380/0',
    );
    expect(redisAddressOf('redis://127.0.0.1:6390')).toBe('redis://127.0.0.1:6390');
    expect(redisAddressOf('not a url')).toBe('(unreadable URL)');
  });

  it('answers 503 in the error shape with its own code when the store fails', () => {
    const error = new RateLimitUnavailableException();
    expect(error.getStatus()).toBe(503);
    expect(error.errorCode).toBe('rate_limit_unavailable');
    expect(error.message).toContain('RATE_LIMIT_REDIS_URL');
  });
});
