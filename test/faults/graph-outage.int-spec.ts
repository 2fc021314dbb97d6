import { describeWithJanusGraph, describeWithPulsar } from '@app/testing';
import {
  CLEAN_REPORT,
  delay,
  DONE,
  FaultScenario,
  outcomeOf,
  SHORT_REDELIVERY,
} from '../support/faults';

jest.setTimeout(300_000);

/** The outage the issue names: 30 s without JanusGraph. */
const OUTAGE_MS = 30_000;
const ACCOUNTS = 100;
const MOVEMENTS = 1_500;
/** Movements sent before the outage; the rest arrive while JanusGraph is unreachable. */
const BEFORE_OUTAGE = 750;
/** The outage starts once this many of them are settled: it hits a worker in mid-load. */
const SETTLED_AT_CUT = 300;
const STEP_TIMEOUT_MS = 120_000;

/**
 * Issue 11, item 3: "a 30 s JanusGraph outage". The worker reaches JanusGraph through a TCP
 * proxy; the test cuts it for 30 s in the middle of the load (open connections dropped, new
 * ones refused) while more movements arrive, then restores it. A store outage is not a message
 * fault: nothing may be dead-lettered, readiness says 503 during the outage and 200 after, and
 * every movement is written once the graph answers again.
 */
describeWithPulsar('ingest through a JanusGraph outage, on a real Pulsar', (pulsar) => {
  describeWithJanusGraph('and a real JanusGraph', (janusgraph) => {
    let scenario: FaultScenario;

    beforeAll(async () => {
      scenario = await FaultScenario.open({
        name: 'outage',
        janusgraph,
        pulsar,
        workerSettings: SHORT_REDELIVERY,
      });
    });

    afterAll(async () => {
      await scenario?.close();
    });

    it(`pauses through a ${OUTAGE_MS / 1000} s outage (ready 503, nothing dead-lettered) and then writes every movement once`, async () => {
      const load = scenario.validLoad({ accounts: ACCOUNTS, movements: MOVEMENTS });
      const proxy = await scenario.proxyToJanusGraph();
      const worker = await scenario.startWithAccounts(load, STEP_TIMEOUT_MS, {
        host: '127.0.0.1',
        port: proxy.port,
      });
      await scenario.publish(load.movementMessages.slice(0, BEFORE_OUTAGE));
      await scenario.waitUntilSettled('movements', SETTLED_AT_CUT, STEP_TIMEOUT_MS);

      await proxy.cut();
      const cutAt = Date.now();
      await scenario.publish(load.movementMessages.slice(BEFORE_OUTAGE));
      // The fault's own length: the outage lasts 30 s whatever the worker does meanwhile.
      const readinessDuringOutage = await worker.readinessWhile(
        delay(Math.max(0, OUTAGE_MS - (Date.now() - cutAt))),
      );
      await proxy.restore();

      const readyAfterOutage = await outcomeOf(worker.waitForReadiness(200, STEP_TIMEOUT_MS));
      const settled = await scenario.waitUntilEverythingSettled(STEP_TIMEOUT_MS);
      expect({
        unreadyDuringOutage: readinessDuringOutage.includes(503),
        readinessAtEndOfOutage: readinessDuringOutage[readinessDuringOutage.length - 1],
        readyAfterOutage,
        report: await scenario.report(load, [], settled),
      }).toEqual({
        unreadyDuringOutage: true,
        readinessAtEndOfOutage: 503,
        readyAfterOutage: DONE,
        report: CLEAN_REPORT,
      });
    });
  });
});
