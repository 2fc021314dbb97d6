import { describeWithJanusGraph, describeWithPulsar } from '@app/testing';
import {
  CLEAN_REPORT,
  DeadLetter,
  FaultScenario,
  interleave,
  PoisonMessage,
  poisonMessages,
  SHORT_REDELIVERY,
} from '../support/faults';

jest.setTimeout(300_000);

const ACCOUNTS = 100;
const MOVEMENTS = 2_000;
/** 10 of each of the 5 kinds: 50 poison messages. */
const POISON_PER_KIND = 10;
const STEP_TIMEOUT_MS = 120_000;

/**
 * Whether a dead letter's reason names what is wrong with the poison message: the nesting, the
 * field of the wrong type or of the huge string, the bytes that are not UTF-8, or the account
 * that never arrived.
 */
function namesTheProblem(poison: PoisonMessage, reason: string): boolean {
  const onEntities = poison.topic === 'entities';
  switch (poison.kind) {
    case 'deep-nesting':
      return /nest|deep|depth/i.test(reason);
    case 'wrong-type':
      return reason.includes(onEntities ? 'payload.props.openedAt' : 'payload.amountMinor');
    case 'huge-string':
      return reason.includes(onEntities ? 'payload.uid' : 'payload.movementId');
    case 'invalid-utf8':
      return /utf-?8/i.test(reason);
    case 'missing-account':
      return poison.missingAccount !== undefined && reason.includes(poison.missingAccount);
  }
}

/** Poison dead letters whose reason does not name the problem, with what was expected. */
function unexplained(poison: readonly PoisonMessage[], dead: readonly DeadLetter[]): string[] {
  const byId = new Map(poison.map((p) => [p.testId, p]));
  return dead.flatMap(({ testId, reason }) => {
    const sent = byId.get(testId);
    if (!sent || namesTheProblem(sent, reason)) return [];
    return [`${testId} (${sent.problem}): "${reason.slice(0, 300)}"`];
  });
}

/**
 * Issue 11, item 3: "50 poison messages mixed with valid ones". Poison of every kind the issue
 * names (5,000-level nesting, wrong types, 256 KiB strings, bytes that are not UTF-8, movements
 * to an account that never arrives) is spread through 2,000 valid movements and 100 accounts,
 * on both topics and under the same keys as valid messages. Each poison message must end in
 * the dead-letter topic with a reason naming its problem, and nothing else may: the valid
 * messages beside them are all written, once.
 */
describeWithPulsar('ingest of poison messages, on a real Pulsar', (pulsar) => {
  describeWithJanusGraph('and a real JanusGraph', (janusgraph) => {
    let scenario: FaultScenario;

    beforeAll(async () => {
      scenario = await FaultScenario.open({
        name: 'poison',
        janusgraph,
        pulsar,
        workerSettings: {
          // How long a movement waits for its accounts before it is dead-lettered.
          INGEST_MISSING_ENTITY_WAIT_MS: '5000',
          ...SHORT_REDELIVERY,
        },
      });
    });

    afterAll(async () => {
      await scenario?.close();
    });

    it(`dead-letters exactly the ${5 * POISON_PER_KIND} poison messages, each with its reason, and writes the ${MOVEMENTS} valid movements once`, async () => {
      const load = scenario.validLoad({ accounts: ACCOUNTS, movements: MOVEMENTS });
      const poison = poisonMessages(scenario.run, POISON_PER_KIND, load);
      await scenario.startWorker();
      await scenario.publish(
        interleave(
          load.accountMessages,
          poison.filter((p) => p.topic === 'entities'),
        ),
      );
      await scenario.publish(
        interleave(
          load.movementMessages,
          poison.filter((p) => p.topic === 'movements'),
        ),
      );

      const settled = await scenario.waitUntilEverythingSettled(STEP_TIMEOUT_MS);
      const dead = await scenario.deadLetters();
      expect({
        report: await scenario.report(load, poison, settled, dead),
        reasonsNotNamingTheProblem: unexplained(poison, dead),
      }).toEqual({ report: CLEAN_REPORT, reasonsNotNamingTheProblem: [] });
    });
  });
});
