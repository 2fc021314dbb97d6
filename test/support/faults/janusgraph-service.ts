import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAllSettings } from '@app/settings';
import type { JanusGraphEndpoint } from '../services/with-services';
import { REPO_ROOT } from './ingest-process';

/** The script that runs the local JanusGraph (`docker/local/janusgraph/service.sh`). */
export const JANUSGRAPH_SERVICE_SCRIPT = join(
  REPO_ROOT,
  'docker',
  'local',
  'janusgraph',
  'service.sh',
);

/**
 * The JanusGraph server started by the local services script, on 127.0.0.1:`port`. The script
 * runs with the test run's own environment (its SERVICES_DIR, JAVA_HOME, PATH), and with
 * JANUSGRAPH_PORT set to the port the test found JanusGraph on.
 */
export class LocalJanusGraphService {
  constructor(readonly port: number) {}

  /** Restarts the server (stop, then start and wait for readiness); rejects with its output. */
  async restart(): Promise<string> {
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve, reject) => {
        const child = spawn('env', this.command('restart'), {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const chunks: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
        child.once('error', reject);
        child.once('close', (exitCode) =>
          resolve({ code: exitCode, output: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    if (code !== 0) {
      throw new Error(`service.sh restart failed (exit ${code}):\n${output.trim()}`);
    }
    return output;
  }

  /**
   * Undefined when the JanusGraph on `port` is the one the script runs, so a test may restart
   * it; otherwise why not. Synchronous: it decides whether a `describe` block runs.
   */
  notManagedReason(host: string): string | undefined {
    if (host !== '127.0.0.1' && host !== 'localhost') {
      return `JanusGraph is at ${host}, not on this machine`;
    }
    const status = spawnSync('env', this.command('status'), { cwd: REPO_ROOT, encoding: 'utf8' });
    const output = `${status.stdout ?? ''}${status.stderr ?? ''}`.trim();
    if (status.status === 0 && output.includes(`ws://127.0.0.1:${this.port}/gremlin`)) {
      return undefined;
    }
    return `the JanusGraph on port ${this.port} is not the one docker/local/janusgraph/service.sh runs (its status: ${output || status.error?.message || 'no answer'})`;
  }

  /** `env JANUSGRAPH_PORT=<port> bash service.sh <command>`: sets the port, keeps the rest. */
  private command(command: 'status' | 'restart'): string[] {
    return [`JANUSGRAPH_PORT=${this.port}`, 'bash', JANUSGRAPH_SERVICE_SCRIPT, command];
  }
}

/**
 * `describe` for tests that restart JanusGraph with the local services script. Skipped, with
 * the reason in its title, when the JanusGraph found is not that one (testcontainers, a remote
 * server); with CI=true that is a failure instead, as for a missing service.
 */
export function describeWithLocalJanusGraph(
  title: string,
  endpoint: JanusGraphEndpoint,
  body: (service: LocalJanusGraphService) => void,
): void {
  const service = new LocalJanusGraphService(endpoint.port);
  const reason = service.notManagedReason(endpoint.host);
  if (reason === undefined) {
    describe(title, () => body(service));
  } else if (loadAllSettings().app.ci) {
    describe(title, () => {
      it('needs the JanusGraph of docker/local/janusgraph/service.sh', () => {
        throw new Error(
          `CI=true but ${reason}. In CI a missing service is a failure, not a skip: run the tests with npm run test:all.`,
        );
      });
    });
  } else {
    describe.skip(`${title} (skipped: ${reason})`, () => {
      it('needs the JanusGraph of docker/local/janusgraph/service.sh', () => undefined);
    });
  }
}
