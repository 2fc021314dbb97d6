import { execFile } from 'node:child_process';
import { driver } from 'gremlin';
import { Redis } from 'ioredis';
import type { StartedTestContainer } from 'testcontainers';
import type { AllSettings } from '@app/settings';
import type { Discovered, DiscoveredJanusGraph } from './discovery';
import { findLocalJanusGraph, findLocalRedis, REDIS_SCRIPT } from './local-services';
import { containerImage } from './container-images';

/**
 * Images used when a container engine answers (Docker, or Podman's Docker API: see
 * docker/podman/README.md) and no endpoint is configured. They are built from this repository's
 * own files by docker/podman/build-images.sh; their names are in docker/images.env.
 */
export const JANUSGRAPH_IMAGE = containerImage('GB_JANUSGRAPH_IMAGE');
export const PULSAR_IMAGE = containerImage('GB_PULSAR_IMAGE');

const started: StartedTestContainer[] = [];

/** A fixed probe (no input in it) that reports versions once the graph is open. */
const JANUSGRAPH_PROBE =
  "'JanusGraph ' + org.janusgraph.graphdb.configuration.JanusGraphConstants.VERSION + ' (TinkerPop ' + org.apache.tinkerpop.gremlin.util.Gremlin.version() + ')'";

async function probeJanusGraph(url: string): Promise<string> {
  const client = new driver.Client(url, {
    traversalSource: 'g',
    mimeType: 'application/vnd.gremlin-v3.0+json',
  });
  try {
    const result = await Promise.race([
      client.submit(JANUSGRAPH_PROBE) as Promise<driver.ResultSet>,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no answer from ${url} within 10 s`)), 10000).unref(),
      ),
    ]);
    return String(result.first());
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function probePulsar(webUrl: string): Promise<string> {
  const clusters = await fetch(`${webUrl}/admin/v2/clusters`, {
    signal: AbortSignal.timeout(10000),
  });
  if (!clusters.ok) throw new Error(`GET ${webUrl}/admin/v2/clusters answered ${clusters.status}`);
  const version = await fetch(`${webUrl}/admin/v2/brokers/version`, {
    signal: AbortSignal.timeout(10000),
  });
  return `Pulsar ${version.ok ? (await version.text()).replace(/"/g, '') : 'unknown version'}`;
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** The graph schema (keys, labels, indexes) on a JanusGraph this discovery started. */
async function bootstrapContainerSchema(
  settings: AllSettings,
  host: string,
  port: number,
): Promise<void> {
  const { bootstrapSchema, JanusGraphClient } = await import('@app/janusgraph');
  const client = new JanusGraphClient({ ...settings.graph, host, port });
  try {
    await client.open();
    await bootstrapSchema(client);
  } finally {
    await client.close();
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function discoverJanusGraph(settings: AllSettings): Promise<DiscoveredJanusGraph> {
  if (settings.graph.backend === 'janusgraph') {
    const url = `${settings.graph.tls ? 'wss' : 'ws'}://${settings.graph.host}:${settings.graph.port}/gremlin`;
    // Configured but unreachable is an error, never a skip: the user asked for this server.
    try {
      const version = await probeJanusGraph(url);
      const local = findLocalJanusGraph(settings.graph.host, settings.graph.port);
      return {
        found: true,
        how: 'settings',
        url,
        version,
        ...(local ? { local, storage: local.storage } : {}),
      };
    } catch (error: unknown) {
      throw new Error(
        `GRAPH_BACKEND=janusgraph but ${url} does not answer: ${describeError(error)}`,
      );
    }
  }
  if (await dockerAvailable()) {
    const { Wait } = await import('testcontainers');
    const { LoopbackContainer } = await import('./loopback-container');
    // In-memory storage: each run starts from an empty graph and leaves nothing behind.
    const container = await new LoopbackContainer(JANUSGRAPH_IMAGE)
      .withEnvironment({ JANUSGRAPH_STORAGE: 'inmemory' })
      .withExposedPorts(8182)
      .loopbackOnly()
      .withWaitStrategy(Wait.forLogMessage(/Channel started at port 8182/))
      .withStartupTimeout(180000)
      .start();
    started.push(container);
    const url = `ws://${container.getHost()}:${container.getMappedPort(8182)}/gremlin`;
    // Create the schema once, as test/run-all.sh does for a server it starts: the suites'
    // own bootstrap then finds it in place and stays within their hook timeouts.
    await bootstrapContainerSchema(settings, container.getHost(), container.getMappedPort(8182));
    return {
      found: true,
      how: 'testcontainers',
      url,
      version: await probeJanusGraph(url),
      storage: 'inmemory',
    };
  }
  return {
    found: false,
    reason:
      'no endpoint configured (GRAPH_BACKEND=janusgraph) and no Docker engine for testcontainers. ' +
      'Run `npm run test:all` to start a real JanusGraph from Maven Central.',
  };
}

export async function discoverPulsar(settings: AllSettings): Promise<Discovered> {
  if (settings.streaming.backend === 'pulsar') {
    const url = settings.streaming.webUrl;
    try {
      return { found: true, how: 'settings', url, version: await probePulsar(url) };
    } catch (error: unknown) {
      throw new Error(
        `STREAMING_BACKEND=pulsar but ${url} does not answer: ${describeError(error)}`,
      );
    }
  }
  if (await dockerAvailable()) {
    const { Wait } = await import('testcontainers');
    const { LoopbackContainer } = await import('./loopback-container');
    const container = await new LoopbackContainer(PULSAR_IMAGE)
      .withEnvironment({ PULSAR_HEAP: '384m' })
      .withExposedPorts(6650, 8080)
      .loopbackOnly()
      .withWaitStrategy(Wait.forHttp('/admin/v2/clusters', 8080).forStatusCode(200))
      .withStartupTimeout(240000)
      .start();
    started.push(container);
    const url = `http://${container.getHost()}:${container.getMappedPort(8080)}`;
    return { found: true, how: 'testcontainers', url, version: await probePulsar(url) };
  }
  return {
    found: false,
    reason:
      'no endpoint configured (STREAMING_BACKEND=pulsar) and no Docker engine for testcontainers. ' +
      'Run `npm run test:all` to start a real Pulsar standalone from Maven Central.',
  };
}

export async function stopStartedContainers(): Promise<void> {
  await Promise.all(started.splice(0).map((container) => container.stop()));
}

/** Answers with the server's version once Redis answers PING. */
async function probeRedis(url: string): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    commandTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // reported by connect() or the command below
  try {
    await redis.connect();
    const info = await redis.info('server');
    const line = info.split('\r\n').find((entry) => entry.startsWith('redis_version:'));
    return `Redis ${line ? line.slice('redis_version:'.length) : 'unknown version'}`;
  } finally {
    redis.disconnect();
  }
}

/** The URL without user name and password, for the discovery report. */
export function redactedRedisUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

let startedLocalRedis = false;

function runRedisScript(command: 'start' | 'stop'): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', [REDIS_SCRIPT, command], { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`bash ${REDIS_SCRIPT} ${command} failed: ${stderr}`));
      else resolve();
    });
  });
}

function redisServerInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', 'command -v "${REDIS_SERVER:-redis-server}"'], (error) =>
      resolve(error === null),
    );
  });
}

/**
 * Redis for the shared rate-limit tests: RATE_LIMIT_REDIS_URL when set (unreachable is an
 * error), else the one docker/local/redis/service.sh runs, else one that script starts now
 * (stopped again after the tests) when redis-server is installed.
 */
export async function discoverRedis(settings: AllSettings): Promise<Discovered> {
  const configured = settings.security.rateLimitRedisUrl;
  if (configured !== undefined) {
    try {
      return {
        found: true,
        how: 'settings',
        url: configured,
        version: await probeRedis(configured),
      };
    } catch (error: unknown) {
      throw new Error(
        `RATE_LIMIT_REDIS_URL is set but Redis at ${redactedRedisUrl(configured)} does not answer: ${describeError(error)}`,
      );
    }
  }
  let local = findLocalRedis();
  if (!local && (await redisServerInstalled())) {
    await runRedisScript('start');
    startedLocalRedis = true;
    local = findLocalRedis();
  }
  if (local) {
    const url = `redis://127.0.0.1:${local.port}`;
    return { found: true, how: 'local-script', url, version: await probeRedis(url) };
  }
  return {
    found: false,
    reason:
      'RATE_LIMIT_REDIS_URL is not set and redis-server is not installed (Debian/Ubuntu: sudo apt-get install redis-server; the tests then start it with docker/local/redis/service.sh).',
  };
}

/** Stops the Redis that discovery started (one started by services.sh keeps running). */
export async function stopStartedRedis(): Promise<void> {
  if (!startedLocalRedis) return;
  startedLocalRedis = false;
  await runRedisScript('stop');
}
