import { CommanderError } from 'commander';
import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import { MemoryBroker, movementMessage, vertexUpsertMessage } from '@app/streaming';
import {
  account,
  movement,
  RecordingLogger,
  streamingConfig,
  ThresholdDetector,
  until,
} from '../ingest/ingest.fixtures';
import { DEFAULT_INGEST_OPTIONS } from '../ingest/ingest.options';
import { IngestWorker } from '../ingest/ingest.worker';
import { formatSummary, replayDeadLetters, ReplayOptions } from './dlq-replayer';
import { createIngestProgram } from './replay-dlq.command';

/** When the source changed the entities of these messages (envelope occurredAt, epoch ms). */
const SOURCE_TIME = Date.UTC(2025, 0, 1);

const DLQ = 'bank.dead-letter';
const MOVEMENTS = 'persistent://public/default/bank.movements';

describe('replay of dead letters', () => {
  let broker: MemoryBroker;
  let store: MemoryGraphStore;
  let worker: IngestWorker;

  const options = (extra: Partial<ReplayOptions> = {}): ReplayOptions => ({
    deadLetterTopic: DLQ,
    subscription: 'dlq-replay',
    dryRun: false,
    idleMs: 50,
    ...extra,
  });

  /** A movement whose payee never arrived, and a message that is not JSON: two dead letters. */
  async function deadLetterTwo(): Promise<void> {
    await broker.publish('bank.entities', [
      vertexUpsertMessage(account(1), { id: 'a1', occurredAt: SOURCE_TIME + 1 }),
    ]);
    await until(() => worker.counters.written === 1, 'the first account');
    await broker.publish('bank.movements', [
      movementMessage(movement(7, 1, 2), { id: 'mv7', occurredAt: SOURCE_TIME + 2 }),
    ]);
    await broker.publish('bank.entities', [{ payload: 'not json', key: 'junk' }]);
    await until(() => worker.counters.deadLettered === 2, 'both dead letters');
  }

  beforeEach(async () => {
    broker = new MemoryBroker();
    store = new MemoryGraphStore();
    worker = new IngestWorker(
      broker,
      store,
      new ThresholdDetector(1_000_000),
      // No redelivery: a missing account dead-letters the movement at once.
      streamingConfig({ PULSAR_MAX_REDELIVER_COUNT: '0' }),
      { ...DEFAULT_INGEST_OPTIONS, batchWindowMs: 2, missingEntityWaitMs: 0, holdMissingMs: 0 },
      new RecordingLogger(),
    );
    await worker.start();
  });

  afterEach(async () => {
    await worker.stop();
    await broker.close();
  });

  it('publishes a dead letter back to its topic once the cause is fixed, and not twice', async () => {
    await deadLetterTwo();
    await broker.publish('bank.entities', [
      vertexUpsertMessage(account(2), { id: 'a2', occurredAt: SOURCE_TIME + 3 }),
    ]);
    await until(() => worker.counters.written === 2, 'the missing account');

    const summary = await replayDeadLetters(broker, options({ onlyTopic: 'bank.movements' }));
    expect(summary).toMatchObject({
      replayed: 1,
      byTopic: [{ text: MOVEMENTS, count: 1 }],
      leftInPlace: [
        { text: 'from persistent://public/default/bank.entities (not --topic)', count: 1 },
      ],
    });
    expect(summary.reasons[0].text).toMatch(/^account "account:b1:2" does not exist after waiting/);
    await until(() => worker.counters.written === 3, 'the replayed movement');
    expect(await store.getEdge('mv:test:7')).toMatchObject({ to: 'account:b1:2' });

    // The copy on the movements topic is the original message: same payload and key, no DLQ marks.
    const onTopic = await broker.readAll('bank.movements', { idleMs: 0 });
    expect(onTopic).toHaveLength(2);
    expect(onTopic[1].payload).toEqual(onTopic[0].payload);
    expect(onTopic[1].key).toBe('account:b1:1');
    expect(onTopic[1].properties).toEqual(onTopic[0].properties);

    // Again: the movement was acknowledged on the replay subscription; the entity still waits.
    const again = await replayDeadLetters(broker, options({ onlyTopic: 'bank.movements' }));
    expect(again.replayed).toBe(0);
    expect(again.leftInPlace).toHaveLength(1);
    expect(await broker.readAll('bank.movements', { idleMs: 0 })).toHaveLength(2);
  });

  it('replays nothing and acknowledges nothing in a dry run, and honours --limit', async () => {
    await deadLetterTwo();
    const dry = await replayDeadLetters(broker, options({ dryRun: true }));
    expect(dry).toMatchObject({ dryRun: true, replayed: 2, leftInPlace: [] });
    expect(await broker.readAll('bank.movements', { idleMs: 0 })).toHaveLength(1);
    expect(formatSummary(dry)).toContain('Nothing was published or acknowledged.');

    const one = await replayDeadLetters(broker, options({ limit: 1 }));
    expect(one.replayed).toBe(1);
    expect(one.byTopic).toEqual([{ text: MOVEMENTS, count: 1 }]);
    // The movement's account is still missing: it was dead-lettered again after that run.
    await until(() => worker.counters.deadLettered === 3, 'the movement to fail again');
    const rest = await replayDeadLetters(broker, options({ idleMs: 500 }));
    expect(rest.byTopic).toEqual([
      { text: 'persistent://public/default/bank.entities', count: 1 },
      { text: MOVEMENTS, count: 1 },
    ]);
    // Both fail again; the run does not go round in circles replaying them a second time.
    expect(worker.counters.deadLettered).toBe(5);
    expect(rest.leftInPlace).toEqual([
      { text: 'dead-lettered again during this run (the cause is not fixed yet)', count: 2 },
    ]);
  });

  it('leaves a message without REAL_TOPIC where it is, and says why', async () => {
    await broker.publish(DLQ, [{ payload: 'from somewhere else' }]);
    const summary = await replayDeadLetters(broker, options());
    expect(summary.replayed).toBe(0);
    expect(formatSummary(summary)).toBe(
      [
        `Replayed 0 dead letter(s) from persistent://public/default/${DLQ} (subscription "dlq-replay"):`,
        'Left in place: 1 no REAL_TOPIC property (not written by a consumer of this project).',
        'Replayed dead letters are acknowledged on "dlq-replay": running the command again does not replay them twice.',
      ].join('\n'),
    );
  });

  it('runs as the replay-dlq command and prints a summary a newcomer can read', async () => {
    await deadLetterTwo();
    const printed: string[] = [];
    let closed = false;
    const program = createIngestProgram({
      boot: () =>
        Promise.resolve({
          streaming: loadAllSettings({}).streaming,
          broker,
          close: () => {
            closed = true;
            return Promise.resolve();
          },
        }),
      print: (text) => printed.push(text),
    });
    await program.parseAsync(['node', 'main', 'replay-dlq', '--dry-run', '--wait-ms', '100']);
    expect(closed).toBe(true);
    const [text] = printed;
    expect(text).toContain(
      `Dry run: would replay 2 dead letter(s) from persistent://public/default/${DLQ} (subscription "dlq-replay"):`,
    );
    expect(text).toContain(`  1 to ${MOVEMENTS}`);
    expect(text).toContain('Why they had been dead-lettered:');
    expect(text).toContain('message must be JSON (a UTF-8 envelope object)');
  });

  it('refuses a --limit that is not a positive whole number', async () => {
    const program = createIngestProgram({
      boot: () => Promise.reject(new Error('must not boot')),
      print: () => undefined,
    });
    program.configureOutput({ writeErr: () => undefined });
    program.commands.forEach((c) =>
      c.exitOverride().configureOutput({ writeErr: () => undefined }),
    );
    await expect(
      program.parseAsync(['node', 'main', 'replay-dlq', '--limit', '0']),
    ).rejects.toBeInstanceOf(CommanderError);
  });
});
