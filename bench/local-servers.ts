/**
 * The server processes the docker/local scripts started under a services folder, found through
 * their pid and port files, so that benchmarks can read their CPU time and memory from /proc.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A whole number stored in a file, or undefined when the file is missing or holds none. */
export function readNumber(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const value = Number(readFileSync(path, 'utf8').trim());
  return Number.isSafeInteger(value) ? value : undefined;
}

/** True while process `pid` runs on this machine. */
export const alive = (pid: number): boolean => existsSync(`/proc/${pid}/stat`);

/**
 * The JanusGraph server started by docker/local/janusgraph/service.sh under `servicesDir` when it
 * runs and listens on `port`; undefined otherwise.
 */
export function localJanusGraphPid(servicesDir: string, port: number): number | undefined {
  const runtime = join(servicesDir, 'janusgraph');
  const pid = readNumber(join(runtime, 'pid'));
  if (pid === undefined || readNumber(join(runtime, 'port')) !== port || !alive(pid))
    return undefined;
  return pid;
}

/** Running Cassandra nodes started by docker/local/cassandra/service.sh under `servicesDir`. */
export function cassandraPids(servicesDir: string): number[] {
  const runtime = join(servicesDir, 'cassandra');
  if (!existsSync(runtime)) return [];
  return readdirSync(runtime)
    .filter((name) => name.startsWith('node-'))
    .map((name) => readNumber(join(runtime, name, 'pid')))
    .filter((pid): pid is number => pid !== undefined && alive(pid));
}

/** The Pulsar broker started by docker/local/pulsar/service.sh under `servicesDir`, if running. */
export function pulsarPid(servicesDir: string): number | undefined {
  const pid = readNumber(join(servicesDir, 'pulsar', 'pid'));
  return pid !== undefined && alive(pid) ? pid : undefined;
}
