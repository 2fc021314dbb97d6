import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  describeWithLocalJanusGraph,
  describeWithPulsar,
  janusGraphService,
  janusGraphServiceWith,
} from '@app/testing';
import {
  CLEAN_REPORT,
  DONE,
  FaultScenario,
  outcomeOf,
  waitFor,
  SHORT_REDELIVERY,
} from '../support/faults';

jest.setTimeout(420_000);

const ACCOUNTS = 100;
/** About 700 bytes of BerkeleyDB JE log each: several times the room the test leaves. */
const MOVEMENTS = 5_000;
const MIB = 1024 * 1024;
/** The free-space floor during the test (JE keeps 5 GB unless told otherwise). */
const FREE_DISK_MB = 1;
/** Room left for the movements: between this and one MB more. */
const ROOM_MB = 1;
const STEP_TIMEOUT_MS = 180_000;

/** Bytes of BerkeleyDB JE's log files (`*.jdb`) under `dir`. */
async function logBytes(dir: string): Promise<number> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.jdb'));
  const sizes = await Promise.all(files.map(async (name) => (await stat(join(dir, name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * A disk that fills up under the graph, a fault the issue does not name. JanusGraph on
 * BerkeleyDB JE is restarted by `docker/local/janusgraph/service.sh` with a disk limit (JE's
 * `je.maxDisk`, through JANUSGRAPH_BERKELEYJE_MAX_DISK_MB) that leaves one to two megabytes for
 * the movements (a few thousand fewer than the test sends), so JE refuses writes in the middle
 * of the load, as it does when the free space on
 * a real disk falls under its floor. The worker must take that for what it is, a store that
 * cannot write: pause with a readiness that says so, dead-letter nothing, and write every
 * movement once JanusGraph is restarted with room again.
 */
describeWithPulsar(
  'ingest while the graph storage is out of disk space, on a real Pulsar',
  (pulsar) => {
    describeWithLocalJanusGraph(
      'and a JanusGraph on BerkeleyDB JE run by docker/local/janusgraph/service.sh',
      (janusgraph) => {
        let scenario: FaultScenario;
        let limited = false;

        beforeAll(async () => {
          // A fresh graph: what earlier tests wrote and deleted lies in BerkeleyDB JE's log files
          // until its cleaner reclaims it, which it may do in the middle of this test, giving the
          // load tens of megabytes more than the limit means to leave (the test then saw no full
          // disk at all). Without such garbage the room is what the limit says.
          await janusGraphService(janusgraph.local, 'restart', '--wipe');
          scenario = await FaultScenario.open({
            name: 'diskfull',
            janusgraph,
            pulsar,
            workerSettings: SHORT_REDELIVERY,
          });
        });

        afterAll(async () => {
          // The graph server is shared with the other tests: never leave it limited.
          if (limited) await janusGraphService(janusgraph.local, 'restart');
          await scenario?.close();
        });

        it('pauses while JanusGraph cannot write (ready 503, naming the disk), dead-letters nothing, and writes every movement once there is room', async () => {
          const load = scenario.validLoad({ accounts: ACCOUNTS, movements: MOVEMENTS });
          const worker = await scenario.startWithAccounts(load, STEP_TIMEOUT_MS);

          const dataDir = join(janusgraph.local.servicesDir, 'janusgraph', 'data', 'berkeleyje');
          const maxDiskMb = Math.ceil((await logBytes(dataDir)) / MIB) + ROOM_MB + FREE_DISK_MB;
          limited = true;
          await janusGraphServiceWith(
            janusgraph.local,
            {
              JANUSGRAPH_BERKELEYJE_FREE_DISK_MB: String(FREE_DISK_MB),
              JANUSGRAPH_BERKELEYJE_MAX_DISK_MB: String(maxDiskMb),
            },
            'restart',
          );
          await scenario.publish(load.movementMessages);

          let said = '';
          const pausedForDisk = await outcomeOf(
            waitFor(
              async () => {
                const answer = await worker.readinessAnswer();
                said = answer.body;
                return answer.status === 503 && answer.body.includes('out of disk space');
              },
              'the worker to say it waits for disk space',
              STEP_TIMEOUT_MS,
              () => said,
            ),
          );
          const settledWhileFull = await scenario.settledCount('movements');

          await janusGraphService(janusgraph.local, 'restart');
          limited = false;
          const readyAfter = await outcomeOf(worker.waitForReadiness(200, STEP_TIMEOUT_MS));
          const settled = await scenario.waitUntilEverythingSettled(STEP_TIMEOUT_MS);
          expect({
            pausedForDisk,
            someLeftWhileFull: settledWhileFull < MOVEMENTS,
            readyAfter,
            report: await scenario.report(load, [], settled),
          }).toEqual({
            pausedForDisk: DONE,
            someLeftWhileFull: true,
            readyAfter: DONE,
            report: CLEAN_REPORT,
          });
        });
      },
      (local) =>
        local.storage === 'berkeleyje'
          ? undefined
          : `the disk limit is BerkeleyDB JE's; this JanusGraph stores on ${local.storage}`,
    );
  },
);
