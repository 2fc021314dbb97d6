import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Finds the servers that the repository's own scripts (docker/local/<service>/service.sh)
 * started, from the files those scripts keep in their runtime folders: `pid`, `port` and
 * `instance` (key=value lines). Tests that stop or restart a server (restart, node loss) need
 * to know that the server is one of these, and how to reach its script.
 */

export const REPO_ROOT = join(__dirname, '..', '..', '..');
const JANUSGRAPH_SCRIPT = join(REPO_ROOT, 'docker', 'local', 'janusgraph', 'service.sh');
const CASSANDRA_SCRIPT = join(REPO_ROOT, 'docker', 'local', 'cassandra', 'service.sh');
const PULSAR_SCRIPT = join(REPO_ROOT, 'docker', 'local', 'pulsar', 'service.sh');
export const REDIS_SCRIPT = join(REPO_ROOT, 'docker', 'local', 'redis', 'service.sh');

export type JanusGraphStorage = 'berkeleyje' | 'cql' | 'inmemory';

export interface CqlStorage {
  hosts: string[];
  port: number;
  keyspace: string;
  replicationFactor: number;
  readConsistency: string;
  writeConsistency: string;
}

/** A Cassandra node started by docker/local/cassandra/service.sh. */
export interface LocalCassandraNode {
  node: number;
  address: string;
  nativePort: number;
}

export interface LocalCassandra {
  script: string;
  /** The SERVICES_DIR the nodes were started with (pass it as SERVICES_DIR to the script). */
  servicesDir: string;
  nodes: LocalCassandraNode[];
}

/** A JanusGraph started by docker/local/janusgraph/service.sh. */
export interface LocalJanusGraph {
  script: string;
  /** Pass as `--services-dir` to the script (restart, stop, wipe act on this instance). */
  servicesDir: string;
  storage: JanusGraphStorage;
  cql?: CqlStorage;
  /** The Cassandra nodes under the local scripts that hold this graph (cql storage only). */
  cassandra?: LocalCassandra;
}

function readKeyValues(file: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return values;
}

function readNumber(file: string): number | undefined {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Service folders the scripts may have used: `.services` and the folders one level below it. */
function candidateServiceDirs(): string[] {
  const root = join(REPO_ROOT, '.services');
  if (!existsSync(root)) return [];
  const nested = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name));
  return [root, ...nested];
}

function isStorage(value: string | undefined): value is JanusGraphStorage {
  return value === 'berkeleyje' || value === 'cql' || value === 'inmemory';
}

function cqlStorageOf(values: Map<string, string>): CqlStorage | undefined {
  const hosts = values.get('cql_hosts');
  const port = Number(values.get('cql_port'));
  const keyspace = values.get('cql_keyspace');
  const replicationFactor = Number(values.get('cql_replication_factor'));
  const readConsistency = values.get('cql_read_consistency');
  const writeConsistency = values.get('cql_write_consistency');
  if (!hosts || !keyspace || !readConsistency || !writeConsistency) return undefined;
  if (!Number.isInteger(port) || !Number.isInteger(replicationFactor)) return undefined;
  return {
    hosts: hosts.split(',').map((host) => host.trim()),
    port,
    keyspace,
    replicationFactor,
    readConsistency,
    writeConsistency,
  };
}

/** Running Cassandra nodes of the local scripts that serve `cql` (same port, one of its hosts). */
function findLocalCassandra(cql: CqlStorage): LocalCassandra | undefined {
  for (const servicesDir of candidateServiceDirs()) {
    const runtime = join(servicesDir, 'cassandra');
    if (!existsSync(runtime)) continue;
    const nodes: LocalCassandraNode[] = [];
    for (const entry of readdirSync(runtime)) {
      const match = /^node-(\d+)$/.exec(entry);
      if (!match) continue;
      const node = Number(match[1]);
      const instance = join(runtime, entry, 'instance');
      const pid = readNumber(join(runtime, entry, 'pid'));
      if (!existsSync(instance) || pid === undefined || !processAlive(pid)) continue;
      const nativePort = Number(readKeyValues(instance).get('native_port'));
      const address = `127.0.0.${node}`;
      if (nativePort === cql.port && cql.hosts.includes(address)) {
        nodes.push({ node, address, nativePort });
      }
    }
    if (nodes.length > 0) {
      nodes.sort((a, b) => a.node - b.node);
      return { script: CASSANDRA_SCRIPT, servicesDir, nodes };
    }
  }
  return undefined;
}

/**
 * The local-scripts JanusGraph listening on `port` of a loopback host, or undefined when the
 * server there was started some other way (Docker, testcontainers, a remote server).
 */
export function findLocalJanusGraph(host: string, port: number): LocalJanusGraph | undefined {
  if (host !== '127.0.0.1' && host !== 'localhost') return undefined;
  for (const servicesDir of candidateServiceDirs()) {
    const runtime = join(servicesDir, 'janusgraph');
    const pid = readNumber(join(runtime, 'pid'));
    if (pid === undefined || !processAlive(pid)) continue;
    if (readNumber(join(runtime, 'port')) !== port) continue;
    const instanceFile = join(runtime, 'instance');
    // Instances started before the storage selector existed were in-memory.
    const values = existsSync(instanceFile)
      ? readKeyValues(instanceFile)
      : new Map<string, string>();
    const storage = values.get('storage') ?? 'inmemory';
    if (!isStorage(storage)) return undefined;
    const local: LocalJanusGraph = { script: JANUSGRAPH_SCRIPT, servicesDir, storage };
    if (storage === 'cql') {
      local.cql = cqlStorageOf(values);
      if (local.cql) local.cassandra = findLocalCassandra(local.cql);
    }
    return local;
  }
  return undefined;
}

/** A Redis started by docker/local/redis/service.sh. */
export interface LocalRedis {
  script: string;
  servicesDir: string;
  port: number;
}

/** The running Redis of docker/local/redis/service.sh, if any. */
export function findLocalRedis(): LocalRedis | undefined {
  for (const servicesDir of candidateServiceDirs()) {
    const runtime = join(servicesDir, 'redis');
    const pid = readNumber(join(runtime, 'pid'));
    const port = readNumber(join(runtime, 'port'));
    if (pid === undefined || port === undefined || !processAlive(pid)) continue;
    return { script: REDIS_SCRIPT, servicesDir, port };
  }
  return undefined;
}

/** A Pulsar standalone started by docker/local/pulsar/service.sh. */
export interface LocalPulsar {
  script: string;
  /** Pass as `--services-dir` to the script (restart and stop act on this instance). */
  servicesDir: string;
  webPort: number;
}

/**
 * The local-scripts Pulsar whose HTTP (admin and WebSocket) port is `port` on a loopback host,
 * or undefined when the broker there was started some other way. The script writes the ports
 * it started with into `standalone.conf` of its runtime folder.
 */
export function findLocalPulsar(host: string, port: number): LocalPulsar | undefined {
  if (host !== '127.0.0.1' && host !== 'localhost') return undefined;
  for (const servicesDir of candidateServiceDirs()) {
    const runtime = join(servicesDir, 'pulsar');
    const pid = readNumber(join(runtime, 'pid'));
    const conf = join(runtime, 'standalone.conf');
    if (pid === undefined || !processAlive(pid) || !existsSync(conf)) continue;
    if (Number(readKeyValues(conf).get('webServicePort')) !== port) continue;
    return { script: PULSAR_SCRIPT, servicesDir, webPort: port };
  }
  return undefined;
}
