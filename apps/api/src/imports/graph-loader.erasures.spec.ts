import { Logger } from '@nestjs/common';
import { MemoryGraphStore } from '@app/graph-store';
import type { GraphVertex } from '@app/vocabulary';
import { pseudonymFor } from '@app/vocabulary';
import { loadGraph } from './graph-loader';

const ERASED = 'person:b:P2';
const OPTIONS = { batchSize: 10, writeConcurrency: 1 };

function bruno(): GraphVertex {
  return {
    label: 'Person',
    uid: ERASED,
    props: {
      name: 'Bruno Keller',
      birthDate: '1968-09-30',
      nationality: 'DE',
      residence: 'US',
      isPep: false,
      isSanctioned: true,
    },
  };
}

describe('loadGraph and erased subjects', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('does not write an erased person’s personal data again (APP_DATA_DIR loads on every start)', async () => {
    const store = new MemoryGraphStore();
    const erased = { name: pseudonymFor(ERASED), isPep: false, isSanctioned: false };
    await store.upsertVertices([{ label: 'Person', uid: ERASED, props: erased }]);
    await loadGraph(store, [bruno()], [], OPTIONS);
    expect((await store.getVertex(ERASED))?.props).toEqual({ ...erased, isSanctioned: true });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`(${ERASED})`));
  });

  it('writes persons that were never erased as they are', async () => {
    const store = new MemoryGraphStore();
    await loadGraph(store, [bruno()], [], OPTIONS);
    expect(await store.getVertex(ERASED)).toEqual(bruno());
    expect(warn).not.toHaveBeenCalled();
  });
});
