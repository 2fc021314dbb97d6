import type { CaseRecord } from './case';
import type { CaseStore } from './case-store';

/** A case as the service writes it; `n` makes ids sort in creation order. */
export function sampleCase(n: number, changes: Partial<CaseRecord> = {}): CaseRecord {
  const at = Date.UTC(2025, 0, 7, 10) + n * 1000;
  return {
    caseId: `case:20250107T1000${String(n).padStart(2, '0')}Z-test`,
    title: `Case ${n}`,
    status: 'open',
    createdBy: 'key-0123456789ab',
    createdAt: at,
    updatedAt: at,
    alertIds: [],
    notes: [],
    history: [{ from: null, to: 'open', at, actor: 'key-0123456789ab' }],
    ...changes,
  };
}

/** The rules of the CaseStore port (case-store.ts), run against every adapter. */
export function caseStoreContract(
  name: string,
  // A fresh store, and a second adapter over the same storage.
  make: () => { store: CaseStore; reopen: () => CaseStore },
): void {
  describe(`CaseStore contract: ${name}`, () => {
    it('answers a case as saved, and undefined for an unknown id', async () => {
      const { store } = make();
      const record = sampleCase(1, {
        description: 'Deposits under the threshold',
        assignee: 'user:alice',
        alertIds: ['alert:a', 'alert:b'],
        notes: [
          {
            noteId: 'n1',
            text: 'Invoice received',
            author: 'key-1',
            at: 5,
            attachments: [{ name: 'invoice.pdf', reference: 'DMS-1' }],
          },
        ],
      });
      await store.save(record);
      expect(await store.get(record.caseId)).toEqual(record);
      expect(await store.get('case:unknown')).toBeUndefined();
    });

    it('replaces a case on save, dropping optional fields left out', async () => {
      const { store } = make();
      await store.save(sampleCase(1, { assignee: 'user:alice', closeReason: undefined }));
      const closed = sampleCase(1, { status: 'closed', closeReason: 'duplicate' });
      await store.save(closed);
      expect(await store.get(closed.caseId)).toEqual(closed);
    });

    it('lists in id order, page by page, filtered by status and assignee', async () => {
      const { store } = make();
      await store.save(sampleCase(3, { assignee: 'user:bob' }));
      await store.save(sampleCase(1, { assignee: 'user:alice' }));
      await store.save(sampleCase(2, { status: 'investigating', assignee: 'user:alice' }));
      const first = await store.list({}, 2);
      expect(first.items.map((c) => c.title)).toEqual(['Case 1', 'Case 2']);
      expect(first.nextCursor).toBeDefined();
      const second = await store.list({}, 2, first.nextCursor);
      expect(second.items.map((c) => c.title)).toEqual(['Case 3']);
      expect(second.nextCursor).toBeUndefined();
      expect((await store.list({ assignee: 'user:alice' }, 10)).items.map((c) => c.title)).toEqual([
        'Case 1',
        'Case 2',
      ]);
      expect((await store.list({ status: 'open' }, 10)).items.map((c) => c.title)).toEqual([
        'Case 1',
        'Case 3',
      ]);
    });

    it('finds the open cases holding any of some alerts, never closed ones', async () => {
      const { store } = make();
      await store.save(sampleCase(1, { alertIds: ['alert:a'] }));
      await store.save(sampleCase(2, { alertIds: ['alert:b'], status: 'escalated' }));
      await store.save(
        sampleCase(3, { alertIds: ['alert:a'], status: 'closed', closeReason: 'duplicate' }),
      );
      const found = await store.openCasesWithAlerts(['alert:a', 'alert:b', 'alert:z']);
      expect(found.map((c) => c.title).sort()).toEqual(['Case 1', 'Case 2']);
      expect(await store.openCasesWithAlerts(['alert:z'])).toEqual([]);
    });

    it('keeps cases when the adapter is created again over the same storage', async () => {
      const { store, reopen } = make();
      const record = sampleCase(1, { alertIds: ['alert:a'] });
      await store.save(record);
      expect(await reopen().get(record.caseId)).toEqual(record);
    });
  });
}
