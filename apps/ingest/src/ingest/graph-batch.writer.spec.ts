import { BatchRejectedError, GraphUnavailableError } from '@app/vocabulary';
import type { FieldProblem } from '@app/vocabulary';
import { RejectionVerdict, writeBatch } from './graph-batch.writer';

const missingTo: FieldProblem = { field: 'to', rule: 'vertex "b" does not exist' };

/** A store that rejects the items `reject` names (by value) with `problems`, writes the rest. */
function store(reject: (item: string) => FieldProblem[] | undefined) {
  const writes: string[][] = [];
  const write = (batch: string[]): Promise<void> => {
    writes.push(batch);
    const rejected = batch.flatMap((item, index) => {
      const problems = reject(item);
      return problems ? [{ index, id: item, problems }] : [];
    });
    if (rejected.length > 0) return Promise.reject(new BatchRejectedError(rejected, batch.length));
    return Promise.resolve();
  };
  return { writes, write };
}

describe('writeBatch', () => {
  it('writes the others again and says which items are invalid or wait for a missing vertex', async () => {
    const { writes, write } = store((item) =>
      item === 'bad'
        ? [{ field: 'props.amountMinor', rule: 'must be at least 1' }]
        : item === 'early'
          ? [missingTo]
          : undefined,
    );
    const outcomes = await writeBatch(['ok-1', 'bad', 'early', 'ok-2'], write, (rejected) =>
      Promise.resolve(
        rejected.map(({ item }): RejectionVerdict =>
          item === 'bad' ? 'invalid' : { missing: ['b'] },
        ),
      ),
    );
    expect(outcomes).toEqual([
      { kind: 'written' },
      { kind: 'invalid', reason: 'props.amountMinor must be at least 1' },
      { kind: 'missing', reason: 'to vertex "b" does not exist', missing: ['b'] },
      { kind: 'written' },
    ]);
    expect(writes).toEqual([
      ['ok-1', 'bad', 'early', 'ok-2'],
      ['ok-1', 'ok-2'],
    ]);
  });

  it('writes an item again when its ends are there by the time of the check, and calls it invalid if it is refused again', async () => {
    let vertexArrived = false;
    const { writes, write } = store((item) => {
      if (item === 'raced' && !vertexArrived) return [missingTo];
      if (item === 'wrong-label') return [{ field: 'from', rule: 'must be an Account' }];
      return undefined;
    });
    const outcomes = await writeBatch(['raced', 'wrong-label'], write, (rejected) => {
      vertexArrived = true;
      return Promise.resolve(rejected.map((): RejectionVerdict => 'present'));
    });
    expect(outcomes).toEqual([
      { kind: 'written' },
      { kind: 'invalid', reason: 'from must be an Account' },
    ]);
    expect(writes).toEqual([['raced', 'wrong-label'], ['raced', 'wrong-label'], ['raced']]);
  });

  it('throws any error that is not a rejection of items (the caller holds or splits the batch)', async () => {
    await expect(
      writeBatch(
        ['a'],
        () => Promise.reject(new GraphUnavailableError('down')),
        () => Promise.resolve([]),
      ),
    ).rejects.toBeInstanceOf(GraphUnavailableError);
  });
});
