// Test-only (imports jest globals): the AlertStatusHistory contract suite. Spec files run it
// against every adapter and storage; production code never imports it.
import { EntityNotFoundError } from '@app/vocabulary';
import type { AlertStatus, AlertVertex } from '@app/vocabulary';
import type { AlertStatusChange, AlertStatusHistory } from './alert-status-history';

/** What an adapter's spec hands to the contract. */
export interface AlertStatusHistorySubject {
  /** The adapter under test. */
  history: AlertStatusHistory;
  /** A new adapter over the same storage, as after a restart (a new connection where there is one). */
  reopen(): Promise<AlertStatusHistory>;
  /** Makes an alert exist in the storage. */
  createAlert(alertId: string): Promise<void>;
  /** Releases everything, the reopened adapters included. */
  close(): Promise<void>;
}

const T0 = Date.UTC(2025, 1, 3, 9, 0, 0);
const MINUTE = 60_000;

/** An Alert vertex for a contract alert (for subjects that keep alerts in a graph store). */
export function contractAlertVertex(alertId: string): AlertVertex {
  return {
    label: 'Alert',
    uid: alertId,
    props: {
      ruleId: 'contract.history',
      ruleVersion: '1.0.0',
      typology: 'structuring',
      score: 0.5,
      severity: 'medium',
      status: 'open',
      explanation: 'an alert of the status history contract',
      fingerprint: alertId.slice(alertId.lastIndexOf(':') + 1),
      createdAt: T0,
      updatedAt: T0,
      windowStart: T0 - 24 * 60 * MINUTE,
      windowEnd: T0,
      movementIds: [],
    },
  };
}

function raise(alertId: string, at = T0): AlertStatusChange {
  return {
    alertId,
    from: null,
    to: 'open',
    at,
    note: 'raised by contract.history 1.0.0',
    actor: 'detector',
  };
}

function change(
  alertId: string,
  from: AlertStatus,
  to: AlertStatus,
  at: number,
  note: string,
  actor = 'key-analyst',
): AlertStatusChange {
  return { alertId, from, to, at, note, actor };
}

export function describeAlertStatusHistoryContract(
  name: string,
  make: () => Promise<AlertStatusHistorySubject>,
): void {
  describe(`AlertStatusHistory contract: ${name}`, () => {
    let subject: AlertStatusHistorySubject;
    let history: AlertStatusHistory;
    let alerts = 0;

    /** A new alert per test, so that tests can share the storage. */
    const newAlert = async (): Promise<string> => {
      alerts += 1;
      const alertId = `alert:contract.history:a${alerts}`;
      await subject.createAlert(alertId);
      return alertId;
    };

    beforeAll(async () => {
      subject = await make();
      history = subject.history;
    });

    afterAll(async () => {
      await subject?.close();
    });

    it('answers an empty history for an alert without changes and for an unknown alert', async () => {
      const alertId = await newAlert();
      expect(await history.list(alertId)).toEqual([]);
      expect(await history.list('alert:contract.history:nobody')).toEqual([]);
    });

    it('lists the raise and the changes after it oldest first, every field as appended', async () => {
      const alertId = await newAlert();
      const changes = [
        raise(alertId),
        change(alertId, 'open', 'investigating', T0 + MINUTE, 'calling the branch', 'key-1'),
        change(alertId, 'investigating', 'closed-reported', T0 + 2 * MINUTE, 'SAR filed', 'key-2'),
      ];
      for (const c of changes) await history.append(c);
      expect(await history.list(alertId)).toEqual(changes);
    });

    it('keeps the order of appending for changes at the same instant', async () => {
      const alertId = await newAlert();
      const changes = [
        raise(alertId),
        change(alertId, 'open', 'escalated', T0, 'first'),
        change(alertId, 'escalated', 'investigating', T0, 'second'),
        change(alertId, 'investigating', 'open', T0, 'third'),
        change(alertId, 'open', 'investigating', T0, 'fourth'),
      ];
      for (const c of changes) await history.append(c);
      const listed = await history.list(alertId);
      expect(listed.map((c) => c.note)).toEqual(changes.map((c) => c.note));
      expect(await history.list(alertId)).toEqual(listed);
    });

    it('lists oldest first even when a change was appended with an earlier time', async () => {
      const alertId = await newAlert();
      await history.append(raise(alertId, T0));
      await history.append(change(alertId, 'open', 'investigating', T0 + 2 * MINUTE, 'late'));
      await history.append(change(alertId, 'investigating', 'open', T0 + MINUTE, 'skewed clock'));
      expect((await history.list(alertId)).map((c) => c.note)).toEqual([
        'raised by contract.history 1.0.0',
        'skewed clock',
        'late',
      ]);
    });

    it('appends a batch in order and keeps the histories of different alerts apart', async () => {
      const a = await newAlert();
      const b = await newAlert();
      await history.appendAll([
        raise(a),
        raise(b, T0 + MINUTE),
        change(a, 'open', 'escalated', T0 + 2 * MINUTE, 'a: large amounts'),
        change(b, 'open', 'closed-false-positive', T0 + 3 * MINUTE, 'b: payroll'),
        change(a, 'escalated', 'closed-reported', T0 + 2 * MINUTE, 'a: SAR filed'),
      ]);
      expect((await history.list(a)).map((c) => [c.from, c.to, c.note])).toEqual([
        [null, 'open', 'raised by contract.history 1.0.0'],
        ['open', 'escalated', 'a: large amounts'],
        ['escalated', 'closed-reported', 'a: SAR filed'],
      ]);
      expect((await history.list(b)).map((c) => [c.from, c.to, c.note])).toEqual([
        [null, 'open', 'raised by contract.history 1.0.0'],
        ['open', 'closed-false-positive', 'b: payroll'],
      ]);
      await history.appendAll([]);
      expect(await history.list(b)).toHaveLength(2);
    });

    it('raises an alert once: a second raise keeps the first', async () => {
      const alertId = await newAlert();
      const first = raise(alertId, T0);
      await history.append(first);
      await history.append(first);
      await history.append({ ...raise(alertId, T0 + MINUTE), note: 'raised again' });
      await history.append(change(alertId, 'open', 'investigating', T0 + 2 * MINUTE, 'looking'));
      await history.appendAll([raise(alertId, T0 + 3 * MINUTE)]);
      const listed = await history.list(alertId);
      expect(listed).toEqual([first, expect.objectContaining({ note: 'looking' })]);
    });

    it('refuses changes to an alert that does not exist, writing nothing of the batch', async () => {
      const alertId = await newAlert();
      const missing = 'alert:contract.history:missing';
      await expect(history.append(raise(missing))).rejects.toBeInstanceOf(EntityNotFoundError);
      await expect(
        history.appendAll([raise(alertId), change(missing, 'open', 'escalated', T0, 'no')]),
      ).rejects.toBeInstanceOf(EntityNotFoundError);
      expect(await history.list(alertId)).toEqual([]);
      expect(await history.list(missing)).toEqual([]);
    });

    it('records concurrent appends to one alert without losing any', async () => {
      const alertId = await newAlert();
      await history.append(raise(alertId));
      const notes = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
      await Promise.all(
        notes.map((note, i) =>
          history.append(
            change(alertId, i % 2 === 0 ? 'open' : 'investigating', 'escalated', T0, note),
          ),
        ),
      );
      const listed = await history.list(alertId);
      expect(listed).toHaveLength(notes.length + 1);
      expect(
        listed
          .slice(1)
          .map((c) => c.note)
          .sort(),
      ).toEqual(notes);
    });

    it('answers copies: changing a listed entry changes nothing stored', async () => {
      const alertId = await newAlert();
      await history.append(raise(alertId));
      const [listed] = await history.list(alertId);
      listed.note = 'tampered';
      listed.to = 'closed-reported';
      expect(await history.list(alertId)).toEqual([raise(alertId)]);
    });

    it('keeps every history when the adapter is created again over the same storage', async () => {
      const alertId = await newAlert();
      const changes = [
        raise(alertId),
        change(alertId, 'open', 'investigating', T0 + MINUTE, 'before the restart'),
      ];
      await history.appendAll(changes);
      const reopened = await subject.reopen();
      expect(await reopened.list(alertId)).toEqual(changes);
      const after = change(alertId, 'investigating', 'open', T0 + MINUTE, 'after the restart');
      await reopened.append(after);
      expect(await reopened.list(alertId)).toEqual([...changes, after]);
      expect(await history.list(alertId)).toEqual([...changes, after]);
    });
  });
}
