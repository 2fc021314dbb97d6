import type { GraphVertex } from '@app/vocabulary';
import { MemoryGraphStore } from '../memory/memory.graph-store';
import { ContractStore } from './contract-store';
import { buildBankFixture } from './fixture';

describe('ContractStore (how the contract suite starts each test)', () => {
  const fixture = buildBankFixture();
  const extra: GraphVertex = {
    label: 'Person',
    uid: 'person:contract-store:extra',
    props: { name: 'Extra Person', isPep: false, isSanctioned: false },
  };

  it('reloads the fixture after a write through its store, and only then', async () => {
    const raw = new MemoryGraphStore();
    const clear = jest.spyOn(raw, 'clear');
    const state = new ContractStore(raw, fixture);

    await state.loadFixture();
    await state.loadFixture();
    expect(clear).toHaveBeenCalledTimes(1);

    await state.store.upsertVertices([extra]);
    await state.loadFixture();
    expect(clear).toHaveBeenCalledTimes(2);
    expect(await state.store.getVertex(extra.uid)).toBeUndefined();
    expect((await raw.counts()).vertices.Person).toBe(
      fixture.vertices.filter((vertex) => vertex.label === 'Person').length,
    );
  });

  it('empties the store after any call that is not a read, and leaves an empty store alone', async () => {
    const raw = new MemoryGraphStore();
    const clear = jest.spyOn(raw, 'clear');
    const state = new ContractStore(raw, fixture);

    await state.empty();
    await state.store.counts();
    await state.store.getVertex(extra.uid);
    await state.empty();
    expect(clear).toHaveBeenCalledTimes(1);

    await state.store.upsertVertices([extra]);
    await state.empty();
    expect(clear).toHaveBeenCalledTimes(2);
    expect(await state.store.getVertex(extra.uid)).toBeUndefined();
  });

  it('refuses the store in a test that has not said what it starts from', async () => {
    const state = new ContractStore(new MemoryGraphStore(), fixture);
    state.beginTest();
    expect(() => state.store.counts()).toThrow(/before empty\(\) or loadFixture\(\)/);
    await state.empty();
    await expect(state.store.counts()).resolves.toBeDefined();
  });
});
