import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processEnv } from '@app/settings';
import type { LocalCassandra, LocalJanusGraph, LocalPulsar } from './local-services';

/** What a service script printed; it exits non-zero when the service did not do what was asked. */
export interface ScriptOutput {
  stdout: string;
  stderr: string;
}

/** Longest a start or restart may take (Maven is not needed: the classpath is cached). */
const SCRIPT_TIMEOUT_MS = 6 * 60_000;

function runScript(
  script: string,
  args: readonly string[],
  env?: Readonly<Record<string, string>>,
): Promise<ScriptOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, ...args],
      {
        timeout: SCRIPT_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        // The test's own environment, with `env` on top (settings the script reads at a start).
        ...(env === undefined ? {} : { env: { ...processEnv(), ...env } }),
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(`bash ${script} ${args.join(' ')} failed: ${error.message}\n${stderr}`, {
              cause: error,
            }),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/** Runs docker/local/janusgraph/service.sh on the instance discovery found (`restart`, `stop`, ...). */
export function janusGraphService(
  local: LocalJanusGraph,
  ...command: readonly string[]
): Promise<ScriptOutput> {
  return runScript(local.script, ['--services-dir', local.servicesDir, ...command]);
}

/** `janusGraphService` with settings of the script on top of the test's environment. */
export function janusGraphServiceWith(
  local: LocalJanusGraph,
  env: Readonly<Record<string, string>>,
  ...command: readonly string[]
): Promise<ScriptOutput> {
  return runScript(local.script, ['--services-dir', local.servicesDir, ...command], env);
}

/** The start of a JanusGraph log entry: its timestamp (`2026-12-06 10:21:35.430 WARN ...`). */
const LOG_ENTRY_START = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/;
/**
 * Gremlin Server logs the whole text of a script whose compilation was slow (on a busy machine,
 * conf/init.groovy, which holds the phrases a stop's problems are logged with): not a problem.
 */
const SLOW_SCRIPT_COMPILATION = 'GremlinGroovyScriptEngine - Script compilation';

/**
 * The lines of the JanusGraph server's log from its run before the last start (service.sh keeps
 * it as `janusgraph.log.prev`) that contain any of `phrases` (plain text, not patterns). After a
 * restart, that is the log of the stop. Lines of an entry that quotes a slowly compiled script
 * are left out.
 */
export async function previousJanusGraphLogLines(
  local: LocalJanusGraph,
  phrases: readonly string[],
): Promise<string[]> {
  const log = await readFile(
    join(local.servicesDir, 'janusgraph', 'logs', 'janusgraph.log.prev'),
    'utf8',
  );
  const found: string[] = [];
  let quotingScript = false;
  for (const line of log.split('\n')) {
    if (LOG_ENTRY_START.test(line)) quotingScript = line.includes(SLOW_SCRIPT_COMPILATION);
    if (!quotingScript && phrases.some((phrase) => line.includes(phrase))) found.push(line);
  }
  return found;
}

/** Runs docker/local/cassandra/service.sh on some nodes (`kill 2`, `start 2`, ...). */
export function cassandraService(
  cassandra: LocalCassandra,
  command: string,
  nodes: readonly number[],
): Promise<ScriptOutput> {
  return runScript(cassandra.script, [
    '--services-dir',
    cassandra.servicesDir,
    command,
    ...nodes.map(String),
  ]);
}

/**
 * Runs docker/local/pulsar/service.sh on the broker a test found (`restart`, `stop`, ...), with
 * the command's options after it (`restart --kill`).
 */
export function pulsarService(
  local: LocalPulsar,
  command: string,
  ...options: string[]
): Promise<ScriptOutput> {
  return runScript(local.script, ['--services-dir', local.servicesDir, command, ...options]);
}
