import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const wrapper = join(root, 'docker/podman/compose.sh');

/**
 * docker/podman/compose.sh, run against a stand-in `docker` that prints the arguments it gets:
 * what the wrapper really passes to compose, without a container engine.
 */
describe('docker/podman/compose.sh', () => {
  let bin: string;

  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'compose-wrapper-'));
    const fake = join(bin, 'docker');
    writeFileSync(fake, '#!/bin/sh\nprintf "%s\\n" "$*"\n');
    chmodSync(fake, 0o755);
  });

  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  function run(args: string[], env: Record<string, string> = {}) {
    const result = spawnSync('bash', [wrapper, ...args], {
      encoding: 'utf8',
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        HOME: bin,
        GB_COMPOSE: 'docker',
        GB_PODMAN_RUN_DIR: join(bin, 'run'),
        ...env,
      },
    });
    const compose = result.stdout.trim().split(' -f ')[1]?.split(' ').slice(1).join(' ');
    return { status: result.status, compose, stderr: result.stderr };
  }

  it.each([
    [['down', '-v'], 'down -t 60 -v'],
    [['stop', 'ingest'], 'stop -t 60 ingest'],
    [['restart'], 'restart -t 60'],
  ])('gives containers 60 s to stop on SIGTERM: %j', (args, expected) => {
    expect(run(args).compose).toBe(expected);
  });

  it('keeps a timeout the caller chose, in either spelling', () => {
    expect(run(['down', '-t', '5']).compose).toBe('down -t 5');
    expect(run(['stop', '--timeout=3', 'api']).compose).toBe('stop --timeout=3 api');
  });

  it('takes the grace period from GB_STOP_SECONDS', () => {
    expect(run(['down'], { GB_STOP_SECONDS: '120' }).compose).toBe('down -t 120');
  });

  it('leaves other commands alone', () => {
    expect(run(['up', '-d']).compose).toBe('up -d');
    expect(run(['logs', 'api']).compose).toBe('logs api');
  });

  it('refuses a grace period that is not a whole number of seconds, naming the variable', () => {
    const result = run(['down'], { GB_STOP_SECONDS: '1m' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("GB_STOP_SECONDS must be a whole number of seconds (got '1m')");
  });
});
