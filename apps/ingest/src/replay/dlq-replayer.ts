import { DLQ_PROPERTIES } from '@app/streaming';
import type { MessageBroker, OutgoingMessage, ReceivedMessage } from '@app/streaming';
import { WAITING_SINCE_PROPERTY } from '../ingest/message-settler';

export interface ReplayOptions {
  /** The dead-letter topic (short or full name). */
  deadLetterTopic: string;
  /** The durable subscription the replay reads and acknowledges on. */
  subscription: string;
  /** Only dead letters that came from this topic (short or full name); others stay in place. */
  onlyTopic?: string;
  /** Show what would be replayed; publish and acknowledge nothing. */
  dryRun: boolean;
  /** Replay (or, dry, show) at most this many. */
  limit?: number;
  /** Stop once no dead letter arrived for this long (a topic has no end signal). */
  idleMs: number;
}

export interface Count {
  text: string;
  count: number;
}

export interface ReplaySummary {
  /** Full name of the dead-letter topic. */
  deadLetterTopic: string;
  subscription: string;
  dryRun: boolean;
  /** Dead letters published again (or, dry, that would be). */
  replayed: number;
  /** Full original topic → how many went (would go) back to it. */
  byTopic: Count[];
  /** Their `dlq-reason`s, most frequent first. */
  reasons: Count[];
  /** Dead letters left on the subscription, by why. */
  leftInPlace: Count[];
  /** Set when publishing failed: the replay stopped there (what was replayed is acknowledged). */
  failure?: string;
}

/** Properties that describe the dead-lettering, not the message: dropped on replay. */
const DEAD_LETTER_ONLY = new Set<string>([
  DLQ_PROPERTIES.reason,
  DLQ_PROPERTIES.realTopic,
  DLQ_PROPERTIES.originMessageId,
  WAITING_SINCE_PROPERTY,
]);

/** Dead letters published per call. */
const CHUNK = 200;

function tally(counts: Map<string, number>): Count[] {
  return [...counts.entries()]
    .map(([text, count]) => ({ text, count }))
    .sort((a, b) => b.count - a.count || a.text.localeCompare(b.text));
}

function add(counts: Map<string, number>, text: string): void {
  counts.set(text, (counts.get(text) ?? 0) + 1);
}

/** The message as it was before it was dead-lettered (same payload and key). */
function original(message: ReceivedMessage): OutgoingMessage {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.properties)) {
    if (!DEAD_LETTER_ONLY.has(name)) properties[name] = value;
  }
  return { payload: message.payload, key: message.key, properties };
}

/**
 * Publishes dead letters back to the topic they came from (their `REAL_TOPIC` property), with
 * their payload, key and properties (without `dlq-reason`, `REAL_TOPIC`, `ORIGIN_MESSAGE_ID`),
 * in the order they were dead-lettered, then acknowledges each on the durable `subscription`
 * of the dead-letter topic. Replaying again therefore finds only what was dead-lettered since;
 * a crash between publish and acknowledgement replays a message twice, which the worker's
 * idempotent upserts absorb. The subscription is created at the topic's start if it is missing
 * (the worker creates it at its first start, so that Pulsar keeps every dead letter for it).
 *
 * Dead letters from another topic than `onlyTopic`, without `REAL_TOPIC`, beyond `limit`, or
 * all of them in a dry run, are left unacknowledged: they wait on the subscription for a later
 * run; so does a message this run replayed that was dead-lettered again meanwhile (recognised
 * by its `ORIGIN_MESSAGE_ID`), so a cause that is not fixed cannot make the run go round in
 * circles. Ends when no dead letter arrived for `idleMs`.
 */
export async function replayDeadLetters(
  broker: MessageBroker,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  const dlq = broker.topicName(options.deadLetterTopic);
  const only = options.onlyTopic === undefined ? undefined : broker.topicName(options.onlyTopic);
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  const byTopic = new Map<string, number>();
  const reasons = new Map<string, number>();
  const left = new Map<string, number>();
  let taken = 0;
  let failure: string | undefined;
  /** Ids of the messages this run published: one that fails again comes back with this origin. */
  const republished = new Set<string>();
  /** Dead letters to publish, in arrival order. */
  let queue: { message: ReceivedMessage; target: string }[] = [];
  let working: Promise<void> = Promise.resolve();
  let idle: NodeJS.Timeout | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const restartIdle = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(finish, options.idleMs);
  };

  const publishQueued = async (): Promise<void> => {
    while (queue.length > 0 && failure === undefined) {
      const chunk = queue.slice(0, CHUNK);
      queue = queue.slice(chunk.length);
      // One publish per target topic, each in arrival order.
      const targets = [...new Set(chunk.map((c) => c.target))];
      try {
        for (const target of targets) {
          const mine = chunk.filter((c) => c.target === target);
          const ids = await broker.publish(
            target,
            mine.map((c) => original(c.message)),
          );
          for (const { messageId } of ids) republished.add(messageId);
          await Promise.all(mine.map((c) => c.message.ack()));
          for (const c of mine) {
            add(byTopic, c.target);
            add(reasons, c.message.properties[DLQ_PROPERTIES.reason] ?? '(no reason recorded)');
          }
        }
      } catch (error: unknown) {
        failure = error instanceof Error ? error.message : String(error);
        finish();
      }
    }
  };

  const handle = (message: ReceivedMessage): void => {
    restartIdle();
    const target = message.properties[DLQ_PROPERTIES.realTopic];
    if (target === undefined || target === '') {
      add(
        left,
        `no ${DLQ_PROPERTIES.realTopic} property (not written by a consumer of this project)`,
      );
      return;
    }
    if (republished.has(message.properties[DLQ_PROPERTIES.originMessageId] ?? '')) {
      // Replayed by this run and dead-lettered again: its cause is not fixed; no second round.
      add(left, 'dead-lettered again during this run (the cause is not fixed yet)');
      return;
    }
    if (only !== undefined && target !== only) {
      add(left, `from ${target} (not --topic)`);
      return;
    }
    if (taken >= limit) {
      add(left, `beyond --limit ${limit}`);
      return;
    }
    taken += 1;
    if (options.dryRun) {
      add(byTopic, target);
      add(reasons, message.properties[DLQ_PROPERTIES.reason] ?? '(no reason recorded)');
    } else {
      queue.push({ message, target });
      working = working.then(publishQueued);
    }
    if (taken >= limit) working = working.then(finish);
  };

  await broker.ensureSubscription(dlq, options.subscription, 'earliest');
  restartIdle();
  const subscription = await broker.subscribe(dlq, options.subscription, handle, {
    deadLetterTopic: dlq,
    // 0: no broker-side dead-letter policy on the dead-letter topic itself; nothing is nacked.
    maxRedeliverCount: 0,
    nackRedeliveryDelayMs: 1000,
    receiveQueueSize: 1000,
  });
  try {
    await finished;
    subscription.stop();
    if (idle) clearTimeout(idle);
    await working;
  } finally {
    if (idle) clearTimeout(idle);
    await subscription.close();
  }
  const replayed = [...byTopic.values()].reduce((sum, n) => sum + n, 0);
  return {
    deadLetterTopic: dlq,
    subscription: options.subscription,
    dryRun: options.dryRun,
    replayed,
    byTopic: tally(byTopic),
    reasons: tally(reasons),
    leftInPlace: tally(left),
    ...(failure !== undefined ? { failure } : {}),
  };
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** The summary as a newcomer reads it (lines, no trailing newline). */
export function formatSummary(summary: ReplaySummary): string {
  const lines: string[] = [];
  const where = `${summary.deadLetterTopic} (subscription "${summary.subscription}")`;
  if (summary.replayed === 0 && summary.leftInPlace.length === 0 && !summary.failure) {
    return `No dead letters waiting on ${where}: nothing to replay.`;
  }
  const width = String(Math.max(1, ...summary.byTopic.map((c) => c.count))).length;
  const pad = (n: number): string => String(n).padStart(width);
  lines.push(
    summary.dryRun
      ? `Dry run: would replay ${summary.replayed} dead letter(s) from ${where}:`
      : `Replayed ${summary.replayed} dead letter(s) from ${where}:`,
  );
  for (const { text, count } of summary.byTopic) lines.push(`  ${pad(count)} to ${text}`);
  if (summary.reasons.length > 0) {
    lines.push('Why they had been dead-lettered:');
    for (const { text, count } of summary.reasons.slice(0, 10)) {
      lines.push(`  ${pad(count)}  ${clip(text, 160)}`);
    }
    if (summary.reasons.length > 10) {
      lines.push(`  (and ${summary.reasons.length - 10} other reason(s))`);
    }
  }
  for (const { text, count } of summary.leftInPlace) {
    lines.push(`Left in place: ${count} ${text}.`);
  }
  if (summary.failure) {
    lines.push(
      `Stopped: publishing failed (${summary.failure}). What was replayed is acknowledged; the rest waits for the next run.`,
    );
  }
  lines.push(
    summary.dryRun
      ? 'Nothing was published or acknowledged.'
      : `Replayed dead letters are acknowledged on "${summary.subscription}": running the command again does not replay them twice.`,
  );
  return lines.join('\n');
}
