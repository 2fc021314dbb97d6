import { Command } from 'commander';
import { Logger } from '@nestjs/common';
import { loadAllSettings } from '@app/settings';
import {
  createMessageBroker,
  edgeUpsertMessage,
  MessageBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import type { GraphEdge, GraphVertex, Movement } from '@app/vocabulary';

/**
 * A small tool to try the stream by hand (no curl needed):
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only libs/streaming/scripts/stream-tool.ts sample [--invalid]
 *   npx ts-node -r tsconfig-paths/register --transpile-only libs/streaming/scripts/stream-tool.ts read bank.dead-letter
 *
 * It uses the Pulsar of the `streaming` settings (PULSAR_WEB_URL, PULSAR_TENANT, ...), whatever
 * STREAMING_BACKEND says: an embedded memory broker would be gone when the tool exits.
 */

function broker(): {
  broker: MessageBroker;
  topics: ReturnType<typeof loadAllSettings>['streaming'];
} {
  const streaming = loadAllSettings().streaming;
  return {
    broker: createMessageBroker(
      { ...streaming, backend: 'pulsar' },
      { logger: new Logger('stream-tool') },
    ),
    topics: streaming,
  };
}

const now = Date.now();
const account = (n: number): GraphVertex => ({
  label: 'Account',
  uid: `account:sample:${n}`,
  props: {
    accountType: 'personal',
    currency: 'EUR',
    openedAt: now - 86_400_000,
    status: 'active',
    bankId: 'sample',
    country: 'DE',
  },
});
const person: GraphVertex = {
  label: 'Person',
  uid: 'person:sample:1',
  props: { name: 'Sample Person', isPep: false, isSanctioned: false },
};
const holds: GraphEdge = {
  label: 'HOLDS',
  eid: 'HOLDS:person:sample:1>account:sample:1',
  from: 'person:sample:1',
  to: 'account:sample:1',
  props: { role: 'holder' },
};
const movement: Movement = {
  movementId: `mv:sample:${now}`,
  fromAccount: 'account:sample:1',
  toAccount: 'account:sample:2',
  amountMinor: 12_345,
  currency: 'EUR',
  timestamp: now,
  channel: 'wire',
  reference: 'sample',
};

async function sample(options: { invalid?: boolean }): Promise<void> {
  const { broker: b, topics } = broker();
  try {
    const meta = (id: string) => ({ id: `sample-${id}-${now}`, occurredAt: now });
    await b.publish(topics.entitiesTopic, [
      vertexUpsertMessage(person, meta('p1')),
      vertexUpsertMessage(account(1), meta('a1')),
      vertexUpsertMessage(account(2), meta('a2')),
      edgeUpsertMessage(holds, meta('h1')),
    ]);
    await b.publish(topics.movementsTopic, [movementMessage(movement, meta('m1'))]);
    process.stdout.write(
      `Published 4 entity messages to ${b.topicName(topics.entitiesTopic)} and 1 movement to ${b.topicName(topics.movementsTopic)}\n`,
    );
    if (options.invalid) {
      await b.publish(topics.movementsTopic, [
        movementMessage(
          { ...movement, movementId: `mv:sample:bad-${now}`, amountMinor: 0 },
          meta('bad'),
        ),
      ]);
      process.stdout.write(
        `Published 1 invalid movement (amountMinor 0); the worker dead-letters it to ${b.topicName(topics.deadLetterTopic)}\n`,
      );
    }
  } finally {
    await b.close();
  }
}

async function read(topic: string, options: { idle: string }): Promise<void> {
  const { broker: b } = broker();
  try {
    const messages = await b.readAll(topic, { idleMs: Number(options.idle) });
    for (const m of messages) {
      process.stdout.write(
        `${JSON.stringify({ messageId: m.messageId, key: m.key, properties: m.properties, payload: m.payload.toString('utf8') })}\n`,
      );
    }
    process.stdout.write(`${messages.length} message(s) on ${b.topicName(topic)}\n`);
  } finally {
    await b.close();
  }
}

const program = new Command('stream-tool').description('Publish sample messages and read topics');
program
  .command('sample')
  .description('publish a tiny bank (person, two accounts, HOLDS, one movement)')
  .option('--invalid', 'also publish an invalid movement')
  .action((options: { invalid?: boolean }) => sample(options));
program
  .command('read <topic>')
  .description('print every message of a topic from the start (e.g. bank.dead-letter)')
  .option('--idle <ms>', 'stop after this long without a message', '1500')
  .action((topic: string, options: { idle: string }) => read(topic, options));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
