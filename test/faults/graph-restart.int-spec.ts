import {
  describeWithLocalJanusGraph,
  describeWithPulsar,
  janusGraphService,
  previousJanusGraphLogLines,
} from '@app/testing';
import { CLEAN_REPORT, DONE, FaultScenario, outcomeOf, SHORT_REDELIVERY } from '../support/faults';

jest.setTimeout(420_000);

const ACCOUNTS = 100;
const MOVEMENTS = 1_500;
/** Movements sent before the restart; the rest arrive while JanusGraph is restarting. */
const BEFORE_RESTART = 750;
/** The restart starts once this many of them are settled: it hits a worker in mid-load. */
const SETTLED_AT_RESTART = 300;
const STEP_TIMEOUT_MS = 180_000;

/**
 * Issue 11, item 3: "a JanusGraph restart". The real JanusGraph server process is restarted
 * with `docker/local/janusgraph/service.sh restart` in the middle of the load, while more
 * movements arrive. What was written before the restart must still be there afterwards (the
 * storage is persistent), the worker must pause while the server is down (readiness 503,
 * nothing dead-lettered) and write everything once it is back.
 */
describeWithPulsar('ingest through a JanusGraph restart, on a real Pulsar', (pulsar) => {
  describeWithLocalJanusGraph(
    'and a JanusGraph run by docker/local/janusgraph/service.sh',
    (janusgraph) => {
      let scenario: FaultScenario;

      beforeAll(async () => {
        scenario = await FaultScenario.open({
          name: 'restart',
          janusgraph,
          pulsar,
          workerSettings: SHORT_REDELIVERY,
        });
      });

      afterAll(async () => {
        await scenario?.close();
      });

      it('keeps what was written before the restart, pauses while JanusGraph is down and then writes every movement once', async () => {
        const load = scenario.validLoad({ accounts: ACCOUNTS, movements: MOVEMENTS });
        const worker = await scenario.startWithAccounts(load, STEP_TIMEOUT_MS);
        await scenario.publish(load.movementMessages.slice(0, BEFORE_RESTART));
        await scenario.waitUntilSettled('movements', SETTLED_AT_RESTART, STEP_TIMEOUT_MS);

        const restarting = janusGraphService(janusgraph.local, 'restart');
        const [readinessDuringRestart] = await Promise.all([
          worker.readinessWhile(restarting),
          scenario.publish(load.movementMessages.slice(BEFORE_RESTART)),
          restarting,
        ]);

        const readyAfterRestart = await outcomeOf(worker.waitForReadiness(200, STEP_TIMEOUT_MS));
        const settled = await scenario.waitUntilEverythingSettled(STEP_TIMEOUT_MS);
        // The stop as JanusGraph logged it: no request cut by a graph closed under it, no
        // commit whose mixed-index half failed (conf/init.groovy lets commits in flight finish).
        const stopProblems = await previousJanusGraphLogLines(janusgraph.local, [
          'Graph has been closed',
          'Error while committing index mutations',
          'transaction(s) still open after',
        ]);
        expect({
          unreadyDuringRestart: readinessDuringRestart.includes(503),
          readyAfterRestart,
          report: await scenario.report(load, [], settled),
          stopProblems: stopProblems.slice(0, 5),
        }).toEqual({
          unreadyDuringRestart: true,
          readyAfterRestart: DONE,
          report: CLEAN_REPORT,
          stopProblems: [],
        });
      });
    },
  );
});
