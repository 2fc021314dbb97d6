import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { GENERATOR_VERSION } from '@app/generators';
import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings, type StreamingConfig } from '@app/settings';
import {
  type BrokerMessage,
  decodeEntityMessage,
  decodeMovementMessage,
  MemoryBroker,
  MessageBroker,
  type PublishedMessage,
  PulsarDatasetSink,
  type Subscription,
} from '@app/streaming';
import { StreamUnavailableError } from '@app/vocabulary';
import { createSeederProgram } from '../seeder.program';
import type { PulsarSinkFactory, SeederContext } from './generate.command';

/** A broker port whose Pulsar does not answer (as the WebSocket adapter reports it). */
class UnreachableBroker extends MessageBroker {
  readonly kind = 'pulsar-websocket' as const;
  closed = false;
  private readonly names = new MemoryBroker();

  topicName(topic: string): string {
    return this.names.topicName(topic);
  }
  private unavailable(): StreamUnavailableError {
    return new StreamUnavailableError(
      'Pulsar does not answer at http://127.0.0.1:38999: fetch failed',
      { url: 'http://127.0.0.1:38999' },
      { cause: new Error('connect ECONNREFUSED 127.0.0.1:38999') },
    );
  }
  publish(): Promise<PublishedMessage[]> {
    return Promise.reject(this.unavailable());
  }
  subscribe(): Promise<Subscription> {
    return Promise.reject(this.unavailable());
  }
  readAll(): Promise<BrokerMessage[]> {
    return Promise.reject(this.unavailable());
  }
  ping(): Promise<void> {
    return Promise.reject(this.unavailable());
  }
  close(): Promise<void> {
    this.closed = true;
    return this.names.close();
  }
}

describe('seeder generate', () => {
  let work: string;
  let printed: string[];
  let errors: string[];
  let boots: { graph: boolean }[];
  let store: MemoryGraphStore;
  let closed: number;
  let broker: MemoryBroker;
  let pulsarSinks: { config: StreamingConfig; batchSize: number }[];
  /** The `--sink pulsar` factory: a sink on `broker` (the memory broker stands in for Pulsar). */
  let pulsarSink: PulsarSinkFactory;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'seeder-generate-spec-'));
    printed = [];
    errors = [];
    boots = [];
    store = new MemoryGraphStore();
    closed = 0;
    broker = new MemoryBroker();
    pulsarSinks = [];
    pulsarSink = (config, options) => {
      pulsarSinks.push({ config, batchSize: options.batchSize });
      return new PulsarDatasetSink({
        broker,
        entitiesTopic: config.entitiesTopic,
        movementsTopic: config.movementsTopic,
        batchSize: options.batchSize,
      });
    };
  });
  afterEach(async () => {
    await broker.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs the CLI with settings from `env` (as the real boot would read them) and a memory store. */
  async function run(args: string[], env: Record<string, string> = {}): Promise<void> {
    const settings = loadAllSettings({
      SEEDER_PROFILE: 'tiny',
      SEEDER_OUTPUT_DIR: join(work, 'default'),
      ...env,
    });
    const program = createSeederProgram({
      boot: (options) => {
        boots.push(options);
        const context: SeederContext = {
          seeder: settings.seeder,
          detectors: settings.detectors,
          graph: settings.graph,
          streaming: settings.streaming,
          graphStore: options.graph ? store : undefined,
          close: () => {
            closed++;
            return Promise.resolve();
          },
        };
        return Promise.resolve(context);
      },
      print: (line) => printed.push(line),
      pulsarSink: (config, options) => pulsarSink(config, options),
    });
    program.configureOutput({
      writeOut: (text) => printed.push(text),
      writeErr: (text) => errors.push(text),
    });
    await program.parseAsync(['node', 'seeder', ...args]);
  }

  async function failure(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<CommanderError> {
    try {
      await run(args, env);
    } catch (error: unknown) {
      if (error instanceof CommanderError) return error;
      throw error;
    }
    throw new Error(`expected ${args.join(' ')} to fail`);
  }

  it('writes JSON lines, the ground truth and a manifest, and prints counts per label and typology', async () => {
    const out = join(work, 'bank');
    await run(['generate', '--profile', 'tiny', '--seed', '7', '--out', out]);
    expect(readdirSync(out).sort()).toEqual([
      'edges.jsonl',
      'ground-truth.jsonl',
      'manifest.json',
      'vertices.jsonl',
    ]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      seed: number;
      profile: string;
      counts: { edges: { TRANSFERRED: number } };
    };
    expect(manifest).toMatchObject({ seed: 7, profile: 'tiny', version: GENERATOR_VERSION });
    const movements = readFileSync(join(out, 'edges.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"TRANSFERRED"')).length;
    expect(manifest.counts.edges.TRANSFERRED).toBe(movements);
    const text = printed.join('\n');
    expect(text).toContain('Generated the tiny bank (seed 7, 90 days up to 2025-01-01T00:00:00Z)');
    expect(text).toMatch(
      new RegExp(`TRANSFERRED \\(edge\\)\\s+${movements.toLocaleString('en-US')}`),
    );
    expect(text).toMatch(/ubo-cycle\s+1\s+0/);
    expect(boots).toEqual([{ graph: false }]);
    expect(closed).toBe(1);
  });

  it('grafts the attempts of an AMLworld patterns file with --inject-patterns, with their ground truth', async () => {
    const out = join(work, 'injected');
    const patterns = join(
      __dirname,
      '../../../../libs/generators/src/injection/fixtures/mini-inject_Patterns.txt',
    );
    await run([
      'generate',
      '--profile',
      'tiny',
      '--days',
      '30',
      '--inject-patterns',
      patterns,
      '--out',
      out,
    ]);
    const records = readFileSync(join(out, 'ground-truth.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { instanceId: string; source: string; movements: string[] });
    const injected = records.filter((r) => r.source === 'amlworld');
    expect(injected.map((r) => r.instanceId)).toEqual([
      'amlworld-mini-inject-0001',
      'amlworld-mini-inject-0002',
      'amlworld-mini-inject-0003',
    ]);
    const edges = readFileSync(join(out, 'edges.jsonl'), 'utf8');
    for (const eid of injected.flatMap((r) => r.movements)) expect(edges).toContain(`"${eid}"`);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      injectPatterns: { file: string; attempts: number; movements: number; sha256: string };
    };
    expect(manifest.injectPatterns).toMatchObject({
      file: 'mini-inject_Patterns.txt',
      attempts: 3,
      movements: 11,
    });
    expect(manifest.injectPatterns.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(printed.join('\n')).toContain(
      'Injected 3 laundering attempts from mini-inject_Patterns.txt: 11 movements between 12 customer accounts',
    );
  });

  it('refuses a bad patterns file naming its line and rule, and writes nothing', async () => {
    const patterns = join(work, 'bad_Patterns.txt');
    writeFileSync(
      patterns,
      'BEGIN LAUNDERING ATTEMPT - FAN-IN\r\n2022/09/01 00:29,001,A1,002,B2,1.00,Euro,1.00,Euro,Telepathy,1\r\n',
    );
    const out = join(work, 'never');
    const error = await failure(['generate', '--inject-patterns', patterns, '--out', out]);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('bad_Patterns.txt line 2');
    expect(error.message).toContain('Payment Format');
    expect(existsSync(out)).toBe(false);
  });

  it('takes defaults from the seeder settings when options are left out', async () => {
    await run(['generate'], {
      SEEDER_SEED: '123',
      SEEDER_DAYS: '30',
      SEEDER_REFERENCE_TIME: '2024-06-01T00:00:00Z',
    });
    const manifest = JSON.parse(
      readFileSync(join(work, 'default', 'manifest.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      profile: 'tiny',
      seed: 123,
      days: 30,
      referenceTime: '2024-06-01T00:00:00Z',
    });
  });

  it('uses the detectors settings for the injected thresholds', async () => {
    await run(['generate', '--out', join(work, 'eu')], {
      DETECTORS_CASH_REPORTING_THRESHOLD: '15000.00',
      DETECTORS_HIGH_RISK_JURISDICTIONS: 'IR',
    });
    const records = readFileSync(join(work, 'eu', 'ground-truth.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { typology: string; parameters: Record<string, unknown> });
    expect(records.find((r) => r.typology === 'structuring')?.parameters.threshold).toBe(
      '15000.00 USD',
    );
    expect(records.find((r) => r.typology === 'high-risk-jurisdiction')?.parameters.country).toBe(
      'IR',
    );
  });

  it('refuses an existing output folder without --overwrite (exit code 2) and leaves it untouched', async () => {
    const out = join(work, 'taken');
    await run(['generate', '--out', out, '--seed', '1']);
    const earlier = readFileSync(join(out, 'manifest.json'), 'utf8');
    const error = await failure(['generate', '--out', out]);
    expect(error.exitCode).toBe(2);
    expect(errors.join('')).toContain('already exists');
    expect(errors.join('')).toContain('--overwrite');
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(earlier);
    await run(['generate', '--out', out, '--overwrite', '--sink', 'csv']);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).not.toBe(earlier);
    expect(existsSync(join(out, 'vertices.jsonl'))).toBe(false);
    await run(['generate', '--out', out, '--overwrite']);
    expect(existsSync(join(out, 'vertices.jsonl'))).toBe(true);
  });

  it('--overwrite (or SEEDER_OVERWRITE) never replaces a folder the seeder did not write, nor one that holds --inject-patterns', async () => {
    const out = join(work, 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    let error = await failure(['generate', '--out', out, '--overwrite']);
    expect(error.exitCode).toBe(2);
    expect(errors.join('')).toContain(
      `--overwrite refused to replace the output folder ${out}: it holds keep.txt, which the seeder did not write there`,
    );
    error = await failure(['generate'], { SEEDER_OUTPUT_DIR: out, SEEDER_OVERWRITE: 'true' });
    expect(error.exitCode).toBe(2);
    expect(readdirSync(out)).toEqual(['keep.txt']);

    const patterns = join(out, 'mini-inject_Patterns.txt');
    writeFileSync(
      patterns,
      readFileSync(
        join(
          __dirname,
          '../../../../libs/generators/src/injection/fixtures/mini-inject_Patterns.txt',
        ),
      ),
    );
    rmSync(join(out, 'keep.txt'));
    error = await failure(['generate', '--inject-patterns', patterns, '--out', out, '--overwrite']);
    expect(error.exitCode).toBe(2);
    expect(errors.join('')).toContain(`it holds --inject-patterns ${patterns}`);
    expect(readdirSync(out)).toEqual(['mini-inject_Patterns.txt']);
    expect(boots).toHaveLength(3);
  });

  it.each([
    [
      ['--seed', 'abc'],
      "option '--seed <n>' argument 'abc' is invalid. must be a whole number between 0 and 4294967295",
    ],
    [['--seed', '4294967296'], 'must be a whole number between 0 and 4294967295'],
    [
      ['--profile', 'huge'],
      "option '--profile <name>' argument 'huge' is invalid. Allowed choices are tiny, small, medium, large.",
    ],
    [
      ['--days', '0'],
      "option '--days <n>' argument '0' is invalid. must be a whole number of days between 30 and 3650",
    ],
    [
      ['--reference-time', '2025-13-45'],
      'must be an ISO 8601 timestamp such as 2025-01-01T00:00:00Z',
    ],
    [
      ['--reference-time', '2025-02-30T00:00:00Z'],
      "option '--reference-time <iso>' argument '2025-02-30T00:00:00Z' is invalid. not a real calendar date and time",
    ],
    [['--sink', 'parquet'], 'Allowed choices are jsonl, csv, graph, pulsar.'],
    [['--batch-size', '0'], "option '--batch-size <n>' argument '0' is invalid"],
    [['--out', ' '], "option '--out <dir>' argument ' ' is invalid. must not be empty"],
    [['--frobnicate'], "unknown option '--frobnicate'"],
  ])(
    'rejects %j naming the option and the rule, before generating anything',
    async (args, message) => {
      const error = await failure(['generate', ...args]);
      expect(error.exitCode).not.toBe(0);
      expect(errors.join('')).toContain(message);
      expect(boots).toEqual([]);
      expect(existsSync(join(work, 'default'))).toBe(false);
    },
  );

  it('writes CSV files, one per label', async () => {
    await run(['generate', '--sink', 'csv', '--out', join(work, 'csv')]);
    expect(readdirSync(join(work, 'csv'))).toEqual(
      expect.arrayContaining(['persons.csv', 'movements.csv', 'ground-truth.jsonl']),
    );
  });

  it('upserts into the graph store with --sink graph and keeps the ground truth in the output folder', async () => {
    await run(['generate', '--sink', 'graph', '--batch-size', '100', '--out', join(work, 'graph')]);
    expect(boots).toEqual([{ graph: true }]);
    const counts = await store.counts();
    const manifest = JSON.parse(readFileSync(join(work, 'graph', 'manifest.json'), 'utf8')) as {
      counts: { vertices: unknown; edges: unknown };
      graph: string;
    };
    expect(counts.vertices).toEqual(manifest.counts.vertices);
    expect(counts.edges).toEqual(manifest.counts.edges);
    expect(manifest.graph).toBe('memory');
    expect(readdirSync(join(work, 'graph')).sort()).toEqual([
      'ground-truth.jsonl',
      'manifest.json',
    ]);
    expect(printed.join('\n')).toContain(
      'GRAPH_BACKEND=memory keeps the graph inside this process only',
    );
  });

  describe('--sink pulsar', () => {
    const readText = (path: string): string => readFileSync(path, 'utf8');

    it('publishes vertices and entity edges to the entities topic and movements to the movements topic of the settings, and keeps the ground truth in the output folder', async () => {
      const out = join(work, 'pulsar');
      const publishCalls: number[] = [];
      const publish = broker.publish.bind(broker);
      jest.spyOn(broker, 'publish').mockImplementation((topic, messages) => {
        publishCalls.push(messages.length);
        return publish(topic, messages);
      });
      await run(
        ['generate', '--seed', '7', '--sink', 'pulsar', '--batch-size', '250', '--out', out],
        {
          PULSAR_TOPIC_ENTITIES: 'seed.entities',
          PULSAR_TOPIC_MOVEMENTS: 'seed.movements',
        },
      );
      expect(boots).toEqual([{ graph: false }]);
      expect(pulsarSinks.map((s) => s.batchSize)).toEqual([250]);
      expect(Math.max(...publishCalls)).toBeLessThanOrEqual(250);
      expect(closed).toBe(1);

      const manifest = JSON.parse(readText(join(out, 'manifest.json'))) as {
        counts: { vertices: Record<string, number>; edges: Record<string, number> };
        pulsar: Record<string, string>;
      };
      expect(readdirSync(out).sort()).toEqual(['ground-truth.jsonl', 'manifest.json']);
      expect(manifest.pulsar).toEqual({
        url: 'http://127.0.0.1:8080',
        entitiesTopic: 'persistent://public/default/seed.entities',
        movementsTopic: 'persistent://public/default/seed.movements',
      });

      const entities = (await broker.readAll('seed.entities', { idleMs: 0 })).map((m) =>
        decodeEntityMessage(m.payload),
      );
      const movements = (await broker.readAll('seed.movements', { idleMs: 0 })).map((m) =>
        decodeMovementMessage(m.payload),
      );
      expect(await broker.readAll('bank.entities', { idleMs: 0 })).toEqual([]);
      const perLabel: Record<string, number> = {};
      for (const decoded of entities) {
        if (!decoded.ok) throw new Error(decoded.reason);
        perLabel[decoded.envelope.payload.label] =
          (perLabel[decoded.envelope.payload.label] ?? 0) + 1;
      }
      expect(movements.every((decoded) => decoded.ok)).toBe(true);
      const { TRANSFERRED, ...entityEdges } = manifest.counts.edges;
      const nonZero = (counts: Record<string, number>): Record<string, number> =>
        Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
      expect(perLabel).toEqual(nonZero({ ...manifest.counts.vertices, ...entityEdges }));
      expect(movements).toHaveLength(TRANSFERRED);

      // The ground truth is the one the files sinks write for the same options.
      await run(['generate', '--seed', '7', '--out', join(work, 'files')]);
      expect(readText(join(out, 'ground-truth.jsonl'))).toBe(
        readText(join(work, 'files', 'ground-truth.jsonl')),
      );

      const vertices = Object.values(manifest.counts.vertices).reduce((a, b) => a + b, 0);
      const edges = Object.values(entityEdges).reduce((a, b) => a + b, 0);
      const text = printed.join('\n');
      expect(text).toContain(
        `published ${vertices.toLocaleString('en-US')} vertices and ${edges.toLocaleString('en-US')} entity edges to persistent://public/default/seed.entities, ` +
          `${TRANSFERRED.toLocaleString('en-US')} movements to persistent://public/default/seed.movements (Pulsar at http://127.0.0.1:8080); ground truth and manifest in ${out}`,
      );
      expect(text).toContain('PULSAR_SUBSCRIPTION=graph-ingest');
      expect(text).toContain('Run it with STREAMING_BACKEND=pulsar');
      expect(text).toMatch(/ubo-cycle\s+1\s+0/);
    });

    it('publishes in batches of 500 messages unless --batch-size says otherwise', async () => {
      await run(['generate', '--sink', 'pulsar', '--out', join(work, 'default-batch')], {
        STREAMING_BACKEND: 'pulsar',
      });
      expect(pulsarSinks.map((s) => s.batchSize)).toEqual([500]);
      expect(pulsarSinks[0].config.backend).toBe('pulsar');
      expect(printed.join('\n')).not.toContain('Run it with STREAMING_BACKEND=pulsar');
    });

    it('refuses with the URL and what to check when Pulsar does not answer, before generating anything', async () => {
      const unreachable = new UnreachableBroker();
      pulsarSink = (config) =>
        new PulsarDatasetSink({
          broker: unreachable,
          entitiesTopic: config.entitiesTopic,
          movementsTopic: config.movementsTopic,
          ownsBroker: true,
        });
      const out = join(work, 'unreachable');
      const error = await failure(['generate', '--sink', 'pulsar', '--out', out], {
        PULSAR_WEB_URL: 'http://127.0.0.1:38999',
      });
      // A server that does not answer is not a usage error: exit code 1, no hint to run --help.
      expect(error.exitCode).toBe(1);
      expect(error.code).toBe('seeder.generate.stream_unavailable');
      const message = errors.join('');
      expect(message).not.toContain('--help');
      expect(message).toContain(
        'error: --sink pulsar cannot reach Pulsar at http://127.0.0.1:38999 (PULSAR_WEB_URL, WebSocket API)',
      );
      expect(message).toContain(
        '--sink pulsar always needs a real Pulsar: STREAMING_BACKEND=memory does not apply to it',
      );
      expect(message).toContain('connect ECONNREFUSED 127.0.0.1:38999');
      expect(message).toContain('Nothing was generated or published');
      expect(message).toContain('bash docker/local/pulsar/service.sh start');
      expect(existsSync(out)).toBe(false);
      expect(unreachable.closed).toBe(true);
      expect(closed).toBe(1);
    });

    it('names PULSAR_SERVICE_URL when the native client cannot be built', async () => {
      pulsarSink = () => {
        throw new StreamUnavailableError('PULSAR_TRANSPORT=native needs the optional package');
      };
      await failure(['generate', '--sink', 'pulsar', '--out', join(work, 'native')], {
        STREAMING_BACKEND: 'pulsar',
        PULSAR_TRANSPORT: 'native',
        PULSAR_SERVICE_URL: 'pulsar://10.0.0.1:6650',
      });
      const message = errors.join('');
      expect(message).toContain(
        'cannot reach Pulsar at pulsar://10.0.0.1:6650 (PULSAR_SERVICE_URL, native client): PULSAR_TRANSPORT=native needs the optional package',
      );
      expect(message).not.toContain('STREAMING_BACKEND=memory');
    });

    it('says what was published when Pulsar fails half-way, and leaves no ground truth behind', async () => {
      const publish = broker.publish.bind(broker);
      let calls = 0;
      jest.spyOn(broker, 'publish').mockImplementation((topic, messages) => {
        calls += 1;
        return calls > 2
          ? Promise.reject(new StreamUnavailableError('Could not publish 500 message(s)'))
          : publish(topic, messages);
      });
      const out = join(work, 'half');
      const error = await failure(['generate', '--sink', 'pulsar', '--out', out]);
      expect(error.exitCode).not.toBe(0);
      const message = errors.join('');
      expect(message).toContain(
        'Publishing to Pulsar at http://127.0.0.1:8080 (PULSAR_WEB_URL) failed: Could not publish 500 message(s)',
      );
      expect(message).toMatch(/\d+ vertices, 0 entity edges and 0 movements were published before/);
      expect(message).toContain('the ground truth was not written');
      expect(existsSync(out)).toBe(false);
    });
  });

  it('explains itself to newcomers in --help', async () => {
    const error = await failure(['generate', '--help']);
    expect(error.code).toBe('commander.helpDisplayed');
    const help = printed.join('');
    for (const option of [
      '--profile',
      '--seed',
      '--reference-time',
      '--days',
      '--out',
      '--sink',
      '--overwrite',
      'Examples:',
      'ground-truth.jsonl',
      '--sink pulsar',
      'PULSAR_TOPIC_ENTITIES',
    ]) {
      expect(help).toContain(option);
    }
  });
});
