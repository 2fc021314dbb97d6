import { describeWithJanusGraph, describeWithLocalPulsar, pulsarService } from '@app/testing';
import { CLEAN_REPORT, FaultScenario, firstTimestampOf, validLoad } from '../support/faults';

jest.setTimeout(420_000);

const ACCOUNTS = 100;
const MOVEMENTS = 3_000;
/** Movements published before the restart; the rest once the broker is back. */
const BEFORE_RESTART = 2_000;
/** The restart starts once this many of them are settled: it hits a worker in mid-load. */
const SETTLED_AT_RESTART = 200;
const STEP_TIMEOUT_MS = 180_000;

/**
 * Issue 11: "restart or lose any one component and find every accepted message". The Pulsar
 * broker itself is restarted with `docker/local/pulsar/service.sh restart` while the worker has
 * a backlog of movements to read: every message Pulsar accepted before the restart is kept (the
 * script keeps its data), the worker's consumers reconnect on their own, readiness is 503 while
 * they are not connected, and every movement is written once. The redelivery budget is small,
 * so a restart that spent it (messages in flight counted as failed deliveries) would show as
 * dead letters.
 */
describeWithLocalPulsar('ingest through a Pulsar restart', (pulsar) => {
  describeWithJanusGraph('and a real JanusGraph', (janusgraph) => {
    let scenario: FaultScenario;

    beforeAll(async () => {
      scenario = await FaultScenario.open({
        name: 'pulsar-restart',
        janusgraph,
        pulsar,
        workerSettings: {
          PULSAR_MAX_REDELIVER_COUNT: '3',
          PULSAR_NACK_REDELIVERY_DELAY_MS: '1000',
          // Small batches, so that the backlog is still there when the broker stops.
          INGEST_BATCH_SIZE: '25',
        },
      });
    });

    afterAll(async () => {
      await scenario?.close();
    });

    it('keeps every accepted message through the restart; the worker reconnects, is not ready meanwhile, and writes every movement once', async () => {
      const load = validLoad(scenario.run, {
        accounts: ACCOUNTS,
        movements: MOVEMENTS,
        firstTimestamp: firstTimestampOf(scenario.startedAt),
      });
      const worker = await scenario.startWorker();
      await scenario.publish(load.accountMessages);
      await scenario.waitUntilSettled('entities', ACCOUNTS, STEP_TIMEOUT_MS);
      await scenario.publish(load.movementMessages.slice(0, BEFORE_RESTART));
      await scenario.waitUntilSettled('movements', SETTLED_AT_RESTART, STEP_TIMEOUT_MS);

      const settledBeforeRestart = await scenario.settledCount('movements');
      const restarting = pulsarService(pulsar.local, 'restart');
      const [readinessDuringRestart] = await Promise.all([
        worker.readinessWhile(restarting),
        restarting,
      ]);
      await scenario.publish(load.movementMessages.slice(BEFORE_RESTART));

      const readyAfterRestart = await worker
        .waitForReadiness(200, STEP_TIMEOUT_MS)
        .then(() => true)
        .catch(() => false);
      const settled = await scenario.waitUntilEverythingSettled(STEP_TIMEOUT_MS);
      expect({
        restartHitABacklog: settledBeforeRestart < BEFORE_RESTART,
        unreadyDuringRestart: readinessDuringRestart.includes(503),
        readyAfterRestart,
        report: await scenario.report(load, [], settled),
      }).toEqual({
        restartHitABacklog: true,
        unreadyDuringRestart: true,
        readyAfterRestart: true,
        report: CLEAN_REPORT,
      });
    });
  });
});
