import { describeWithJanusGraph, describeWithPulsar } from '@app/testing';
import { CLEAN_REPORT, FaultScenario, interleave } from '../support/faults';

jest.setTimeout(420_000);

const MOVEMENTS = 5_000;
const ACCOUNTS = 200;
/** The accounts are published among the first movements, so many movements come before theirs. */
const ACCOUNTS_AMONG_FIRST = 1_000;
/** The worker is killed after this many movements are settled, then again after twice as many. */
const KILL_EVERY = 1_500;
const STEP_TIMEOUT_MS = 120_000;

/**
 * Issue 11, item 3: "5,000 messages with two kill -9s of the worker". The ingest worker runs as
 * a child process on real Pulsar and JanusGraph; it is killed with SIGKILL twice while it works
 * through the load (nothing drained, nothing acknowledged on the way out), and a new worker
 * picks the subscription up each time. The accounts are published among the first movements,
 * so many movements arrive before their accounts and are retried until the accounts land (where
 * the issue saw a race dead-letter valid movements as invalid).
 */
describeWithPulsar('ingest under worker crashes, on a real Pulsar', (pulsar) => {
  describeWithJanusGraph('and a real JanusGraph', (janusgraph) => {
    let scenario: FaultScenario;

    beforeAll(async () => {
      scenario = await FaultScenario.open({
        name: 'kill',
        janusgraph,
        pulsar,
        workerSettings: {
          // A movement waits up to 30 s for its accounts, which all arrive within seconds.
          INGEST_MISSING_ENTITY_WAIT_MS: '30000',
          PULSAR_MAX_REDELIVER_COUNT: '10',
          PULSAR_NACK_REDELIVERY_DELAY_MS: '1000',
        },
      });
    });

    afterAll(async () => {
      await scenario?.close();
    });

    it(`writes every one of ${MOVEMENTS} movements exactly once through two kill -9s of the worker, dead-lettering none`, async () => {
      const load = scenario.validLoad({ accounts: ACCOUNTS, movements: MOVEMENTS });
      const first = await scenario.startWorker();
      const publishing = scenario.publish([
        ...interleave(load.movementMessages.slice(0, ACCOUNTS_AMONG_FIRST), load.accountMessages),
        ...load.movementMessages.slice(ACCOUNTS_AMONG_FIRST),
      ]);

      await scenario.waitUntilSettled('movements', KILL_EVERY, STEP_TIMEOUT_MS);
      await first.kill();
      const second = await scenario.startWorker();

      await scenario.waitUntilSettled('movements', 2 * KILL_EVERY, STEP_TIMEOUT_MS);
      await second.kill();
      await scenario.startWorker();

      await publishing;
      const settled = await scenario.waitUntilEverythingSettled(STEP_TIMEOUT_MS);
      expect(await scenario.report(load, [], settled)).toEqual(CLEAN_REPORT);
    });
  });
});
