import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '@app/vocabulary';
import type { FieldProblem } from '@app/vocabulary';
import { readJsonlDataset, validateGroundTruthRecord } from './jsonl-dataset.reader';

const T = Date.UTC(2025, 0, 6, 10);

const account = (uid: string): Record<string, unknown> => ({
  label: 'Account',
  uid,
  props: {
    accountType: 'personal',
    currency: 'USD',
    openedAt: Date.UTC(2020, 0, 1),
    status: 'active',
    bankId: 'bank1',
    country: 'US',
  },
});

const movement = (eid: string, props: Record<string, unknown> = {}): Record<string, unknown> => ({
  label: 'TRANSFERRED',
  eid,
  from: 'account:bank1:1',
  to: 'account:bank1:2',
  props: { amountMinor: 1050, currency: 'USD', timestamp: T, channel: 'wire', ...props },
});

const truth = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  instanceId: 'fan-out-1',
  typology: 'fan-out',
  decoy: false,
  source: 'generator',
  entities: ['account:bank1:1'],
  movements: ['mv:1'],
  window: { from: T, to: T },
  parameters: {},
  ...extra,
});

const lines = (...rows: (Record<string, unknown> | string)[]): string =>
  rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

describe('readJsonlDataset: input validated like ingest input', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jsonl-reader-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function problemsOf(): Promise<FieldProblem[]> {
    const error: unknown = await readJsonlDataset(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    return [...(error as InvalidInputError).problems];
  }

  it('reads a well-formed dataset', async () => {
    writeFileSync(
      join(dir, 'accounts.jsonl'),
      lines(account('account:bank1:1'), account('account:bank1:2')),
    );
    writeFileSync(join(dir, 'movements.jsonl'), lines(movement('mv:1'), '', movement('mv:2')));
    writeFileSync(join(dir, 'ground-truth.jsonl'), lines(truth()));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ profile: 'hand-made', days: 3 }));
    const dataset = await readJsonlDataset(dir);
    expect(dataset.vertices).toHaveLength(2);
    expect(dataset.edges.map((e) => e.eid)).toEqual(['mv:1', 'mv:2']);
    expect(dataset.groundTruth.map((r) => r.instanceId)).toEqual(['fan-out-1']);
    expect(dataset.manifest).toEqual({ profile: 'hand-made', days: 3 });
  });

  it('names file, line, field and rule for amounts as text, ISO timestamps, unknown channels and bad currencies', async () => {
    writeFileSync(
      join(dir, 'movements.jsonl'),
      lines(
        movement('mv:1'),
        movement('mv:2', { amountMinor: '10.50' }),
        movement('mv:3', { timestamp: '2025-01-06T10:00:00Z' }),
        movement('mv:4', { channel: 'telepathy' }),
        movement('mv:5', { currency: 'usd', amountMinor: 10.5 }),
        '{ not json',
        { label: 'Friendship', uid: 'x' },
      ),
    );
    writeFileSync(join(dir, 'ground-truth.jsonl'), lines(truth()));
    const problems = await problemsOf();
    expect(problems).toEqual([
      {
        field: 'movements.jsonl line 2: props.amountMinor',
        rule: 'must be a whole number of minor units (1050 for 10.50), not text (was "10.50")',
      },
      {
        field: 'movements.jsonl line 3: props.timestamp',
        rule: 'must be epoch milliseconds (a whole number such as 1735689600000), not text (was "2025-01-06T10:00:00Z")',
      },
      {
        field: 'movements.jsonl line 4: props.channel',
        rule: expect.stringMatching(/^must be one of wire, ach, /) as unknown,
      },
      {
        field: 'movements.jsonl line 5: props.amountMinor',
        rule: 'must be a whole number of minor units (1050 for 10.50), not a fraction (was 10.5)',
      },
      {
        field: 'movements.jsonl line 5: props.currency',
        rule: 'must be a three-letter ISO 4217 currency code in capitals',
      },
      { field: 'movements.jsonl line 6: line', rule: 'must be one JSON object per line' },
      {
        field: 'movements.jsonl line 7: label',
        rule: expect.stringMatching(/^must be a vertex label \(Person, /) as unknown,
      },
    ]);
  });

  it('refuses malformed ground-truth records', async () => {
    writeFileSync(
      join(dir, 'ground-truth.jsonl'),
      lines(
        truth(),
        truth({ typology: 'laundering', decoy: 'no' }),
        truth({ movements: 'mv:1', window: { from: T + 1, to: T } }),
        truth({ instanceId: '', source: 'somewhere', entities: [1], parameters: null }),
      ),
    );
    const fields = (await problemsOf()).map((p) => p.field);
    expect(fields).toEqual([
      'ground-truth.jsonl line 2: typology',
      'ground-truth.jsonl line 2: decoy',
      'ground-truth.jsonl line 3: movements',
      'ground-truth.jsonl line 3: window',
      'ground-truth.jsonl line 4: instanceId',
      'ground-truth.jsonl line 4: source',
      'ground-truth.jsonl line 4: entities',
      'ground-truth.jsonl line 4: parameters',
    ]);
  });

  it('stops at the first maxErrors problems and says so', async () => {
    const bad = Array.from({ length: 8 }, (_, i) => movement(`mv:${i}`, { amountMinor: 'x' }));
    writeFileSync(join(dir, 'movements.jsonl'), lines(...bad));
    writeFileSync(join(dir, 'ground-truth.jsonl'), lines(truth()));
    const error: unknown = await readJsonlDataset(dir, { maxErrors: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    const invalid = error as InvalidInputError;
    expect(invalid.problems.map((p) => p.field)).toEqual([
      'movements.jsonl line 1: props.amountMinor',
      'movements.jsonl line 2: props.amountMinor',
      'movements.jsonl line 3: props.amountMinor',
    ]);
    expect(invalid.message).toContain('reading stopped at the first 3 problems');
    expect(invalid.message).toContain(
      'movements.jsonl line 3: props.amountMinor must be a whole number of minor units',
    );
  });

  it('needs ground-truth.jsonl unless told the labels are not required', async () => {
    writeFileSync(join(dir, 'accounts.jsonl'), lines(account('account:bank1:1')));
    expect(await problemsOf()).toEqual([
      {
        field: 'dataset',
        rule: 'must contain ground-truth.jsonl (write it with `seeder generate`)',
      },
    ]);
    const dataset = await readJsonlDataset(dir, { requireGroundTruth: false });
    expect(dataset.vertices.map((v) => v.uid)).toEqual(['account:bank1:1']);
    expect(dataset.groundTruth).toEqual([]);
  });

  it('refuses a manifest that is not JSON', async () => {
    writeFileSync(join(dir, 'ground-truth.jsonl'), lines(truth()));
    writeFileSync(join(dir, 'manifest.json'), '{ profile: tiny');
    expect(await problemsOf()).toEqual([
      { field: 'manifest.json line 1: file', rule: 'must be one JSON object' },
    ]);
  });
});

describe('validateGroundTruthRecord', () => {
  it('accepts a record without window and refuses a non-object', () => {
    const { window: _window, ...noWindow } = truth();
    expect(validateGroundTruthRecord(noWindow)).toEqual([]);
    expect(validateGroundTruthRecord([])).toEqual([
      { field: 'record', rule: 'must be a JSON object' },
    ]);
  });
});
