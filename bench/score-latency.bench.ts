/**
 * Real-time scoring benchmark: the API (apps/api/src/main.ts) runs in a child process on the
 * embedded memory store, seeded with the small synthetic bank (seed 42, 90 days), and this
 * process drives it over loopback HTTP with a keep-alive agent: a fixed number of requests at
 * a bounded concurrency, movements drawn with a seeded generator between the bank's accounts,
 * dated after the bank's last day. Reports p50/p99 latency (send to full answer) and throughput
 * for POST /api/v1/score/movement (without record, and with record at concurrency 1: recorded
 * movements must arrive in time order) and POST /api/v1/score/movements (batches of 50).
 *
 * Usage: node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/run.ts --only score-latency
 * (no JanusGraph or Pulsar needed).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(__dirname, '..');
const ADMIN_KEY = 'dev-admin-key';
const ANALYST_KEY = 'dev-analyst-key';
/** The seeded bank ends at SEEDER_REFERENCE_TIME; scored movements come after it. */
const START = Date.parse('2025-01-01T00:00:00Z');
const CHANNELS = ['wire', 'ach', 'card', 'cash'] as const;

export interface ScoreLatencyOptions {
  singles: number;
  singleConcurrency: number;
  batches: number;
  batchSize: number;
  batchConcurrency: number;
  recorded: number;
}

const DEFAULTS: ScoreLatencyOptions = {
  singles: 3000,
  singleConcurrency: 8,
  batches: 100,
  batchSize: 50,
  batchConcurrency: 4,
  recorded: 1000,
};

interface Answer {
  status: number;
  body: string;
}

/** A small seeded generator (mulberry32), so every run scores the same movements. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function call(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  key: string,
  payload?: unknown,
): Promise<Answer> {
  const data = payload === undefined ? undefined : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          'X-API-Key': key,
          ...(data === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

async function startApi(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=4096',
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'apps/api/src/main.ts',
    ],
    {
      cwd: ROOT,
      // Only these variables: the API's settings come from them and from the defaults.
      env: {
        GRAPH_BACKEND: 'memory',
        APP_SEED_ON_START: 'true',
        APP_PORT: String(port),
        APP_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SEEDER_PROFILE: 'small',
        SEEDER_SEED: '42',
        SEEDER_DAYS: '90',
        SEEDER_REFERENCE_TIME: '2025-01-01T00:00:00Z',
        TZ: 'UTC',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const agent = new Agent({ keepAlive: false });
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`The API exited with code ${child.exitCode}`);
    try {
      const answer = await call(agent, port, 'GET', '/health/live', ANALYST_KEY);
      if (answer.status === 200) return child;
    } catch {
      // Not listening yet: it seeds the bank first.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill();
  throw new Error('The API did not start within 5 minutes');
}

/** Customer accounts of the seeded bank (personal and business), a few pages of them. */
async function accountsOf(agent: Agent, port: number): Promise<string[]> {
  const uids: string[] = [];
  let cursor: string | undefined;
  do {
    const path = `/api/v1/entities?label=Account&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const answer = await call(agent, port, 'GET', path, ANALYST_KEY);
    if (answer.status !== 200) throw new Error(`Listing accounts: ${answer.status} ${answer.body}`);
    const page = JSON.parse(answer.body) as {
      items: { uid: string; props: { accountType: string } }[];
      nextCursor?: string;
    };
    for (const item of page.items)
      if (item.props.accountType === 'personal' || item.props.accountType === 'business')
        uids.push(item.uid);
    cursor = page.nextCursor;
  } while (cursor !== undefined && uids.length < 2000);
  return uids;
}

/** Movements between the bank's accounts, one every `stepMs` from `from`, seeded. */
function movements(
  accounts: readonly string[],
  count: number,
  from: number,
  stepMs: number,
  seed: number,
) {
  const random = seeded(seed);
  const pick = (): string => accounts[Math.floor(random() * accounts.length)];
  return Array.from({ length: count }, (_, i) => {
    const fromAccount = pick();
    let toAccount = pick();
    while (toAccount === fromAccount) toAccount = pick();
    const cents = 1000 + Math.floor(random() * 1_500_000);
    return {
      movementId: `mv:bench:${seed}-${i}`,
      fromAccount,
      toAccount,
      amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
      currency: 'USD',
      timestamp: new Date(from + i * stepMs).toISOString(),
      channel: CHANNELS[Math.floor(random() * CHANNELS.length)],
    };
  });
}

interface Run {
  requests: number;
  items: number;
  seconds: number;
  latenciesMs: number[];
  alerts: number;
}

/** Sends `payloads` with at most `concurrency` in flight; every answer must be 200. */
async function drive(
  agent: Agent,
  port: number,
  path: string,
  key: string,
  payloads: readonly unknown[],
  itemsPer: number,
  concurrency: number,
): Promise<Run> {
  const latenciesMs: number[] = [];
  let next = 0;
  let alerts = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < payloads.length) {
      const payload = payloads[next];
      next += 1;
      const sent = performance.now();
      const answer = await call(agent, port, 'POST', path, key, payload);
      latenciesMs.push(performance.now() - sent);
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.body}`);
      alerts += (answer.body.match(/"ruleId"/g) ?? []).length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    requests: payloads.length,
    items: payloads.length * itemsPer,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
    alerts,
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function row(label: string, concurrency: number, run: Run): string {
  const ms = (v: number): string => v.toFixed(1);
  return `| ${label} | ${run.requests} | ${concurrency} | ${ms(percentile(run.latenciesMs, 50))} | ${ms(percentile(run.latenciesMs, 99))} | ${Math.round(run.requests / run.seconds)} | ${Math.round(run.items / run.seconds)} | ${run.alerts} |`;
}

/** Runs the benchmark and returns the markdown body of its section. */
export async function benchScoreLatency(
  overrides: Partial<ScoreLatencyOptions> = {},
): Promise<string> {
  const options = { ...DEFAULTS, ...overrides };
  const port = await freePort();
  const bootStarted = performance.now();
  const api = await startApi(port);
  const bootSeconds = (performance.now() - bootStarted) / 1000;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const accounts = await accountsOf(agent, port);
    const minute = 60_000;
    // First use: the engine warms up from the store (the rules' look-back before the movement).
    const [first] = movements(accounts, 1, START, minute, 1);
    const warmStarted = performance.now();
    const warm = await call(agent, port, 'POST', '/api/v1/score/movement', ANALYST_KEY, first);
    if (warm.status !== 200) throw new Error(`Warm-up: ${warm.status} ${warm.body}`);
    const warmSeconds = (performance.now() - warmStarted) / 1000;

    // Unrecorded singles and batches: all after the bank's end, in any order (nothing is kept).
    const singles = movements(accounts, options.singles, START + minute, minute, 2);
    const single = await drive(
      agent,
      port,
      '/api/v1/score/movement',
      ANALYST_KEY,
      singles,
      1,
      options.singleConcurrency,
    );
    const batchItems = movements(
      accounts,
      options.batches * options.batchSize,
      START + minute,
      1000,
      3,
    );
    const batchBodies = Array.from({ length: options.batches }, (_, b) => ({
      movements: batchItems.slice(b * options.batchSize, (b + 1) * options.batchSize),
    }));
    const batch = await drive(
      agent,
      port,
      '/api/v1/score/movements',
      ANALYST_KEY,
      batchBodies,
      options.batchSize,
      options.batchConcurrency,
    );
    // Recorded singles: written to the store and kept, so in time order (one at a time).
    const recordedBodies = movements(accounts, options.recorded, START + minute, minute, 4).map(
      (m) => ({ ...m, record: true }),
    );
    const recorded = await drive(
      agent,
      port,
      '/api/v1/score/movement',
      ADMIN_KEY,
      recordedBodies,
      1,
      1,
    );

    return [
      `API process: \`node apps/api/src/main.ts\` (ts-node) on the embedded memory store, seeded with the small bank (seed 42, 90 days); it took ${bootSeconds.toFixed(1)} s to seed and listen. Driver: this benchmark's process, over loopback HTTP with a keep-alive agent. Movements: seeded, between ${accounts.length} customer accounts of the bank, dated after its last day. Every rule evaluated per movement (${(JSON.parse(warm.body) as { evaluatedRules: number }).evaluatedRules} per-event rules).`,
      '',
      `Warm-up (first request: the engine replays the stored movements and logins of the rules' longest look-back, 720 days, i.e. the whole bank): ${warmSeconds.toFixed(1)} s.`,
      '',
      '| Form | Requests | Concurrency | p50 ms | p99 ms | Requests/s | Movements/s | Alerts in answers |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      row('`/score/movement`, record: false', options.singleConcurrency, single),
      row(
        `\`/score/movements\` (${options.batchSize} per batch), record: false`,
        options.batchConcurrency,
        batch,
      ),
      row('`/score/movement`, record: true (admin)', 1, recorded),
      '',
      `Run it alone with \`TZ=UTC node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/run.ts --only score-latency\` (no JanusGraph or Pulsar needed; \`npm run bench -- --only score-latency\` works too but starts them).`,
      '',
      `For scale: Tazama publishes 3,525 transactions/s for its real-time transaction monitoring. This run scored ${Math.round(single.items / single.seconds)} movements/s one per request and ${Math.round(batch.items / batch.seconds)} movements/s in batches, on the shared machine named above, in one API process with one engine that takes one request at a time. Hardware, deployment and rules differ (Tazama's figure was measured on its own hardware and setup), so this is an order of magnitude, not a like-for-like comparison. Latency includes queueing behind the other requests in flight (concurrency ${options.singleConcurrency}); without \`record\` each movement is evaluated in a journaled trial that is rolled back, which costs more per movement than the recorded path.`,
    ].join('\n');
  } finally {
    agent.destroy();
    api.kill('SIGTERM');
  }
}
