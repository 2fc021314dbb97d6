import { readFileSync } from 'node:fs';
import { describeWithJanusGraph, describeWithPulsar } from '@app/testing';
import { CLEAN_REPORT, FaultScenario, waitFor, SHORT_REDELIVERY } from '../support/faults';

jest.setTimeout(300_000);

const ACCOUNTS = 100;
const MOVEMENTS = 1_500;
/** Movements sent before JanusGraph hangs; the rest arrive while it does. */
const BEFORE_HANG = 750;
/** JanusGraph hangs once this many of them are settled: it hits a worker in mid-load. */
const SETTLED_AT_HANG = 300;
/** The worker's INGEST_STOP_TIMEOUT_MS in this test. */
const STOP_TIMEOUT_MS = 3_000;
/** How long the test lets the worker take to stop before it kills it (a failure). */
const KILL_AFTER_MS = 60_000;
const STEP_TIMEOUT_MS = 120_000;

/** Sum of every series of `name` in a Prometheus text (all topics, all outcomes). */
function total(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Messages the worker on `port` has received and settled so far, from its /metrics. */
async function inHand(port: number): Promise<{ inHand: number; settled: number }> {
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const received = total(metrics, 'ingest_messages_received_total');
  const settled = total(metrics, 'ingest_messages_settled_total');
  return { inHand: received - settled, settled };
}

/**
 * A stop while a graph write hangs (issue 11: after a JanusGraph crash on Cassandra, a write that
 * meets the dead server's locks hangs for 30 s and more, and a stopping worker outlived its
 * grace period and was killed). The worker reaches JanusGraph through a TCP proxy that is frozen
 * in the middle of the load: connections stay open and nothing comes back, so the writes under
 * way hang (the worker's request timeout is longer than the whole test). SIGTERM must then end
 * the worker by itself after INGEST_STOP_TIMEOUT_MS, leaving the hanging writes to the broker;
 * the next worker writes every movement once and dead-letters none.
 */
describeWithPulsar(
  'an ingest worker stopped while JanusGraph hangs, on a real Pulsar',
  (pulsar) => {
    describeWithJanusGraph('and a real JanusGraph', (janusgraph) => {
      let scenario: FaultScenario;

      beforeAll(async () => {
        scenario = await FaultScenario.open({
          name: 'hang',
          janusgraph,
          pulsar,
          workerSettings: {
            INGEST_STOP_TIMEOUT_MS: String(STOP_TIMEOUT_MS),
            // A request never times out during the test: only the stop's bound can end the wait.
            JANUSGRAPH_REQUEST_TIMEOUT_MS: '600000',
            ...SHORT_REDELIVERY,
          },
        });
      });

      afterAll(async () => {
        await scenario?.close();
      });

      it(`ends on SIGTERM after INGEST_STOP_TIMEOUT_MS, not killed, leaving the hanging writes to the broker; the next worker writes every movement once`, async () => {
        const load = scenario.validLoad({ accounts: ACCOUNTS, movements: MOVEMENTS });
        const proxy = await scenario.proxyToJanusGraph();
        const first = await scenario.startWorker({ host: '127.0.0.1', port: proxy.port });
        await scenario.publish(load.accountMessages);
        await scenario.waitUntilSettled('entities', ACCOUNTS, STEP_TIMEOUT_MS);
        await scenario.publish(load.movementMessages.slice(0, BEFORE_HANG));
        await scenario.waitUntilSettled('movements', SETTLED_AT_HANG, STEP_TIMEOUT_MS);

        proxy.freeze();
        await scenario.publish(load.movementMessages.slice(BEFORE_HANG));
        // Writes under way never get an answer now: wait until the worker holds messages it has
        // received and cannot settle (the count of settled ones has stopped moving).
        let last = { inHand: 0, settled: -1, since: Date.now() };
        await waitFor(
          async () => {
            const now = await inHand(first.options.httpPort);
            if (now.settled !== last.settled) last = { ...now, since: Date.now() };
            else last.inHand = now.inHand;
            return last.inHand > 0 && Date.now() - last.since >= 2_000;
          },
          'the worker to hold received messages it cannot settle',
          STEP_TIMEOUT_MS,
          () => JSON.stringify(last),
        );
        await first.stop(KILL_AFTER_MS);
        const log = readFileSync(first.options.logFile, 'utf8');

        await proxy.cut();
        await scenario.startWorker();
        const settled = await scenario.waitUntilEverythingSettled(STEP_TIMEOUT_MS);
        expect({
          firstWorkerKilled: first.exitStatus?.signal === 'SIGKILL',
          gaveUpHangingWrites: log.includes(
            '(INGEST_STOP_TIMEOUT_MS); they are left unacknowledged',
          ),
          report: await scenario.report(load, [], settled),
        }).toEqual({
          firstWorkerKilled: false,
          gaveUpHangingWrites: true,
          report: CLEAN_REPORT,
        });
      });
    });
  },
);
