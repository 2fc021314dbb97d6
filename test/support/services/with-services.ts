import { readDiscovery } from './discovery';
import { findLocalPulsar } from './local-services';
import type { LocalJanusGraph, LocalPulsar } from './local-services';

export interface JanusGraphEndpoint {
  url: string;
  host: string;
  port: number;
}

export interface PulsarEndpoint {
  webUrl: string;
  host: string;
  port: number;
}

/**
 * `describe` for tests that need a real JanusGraph. When none was found the block is skipped
 * and its title says why (CI never gets here: global setup fails the run instead).
 */
export function describeWithJanusGraph(
  title: string,
  body: (endpoint: JanusGraphEndpoint) => void,
): void {
  const found = readDiscovery().janusgraph;
  if (!found.found) {
    describe.skip(`${title} (skipped: ${found.reason})`, () => {
      it('needs a real JanusGraph', () => undefined);
    });
    return;
  }
  const url = new URL(found.url);
  describe(title, () => body({ url: found.url, host: url.hostname, port: Number(url.port) }));
}

/** `describe` for tests that need a real Pulsar broker (WebSocket and admin API on webUrl). */
export function describeWithPulsar(title: string, body: (endpoint: PulsarEndpoint) => void): void {
  const found = readDiscovery().pulsar;
  if (!found.found) {
    describe.skip(`${title} (skipped: ${found.reason})`, () => {
      it('needs a real Pulsar broker', () => undefined);
    });
    return;
  }
  const url = new URL(found.url);
  describe(title, () => body({ webUrl: found.url, host: url.hostname, port: Number(url.port) }));
}

export interface RedisEndpoint {
  /** redis:// or rediss:// URL, possibly with a password: do not print it. */
  url: string;
  host: string;
  port: number;
}

/** `describe` for tests that need a real Redis (shared rate-limit counters). */
export function describeWithRedis(title: string, body: (endpoint: RedisEndpoint) => void): void {
  const found = readDiscovery().redis ?? {
    found: false,
    reason: 'service discovery ran before Redis was added to it; run the tests again',
  };
  if (!found.found) {
    describe.skip(`${title} (skipped: ${found.reason})`, () => {
      it('needs a real Redis', () => undefined);
    });
    return;
  }
  const url = new URL(found.url);
  describe(title, () =>
    body({ url: found.url, host: url.hostname, port: Number(url.port || '6379') }),
  );
}

/**
 * The block of a test that must restart `server` when the server found at `url` was started
 * some other way: a failure with CI=true, else a skip whose title says why.
 */
function notStartedByScripts(
  title: string,
  server: string,
  url: string,
  folder: string,
  ci: boolean,
): void {
  const reason =
    `${server} at ${url} was not started by docker/local/${folder}/service.sh, so this test ` +
    'cannot restart it. Run it with `npm run test:all`, which starts the servers with those scripts.';
  if (ci) {
    describe(title, () => {
      it(`runs on a ${server} started by the local scripts (CI=true)`, () => {
        throw new Error(reason);
      });
    });
  } else {
    describe.skip(`${title} (skipped: ${reason})`, () => {
      it(`needs a ${server} started by the local scripts`, () => undefined);
    });
  }
}

/** A JanusGraph that the repository's scripts started, so a test may restart it. */
export interface LocalJanusGraphEndpoint extends JanusGraphEndpoint {
  local: LocalJanusGraph;
}

/**
 * `describe` for tests that stop or restart JanusGraph (or its Cassandra nodes) through
 * docker/local/*\/service.sh. They run only on a server those scripts started; with CI=true any
 * other server is a failure, not a skip. `requires` may name what else the test needs (for
 * example two Cassandra nodes); when it returns a reason the block is skipped with it.
 */
export function describeWithLocalJanusGraph(
  title: string,
  body: (endpoint: LocalJanusGraphEndpoint) => void,
  requires: (local: LocalJanusGraph) => string | undefined = () => undefined,
): void {
  const discovery = readDiscovery();
  const found = discovery.janusgraph;
  if (!found.found) {
    describe.skip(`${title} (skipped: ${found.reason})`, () => {
      it('needs a real JanusGraph', () => undefined);
    });
    return;
  }
  const url = new URL(found.url);
  const endpoint = { url: found.url, host: url.hostname, port: Number(url.port) };
  if (!found.local) {
    notStartedByScripts(title, 'JanusGraph', found.url, 'janusgraph', discovery.ci === true);
    return;
  }
  const missing = requires(found.local);
  if (missing !== undefined) {
    describe.skip(`${title} (skipped: ${missing})`, () => {
      it('needs another service layout', () => undefined);
    });
    return;
  }
  const local = found.local;
  describe(title, () => body({ ...endpoint, local }));
}

/** A Pulsar broker that the repository's scripts started, so a test may restart it. */
export interface LocalPulsarEndpoint extends PulsarEndpoint {
  local: LocalPulsar;
}

/**
 * `describe` for tests that stop or restart Pulsar through docker/local/pulsar/service.sh. They
 * run only on a broker that script started; with CI=true any other broker is a failure, not a
 * skip.
 */
export function describeWithLocalPulsar(
  title: string,
  body: (endpoint: LocalPulsarEndpoint) => void,
): void {
  const discovery = readDiscovery();
  const found = discovery.pulsar;
  if (!found.found) {
    describe.skip(`${title} (skipped: ${found.reason})`, () => {
      it('needs a real Pulsar broker', () => undefined);
    });
    return;
  }
  const url = new URL(found.url);
  const endpoint = { webUrl: found.url, host: url.hostname, port: Number(url.port) };
  const local = findLocalPulsar(endpoint.host, endpoint.port);
  if (!local) {
    notStartedByScripts(title, 'Pulsar', found.url, 'pulsar', discovery.ci === true);
    return;
  }
  describe(title, () => body({ ...endpoint, local }));
}

export {
  cassandraService,
  janusGraphService,
  janusGraphServiceWith,
  previousJanusGraphLogLines,
  pulsarService,
} from './service-scripts';
export type { ScriptOutput } from './service-scripts';
export type { CqlStorage, LocalCassandra, LocalJanusGraph, LocalPulsar } from './local-services';
