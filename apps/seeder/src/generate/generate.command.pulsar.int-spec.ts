import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import {
  bucketKeyOf,
  bundleItems,
  decodeEntityMessage,
  decodeMovementMessage,
  isBundle,
  PulsarWebSocketBroker,
} from '@app/streaming';
import type { BrokerMessage } from '@app/streaming';
import { describeWithPulsar } from '@app/testing';
import type { GraphEdge, GraphVertex, Movement } from '@app/vocabulary';
import { movementEdge, movementOf } from '@app/vocabulary';
import { createSeederProgram } from '../seeder.program';
import type { SeederContext } from './generate.command';

jest.setTimeout(120_000);

/**
 * `seeder generate --sink pulsar` with the real sink factory (`PulsarDatasetSink.fromSettings`):
 * a tiny bank published to a real Pulsar and read back from its topics, and the refusals when
 * Pulsar cannot be reached. Topics are unique per run, so a long-lived broker can be reused.
 */
interface Outcome {
  printed: string[];
  errors: string[];
  error?: CommanderError;
}

async function seeder(args: string[], env: Record<string, string>): Promise<Outcome> {
  const settings = loadAllSettings({ SEEDER_PROFILE: 'tiny', ...env });
  const outcome: Outcome = { printed: [], errors: [] };
  const program = createSeederProgram({
    boot: () => {
      const context: SeederContext = {
        seeder: settings.seeder,
        detectors: settings.detectors,
        graph: settings.graph,
        streaming: settings.streaming,
        close: () => Promise.resolve(),
      };
      return Promise.resolve(context);
    },
    print: (line) => outcome.printed.push(line),
  });
  program.configureOutput({
    writeOut: (text) => outcome.printed.push(text),
    writeErr: (text) => outcome.errors.push(text),
  });
  try {
    await program.parseAsync(['node', 'seeder', ...args]);
  } catch (error: unknown) {
    if (!(error instanceof CommanderError)) throw error;
    outcome.error = error;
  }
  return outcome;
}

function jsonLines<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * The envelopes of the messages read, in order: a bundle (PULSAR_PUBLISH_BUNDLE_SIZE, default
 * 50) gives its lines; each envelope of a bundle must fall in the bundle's key bucket.
 */
function envelopesOf(
  messages: readonly BrokerMessage[],
  keyOf: (envelope: Buffer) => string,
): Buffer[] {
  return messages.flatMap((message) => {
    if (!isBundle(message)) return [message.payload];
    const lines = bundleItems(message.payload);
    for (const line of lines) expect(bucketKeyOf(keyOf(line), 64)).toBe(message.key);
    return lines;
  });
}

/** Sorts copies by a text key (bundles keep the order of each key, not across keys). */
function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'seeder-pulsar-int-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describeWithPulsar('seeder generate --sink pulsar on a real Pulsar', (endpoint) => {
  const run = `${Date.now().toString(36)}-${process.pid}`;
  const env = {
    STREAMING_BACKEND: 'pulsar',
    PULSAR_TRANSPORT: 'websocket',
    PULSAR_WEB_URL: endpoint.webUrl,
    PULSAR_TOPIC_ENTITIES: `it-${run}-seed-entities`,
    PULSAR_TOPIC_MOVEMENTS: `it-${run}-seed-movements`,
    PULSAR_SUBSCRIPTION: `it-${run}-ingest`,
  };
  /** Messages the subscription keeps unread on a topic (Pulsar's topic stats). */
  const backlogOf = async (topic: string, subscription: string): Promise<number | undefined> => {
    const response = await fetch(
      `${endpoint.webUrl}/admin/v2/persistent/public/default/${topic}/stats`,
    );
    expect(response.status).toBe(200);
    const stats = (await response.json()) as {
      subscriptions: Record<string, { msgBacklog: number } | undefined>;
    };
    return stats.subscriptions[subscription]?.msgBacklog;
  };
  const reader = new PulsarWebSocketBroker({
    webUrl: endpoint.webUrl,
    tenant: 'public',
    namespace: 'default',
  });
  afterAll(() => reader.close());

  it('publishes every vertex, entity edge and movement of the bank exactly as the files sinks write them, and the ground truth to the output folder', async () => {
    const out = join(work, 'pulsar');
    const files = join(work, 'files');
    const published = await seeder(
      ['generate', '--seed', '11', '--sink', 'pulsar', '--batch-size', '400', '--out', out],
      env,
    );
    expect(published.errors).toEqual([]);
    expect(published.error).toBeUndefined();
    const reference = await seeder(['generate', '--seed', '11', '--out', files], env);
    expect(reference.error).toBeUndefined();

    const vertices = jsonLines<GraphVertex>(join(files, 'vertices.jsonl'));
    const edges = jsonLines<GraphEdge>(join(files, 'edges.jsonl'));
    const entityEdges = edges.filter((edge) => edge.label !== 'TRANSFERRED');
    const movements = edges.flatMap((edge) =>
      edge.label === 'TRANSFERRED'
        ? [JSON.parse(JSON.stringify(movementOf(edge))) as Movement]
        : [],
    );

    const entityMessages = await reader.readAll(env.PULSAR_TOPIC_ENTITIES, { idleMs: 3000 });
    const movementMessages = await reader.readAll(env.PULSAR_TOPIC_MOVEMENTS, { idleMs: 3000 });
    // The project's producers send bundles of envelopes by default.
    expect(entityMessages.length).toBeLessThan(vertices.length + entityEdges.length);
    const entityOf = (payload: Buffer) => {
      const decoded = decodeEntityMessage(payload);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.envelope;
    };
    const movementOfPayload = (payload: Buffer) => {
      const decoded = decodeMovementMessage(payload);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.envelope.payload;
    };
    const decodedEntities = envelopesOf(entityMessages, (line) => {
      const envelope = entityOf(line);
      return envelope.type === 'vertex.upsert' ? envelope.payload.uid : envelope.payload.from;
    }).map(entityOf);
    const decodedMovements = envelopesOf(
      movementMessages,
      (line) => movementOfPayload(line).fromAccount,
    ).map(movementOfPayload);
    expect(
      sortedBy(
        decodedEntities.flatMap((e) => (e.type === 'vertex.upsert' ? [e.payload] : [])),
        (v) => v.uid,
      ),
    ).toEqual(sortedBy(vertices, (v) => v.uid));
    expect(
      sortedBy(
        decodedEntities.flatMap((e) => (e.type === 'edge.upsert' ? [e.payload] : [])),
        (e) => e.eid,
      ),
    ).toEqual(sortedBy(entityEdges, (e) => e.eid));
    expect(sortedBy(decodedMovements, (m) => m.movementId)).toEqual(
      sortedBy(movements, (m) => m.movementId),
    );
    // One paying account's movements keep their order.
    const payer = movements[0].fromAccount;
    expect(decodedMovements.filter((m) => m.fromAccount === payer)).toEqual(
      movements.filter((m) => m.fromAccount === payer),
    );

    // What the ingest worker would write: the graph holds the whole bank.
    const store = new MemoryGraphStore();
    await store.upsertVertices(vertices);
    await store.upsertEdges([...entityEdges, ...decodedMovements.map(movementEdge)]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      counts: { vertices: Record<string, number>; edges: Record<string, number> };
      pulsar: Record<string, string>;
    };
    const counts = await store.counts();
    expect(counts.vertices).toEqual(manifest.counts.vertices);
    expect(counts.edges).toEqual(manifest.counts.edges);
    expect(manifest.pulsar).toEqual({
      url: endpoint.webUrl,
      entitiesTopic: `persistent://public/default/${env.PULSAR_TOPIC_ENTITIES}`,
      movementsTopic: `persistent://public/default/${env.PULSAR_TOPIC_MOVEMENTS}`,
    });
    expect(readFileSync(join(out, 'ground-truth.jsonl'), 'utf8')).toBe(
      readFileSync(join(files, 'ground-truth.jsonl'), 'utf8'),
    );
    expect(published.printed.join('\n')).toContain(
      `published ${vertices.length.toLocaleString('en-US')} vertices and ${entityEdges.length.toLocaleString('en-US')} entity edges to persistent://public/default/${env.PULSAR_TOPIC_ENTITIES}, ` +
        `${movements.length.toLocaleString('en-US')} movements to persistent://public/default/${env.PULSAR_TOPIC_MOVEMENTS}`,
    );
    // No ingest worker ever ran, yet its subscription (PULSAR_SUBSCRIPTION) exists and keeps
    // every message published: a worker started now reads the whole bank.
    expect(await backlogOf(env.PULSAR_TOPIC_ENTITIES, env.PULSAR_SUBSCRIPTION)).toBe(
      entityMessages.length,
    );
    expect(await backlogOf(env.PULSAR_TOPIC_MOVEMENTS, env.PULSAR_SUBSCRIPTION)).toBe(
      movementMessages.length,
    );
  });

  it('refuses a tenant the broker does not have, naming the URL, before writing anything', async () => {
    const out = join(work, 'no-tenant');
    const outcome = await seeder(['generate', '--sink', 'pulsar', '--out', out], {
      ...env,
      PULSAR_TENANT: `no-such-tenant-${run}`,
    });
    // Pulsar's answer, not the command line, is at fault: exit code 1 (command-errors.ts).
    expect(outcome.error?.exitCode).toBe(1);
    expect(outcome.errors.join('')).toContain(
      `--sink pulsar cannot reach Pulsar at ${endpoint.webUrl} (PULSAR_WEB_URL, WebSocket API): Pulsar answered 404`,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('seeder generate --sink pulsar without a Pulsar', () => {
  it('refuses at once with the URL and what to check, even with STREAMING_BACKEND=memory, and writes nothing', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const out = join(work, 'unreachable');
    const outcome = await seeder(['generate', '--sink', 'pulsar', '--out', out], {
      STREAMING_BACKEND: 'memory',
      PULSAR_TRANSPORT: 'websocket',
      PULSAR_WEB_URL: url,
    });
    expect(outcome.error?.exitCode).toBe(1);
    const message = outcome.errors.join('');
    expect(message).toContain(
      `--sink pulsar cannot reach Pulsar at ${url} (PULSAR_WEB_URL, WebSocket API): Pulsar does not answer at ${url}`,
    );
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain('STREAMING_BACKEND=memory does not apply to it');
    expect(existsSync(out)).toBe(false);
  });
});
