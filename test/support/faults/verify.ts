import type { GraphStore } from '@app/graph-store';
import { BrokerMessage, DLQ_PROPERTIES } from '@app/streaming';
import { PoisonMessage, TEST_ID_PROPERTY, ValidLoad } from './dataset';

/** How many of something, with the first few for the failure message. */
export interface Tally<T = string> {
  count: number;
  sample: T[];
}

/** What a dead letter says about itself. */
export interface DeadLetter {
  testId: string;
  reason: string;
}

/**
 * Everything the fault tests check, in one object so that one failed expectation shows every
 * problem at once. A run with no problem equals `CLEAN_REPORT`.
 */
export interface FaultReport {
  /** `everything settled`, or the backlog left when the wait ended. */
  settled: string;
  /** Valid movements not in the graph. */
  movementsLost: Tally;
  /** Valid movements stored more than once (`id ×n`). */
  movementsDuplicated: Tally;
  /** Valid accounts not in the graph. */
  accountsLost: Tally;
  /** Valid messages found in the dead-letter topic, with the reason given. */
  validDeadLettered: Tally<DeadLetter>;
  /** Poison messages not in the dead-letter topic. */
  poisonNotDeadLettered: Tally;
  /** Poison messages whose movement or vertex was written to the graph. */
  poisonWritten: Tally;
  /** Messages dead-lettered more than once (`testId ×n`). */
  deadLetteredTwice: Tally;
  /** Dead letters without a reason (`dlq-reason` property missing or empty). */
  deadLettersWithoutReason: Tally;
}

const SAMPLE = 10;

function tally<T>(items: readonly T[]): Tally<T> {
  return { count: items.length, sample: items.slice(0, SAMPLE) };
}

export const EVERYTHING_SETTLED = 'everything settled';

const NONE: Tally<never> = { count: 0, sample: [] };

export const CLEAN_REPORT: FaultReport = {
  settled: EVERYTHING_SETTLED,
  movementsLost: NONE,
  movementsDuplicated: NONE,
  accountsLost: NONE,
  validDeadLettered: NONE,
  poisonNotDeadLettered: NONE,
  poisonWritten: NONE,
  deadLetteredTwice: NONE,
  deadLettersWithoutReason: NONE,
};

/** Most movements read per scan page. */
const SCAN_PAGE = 10_000;

/**
 * Every stored movement of the window whose id starts with `prefix`, with how many times it is
 * stored. Pages follow (timestamp, id); the loads give each movement its own timestamp, so a
 * duplicate never straddles two pages.
 */
export async function storedMovements(
  store: GraphStore,
  window: { from: number; to: number },
  prefix: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let after: { timestamp: number; movementId: string } | undefined;
  for (;;) {
    const page = await store.scanMovements({ ...window, after, limit: SCAN_PAGE });
    for (const movement of page) {
      if (!movement.movementId.startsWith(prefix)) continue;
      counts.set(movement.movementId, (counts.get(movement.movementId) ?? 0) + 1);
    }
    if (page.length < SCAN_PAGE) return counts;
    const last = page[page.length - 1];
    after = { timestamp: last.timestamp, movementId: last.movementId };
  }
}

/** The dead letters of a run by test id (a message dead-lettered twice appears twice). */
export function deadLettersOf(messages: readonly BrokerMessage[]): DeadLetter[] {
  return messages.map((message) => ({
    testId:
      message.properties[TEST_ID_PROPERTY] ?? `(no ${TEST_ID_PROPERTY}: ${message.messageId})`,
    reason: message.properties[DLQ_PROPERTIES.reason] ?? '',
  }));
}

/** Compares what the graph and the dead-letter topic hold with what was sent. */
export async function faultReport(input: {
  store: GraphStore;
  run: string;
  load: ValidLoad;
  poison: readonly PoisonMessage[];
  deadLetters: readonly DeadLetter[];
  settled: string;
}): Promise<FaultReport> {
  const { store, run, load, poison, deadLetters } = input;
  const stored = await storedMovements(store, load.window, `mv:${run}:`);
  const storedAccounts = new Set(
    (await store.getVertices(load.accounts.map((a) => a.uid))).map((v) => v.uid),
  );
  const poisonIds = new Set(poison.map((p) => p.testId));
  const validIds = new Set([
    ...load.accountMessages.map((m) => m.testId),
    ...load.movementMessages.map((m) => m.testId),
  ]);
  const deadCounts = new Map<string, number>();
  for (const dead of deadLetters)
    deadCounts.set(dead.testId, (deadCounts.get(dead.testId) ?? 0) + 1);
  const poisonUids = poison.flatMap((p) =>
    p.storedAs && 'uid' in p.storedAs ? [p.storedAs.uid] : [],
  );
  const storedPoisonUids = new Set((await store.getVertices(poisonUids)).map((v) => v.uid));
  const poisonWritten = poison.filter(({ storedAs }) =>
    storedAs === undefined
      ? false
      : 'uid' in storedAs
        ? storedPoisonUids.has(storedAs.uid)
        : stored.has(storedAs.movementId),
  );
  return {
    settled: input.settled,
    movementsLost: tally(
      load.movements.filter((m) => !stored.has(m.movementId)).map((m) => m.movementId),
    ),
    movementsDuplicated: tally(
      [...stored].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`),
    ),
    accountsLost: tally(load.accounts.filter((a) => !storedAccounts.has(a.uid)).map((a) => a.uid)),
    validDeadLettered: tally(deadLetters.filter((d) => validIds.has(d.testId))),
    poisonNotDeadLettered: tally([...poisonIds].filter((id) => !deadCounts.has(id))),
    poisonWritten: tally(poisonWritten.map((p) => p.testId)),
    deadLetteredTwice: tally(
      [...deadCounts].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`),
    ),
    deadLettersWithoutReason: tally(
      deadLetters.filter((d) => d.reason.trim() === '').map((d) => d.testId),
    ),
  };
}
