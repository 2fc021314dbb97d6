import { MemoryGraphStore } from '@app/graph-store';
import { ids } from '@app/vocabulary';
import type { GraphVertex } from '@app/vocabulary';
import { MemoryAuditLog } from '../audit/memory.audit-log';
import { ErasedSubjects } from './erased-subjects';
import { pseudonymFor } from '@app/vocabulary';

const ERASED = 'person:b:P2';
const EMAIL = ids.identifier('email', 'bruno@example.org');
const DEVICE = ids.identifier('device', 'device-1');

function person(uid: string, name: string, isPep = false): GraphVertex {
  return {
    label: 'Person',
    uid,
    props: {
      name,
      birthDate: '1968-09-30',
      nationality: 'DE',
      residence: 'US',
      isPep,
      isSanctioned: false,
    },
  };
}

function identifier(uid: string, kind: 'email' | 'device', value: string): GraphVertex {
  return { label: 'Identifier', uid, props: { kind, value } };
}

describe('ErasedSubjects', () => {
  it('keeps erased persons and identifiers erased, writes the rest, and dates the erasure', async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices([
      {
        label: 'Person',
        uid: ERASED,
        props: { name: pseudonymFor(ERASED), isPep: false, isSanctioned: false },
      },
      person('person:b:P1', 'Amelia Hart'),
      identifier(EMAIL, 'email', pseudonymFor(EMAIL)),
      identifier(DEVICE, 'device', 'device-1'),
    ]);
    const audit = new MemoryAuditLog();
    audit.record({
      at: '2026-03-04T10:00:00.000Z',
      principal: 'key:admin',
      role: 'admin',
      method: 'POST',
      route: '/api/v1/subjects/:personId/erase',
      path: `/api/v1/subjects/${ERASED}/erase`,
      resources: { personId: ERASED },
      status: 200,
      correlationId: 'c-1',
      note: 'subject erasure; reason: ticket 1',
    });
    const imported = [
      person(ERASED, 'Bruno Keller', true),
      person('person:b:P1', 'Amelia Hart'),
      identifier(EMAIL, 'email', 'bruno@example.org'),
      identifier(DEVICE, 'device', 'device-1'),
    ];
    const kept = await new ErasedSubjects(store, audit).keep(imported);
    expect(kept.vertices).toEqual([
      {
        label: 'Person',
        uid: ERASED,
        props: { name: pseudonymFor(ERASED), isPep: true, isSanctioned: false },
      },
      imported[1],
      identifier(EMAIL, 'email', pseudonymFor(EMAIL)),
      imported[3],
    ]);
    expect(kept.persons).toEqual([ERASED]);
    expect(kept.identifiers).toEqual([EMAIL]);
    expect(kept.notes).toEqual([
      `${ERASED} was erased on 2026-03-04: personal data not re-imported (name stays pseudonymised, ` +
        'birthDate, nationality, residence stay removed; isPep and isSanctioned updated).',
      `1 contact identifier pseudonymised by an erasure keeps its pseudonym (value not re-imported): ${EMAIL}.`,
    ]);
  });

  it('changes nothing when no imported record was erased', async () => {
    const store = new MemoryGraphStore();
    const imported = [person('person:b:P1', 'Amelia Hart')];
    const kept = await new ErasedSubjects(store, new MemoryAuditLog()).keep(imported);
    expect(kept).toEqual({ vertices: imported, notes: [], persons: [], identifiers: [] });
  });
});
