import { AlertRepository, GraphAlertStatusHistory } from '@app/detectors';
import { MemoryGraphStore } from '@app/graph-store';
import { ConflictError, FixedClock } from '@app/vocabulary';
import type { AlertVertex } from '@app/vocabulary';
import { caseDetailView } from './case.view';
import { CasesService } from './cases.service';
import { MemoryCaseStore } from './memory.case-store';

const T0 = Date.UTC(2025, 0, 6, 10);
const ACTOR = 'key-analyst';

function alert(uid: string): AlertVertex {
  return {
    label: 'Alert',
    uid,
    props: {
      ruleId: 'aml.fan-out',
      ruleVersion: '1.0.0',
      typology: 'fan-out',
      score: 0.8,
      severity: 'high',
      status: 'open',
      explanation: 'account:u:A paid 10000.00 USD to 5 accounts',
      fingerprint: uid,
      createdAt: T0,
      updatedAt: T0,
      windowStart: T0,
      windowEnd: T0 + 1,
      movementIds: ['mv:1'],
    },
  };
}

async function setUp(): Promise<{
  service: CasesService;
  caseId: string;
  alerts: AlertRepository;
}> {
  const graph = new MemoryGraphStore();
  await graph.upsertVertices([alert('alert:u:1'), alert('alert:u:2'), alert('alert:u:3')]);
  const clock = new FixedClock(T0);
  const alerts = new AlertRepository(graph, new GraphAlertStatusHistory(graph), clock);
  const service = new CasesService(new MemoryCaseStore(), graph, clock, alerts);
  const record = await service.create(
    { title: 'Fan-out', alertIds: ['alert:u:1', 'alert:u:2'], assignee: 'user:alice' },
    ACTOR,
  );
  return { service, caseId: record.caseId, alerts };
}

async function conflictOf(promise: Promise<unknown>): Promise<ConflictError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(ConflictError);
  return thrown as ConflictError;
}

async function moveTo(service: CasesService, caseId: string, ...path: string[]): Promise<void> {
  for (const status of path) {
    await service.update(
      caseId,
      status === 'closed'
        ? { status: 'closed', closeReason: 'reported' }
        : { status: status as 'investigating' | 'escalated' | 'reported' },
      ACTOR,
    );
  }
}

describe('CasesService: what a reported or closed case keeps', () => {
  it('keeps the alerts of a reported case as filed: no alert out or in (409 naming the status)', async () => {
    const { service, caseId } = await setUp();
    await moveTo(service, caseId, 'investigating', 'escalated', 'reported');

    const removed = await conflictOf(service.removeAlert(caseId, 'alert:u:2'));
    expect(removed.message).toContain(`Case ${caseId} is reported`);
    expect(removed.message).toContain('allowed next: closed');
    const added = await conflictOf(service.addAlerts(caseId, ['alert:u:3']));
    expect(added.message).toContain(`Case ${caseId} is reported`);
    expect((await service.get(caseId)).alertIds).toEqual(['alert:u:1', 'alert:u:2']);

    // Closing and reopening (both in the history) gives a case whose alerts can change again.
    await moveTo(service, caseId, 'closed', 'investigating');
    await service.removeAlert(caseId, 'alert:u:2');
    const after = await service.get(caseId);
    expect(after.alertIds).toEqual(['alert:u:1']);
    expect(after.history.map((h) => h.to)).toEqual([
      'open',
      'investigating',
      'escalated',
      'reported',
      'closed',
      'investigating',
    ]);
  });

  it('refuses title, assignee and notes on a closed case until it is reopened', async () => {
    const { service, caseId } = await setUp();
    await moveTo(service, caseId, 'closed');

    const title = await conflictOf(
      service.update(caseId, { title: 'changed after close', assignee: 'user:mallory' }, ACTOR),
    );
    expect(title.message).toBe(
      `Case ${caseId} is closed; reopen it (status investigating) before changing its title or assignee`,
    );
    await conflictOf(service.update(caseId, { assignee: null }, ACTOR));
    const note = await conflictOf(service.addNote(caseId, { text: 'later remark' }, ACTOR));
    expect(note.message).toContain('is closed; reopen it (status investigating)');
    const kept = await service.get(caseId);
    expect(kept).toMatchObject({ title: 'Fan-out', assignee: 'user:alice', notes: [] });

    // Reopening, alone or with the change in the same request, lets the case change again.
    const reopened = await service.update(
      caseId,
      { status: 'investigating', title: 'Fan-out, again' },
      ACTOR,
    );
    expect(reopened).toMatchObject({ status: 'investigating', title: 'Fan-out, again' });
    await service.addNote(caseId, { text: 'New deposits.' }, ACTOR);
    expect((await service.get(caseId)).notes).toHaveLength(1);
  });
});

describe('CasesService: closing a case closes its alerts the same way', () => {
  it('closes the open alerts of a case closed as a false positive, each with a status change naming the case; alerts outside the case stay open', async () => {
    const { service, caseId, alerts } = await setUp();
    await alerts.changeStatus('alert:u:2', 'escalated', 'Large amounts', 'key-lead');
    await service.update(
      caseId,
      { status: 'closed', closeReason: 'false-positive', note: 'Payroll run of the employer' },
      ACTOR,
    );
    expect((await alerts.get('alert:u:1')).status).toBe('closed-false-positive');
    expect((await alerts.get('alert:u:2')).status).toBe('closed-false-positive');
    expect((await alerts.get('alert:u:3')).status).toBe('open');
    const history = await alerts.statusHistory('alert:u:2');
    expect(history.at(-1)).toEqual(
      expect.objectContaining({
        from: 'escalated',
        to: 'closed-false-positive',
        actor: ACTOR,
        note: `Closed together with case ${caseId} (false-positive): Payroll run of the employer`,
      }),
    );
  });

  it('closes them as reported when the case is closed as reported, and keeps an alert an analyst closed already as it is', async () => {
    const { service, caseId, alerts } = await setUp();
    await alerts.changeStatus('alert:u:1', 'closed-false-positive', 'Known payee', 'key-lead');
    await moveTo(service, caseId, 'investigating', 'escalated', 'reported', 'closed');
    expect((await alerts.get('alert:u:1')).status).toBe('closed-false-positive');
    expect((await alerts.get('alert:u:2')).status).toBe('closed-reported');
    expect(await alerts.statusHistory('alert:u:1')).toHaveLength(1);
  });

  it('keeps the case open when an alert could not be closed (a write the store lost), and finishes the close when it is sent again', async () => {
    const { service, caseId, alerts } = await setUp();
    const real = alerts.changeStatus.bind(alerts);
    const refuse = jest
      .spyOn(alerts, 'changeStatus')
      .mockRejectedValueOnce(new ConflictError('Another write changed the vertex first'));
    const close = { status: 'closed' as const, closeReason: 'false-positive' as const };
    await expect(service.update(caseId, close, ACTOR)).rejects.toThrow('Another write');
    expect((await service.get(caseId)).status).toBe('open');
    expect((await alerts.get('alert:u:1')).status).toBe('open');

    refuse.mockImplementation(real);
    await service.update(caseId, close, ACTOR);
    expect((await service.get(caseId)).status).toBe('closed');
    expect((await alerts.get('alert:u:1')).status).toBe('closed-false-positive');
    expect((await alerts.get('alert:u:2')).status).toBe('closed-false-positive');
  });

  it('skips an alert closed by someone else while the case closes, and cuts the note to what an alert note holds', async () => {
    const { service, caseId, alerts } = await setUp();
    const real = alerts.changeStatus.bind(alerts);
    jest.spyOn(alerts, 'changeStatus').mockImplementation(async (alertId, to, note, actor) => {
      if (alertId === 'alert:u:1') {
        await real(alertId, 'closed-reported', 'SAR filed', 'key-lead');
        throw new ConflictError(`Alert ${alertId} is closed-reported`);
      }
      return real(alertId, to, note, actor);
    });
    await service.update(
      caseId,
      { status: 'closed', closeReason: 'false-positive', note: 'x'.repeat(2_000) },
      ACTOR,
    );
    expect((await alerts.get('alert:u:1')).status).toBe('closed-reported');
    const last = (await alerts.statusHistory('alert:u:2')).at(-1);
    expect(last?.to).toBe('closed-false-positive');
    expect(last?.note).toHaveLength(2_000);
  });

  it('leaves the alerts as they are when the case is closed for no further action or as a duplicate', async () => {
    for (const closeReason of ['no-further-action', 'duplicate'] as const) {
      const { service, caseId, alerts } = await setUp();
      await service.update(caseId, { status: 'closed', closeReason }, ACTOR);
      expect((await alerts.get('alert:u:1')).status).toBe('open');
      expect(await alerts.statusHistory('alert:u:1')).toEqual([]);
    }
  });
});

describe('caseDetailView', () => {
  it('shows alert contents only when asked to, keeping the alert ids', async () => {
    const { service, caseId } = await setUp();
    const detail = await service.detail(caseId);
    const full = caseDetailView(detail, true);
    expect(full.alerts.map((a) => a.alertId)).toEqual(['alert:u:1', 'alert:u:2']);
    const viewer = caseDetailView(detail, false);
    expect(viewer.alerts).toEqual([]);
    expect(viewer.alertIds).toEqual(['alert:u:1', 'alert:u:2']);
    expect(JSON.stringify(viewer)).not.toContain('10000.00');
  });
});
