import { MemoryGraphStore } from '@app/graph-store';
import { caseStoreContract } from './case-store.contract';
import { GraphCaseStore } from './graph.case-store';
import { MemoryCaseStore } from './memory.case-store';

caseStoreContract('memory', () => {
  const store = new MemoryCaseStore();
  return { store, reopen: () => store };
});

caseStoreContract('graph (over the memory graph store)', () => {
  const graph = new MemoryGraphStore();
  return { store: new GraphCaseStore(graph), reopen: () => new GraphCaseStore(graph) };
});
