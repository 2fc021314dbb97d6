import type { DetectedAlert, StreamDetectionService } from '@app/detectors';
import { movement } from './ingest.fixtures';
import { DetectorsMovementDetector, streamAlertOf } from './movement-detector';

const m1 = movement(1, 1, 2, 900_000);
const m2 = movement(2, 1, 3, 950_000);

const detected: DetectedAlert = {
  alertId: 'alert:aml.structuring:fp-1',
  ruleId: 'aml.structuring',
  ruleVersion: '2.1.0',
  typology: 'structuring',
  severity: 'high',
  score: 0.75,
  explanation: 'two deposits just under the threshold',
  fingerprint: 'fp-1',
  subject: 'account:b1:1',
  windowStart: m1.timestamp,
  windowEnd: m2.timestamp,
  movements: [m1, m2],
  parties: [
    { uid: 'account:b1:1', role: 'subject' },
    { uid: 'account:b1:2', role: 'counterparty' },
  ],
  facts: { count: 2 },
};

describe('MovementDetector over @app/detectors', () => {
  it('publishes an alert with its evidence as movement ids and its parties', () => {
    expect(streamAlertOf(detected)).toEqual({
      alertId: 'alert:aml.structuring:fp-1',
      ruleId: 'aml.structuring',
      ruleVersion: '2.1.0',
      typology: 'structuring',
      severity: 'high',
      score: 0.75,
      explanation: 'two deposits just under the threshold',
      fingerprint: 'fp-1',
      subject: 'account:b1:1',
      windowStart: m1.timestamp,
      windowEnd: m2.timestamp,
      movementIds: ['mv:test:1', 'mv:test:2'],
      parties: [
        { uid: 'account:b1:1', role: 'subject' },
        { uid: 'account:b1:2', role: 'counterparty' },
      ],
    });
  });

  it('publishes the learned model risk with the alert, and no risk field without a model', () => {
    const risk = {
      modelVersion: 'risk-7',
      score: 0.91,
      threshold: 0.4,
      reasons: [{ feature: 'senderOutDistinct7d', effect: 1.25, text: 'paid 9 accounts' }],
    };
    expect(streamAlertOf({ ...detected, risk }).risk).toEqual(risk);
    expect('risk' in streamAlertOf(detected)).toBe(false);
  });

  it('hands each movement to StreamDetectionService and maps what it raises', async () => {
    const calls: string[] = [];
    const service = {
      onMovement: (m: typeof m1) => {
        calls.push(m.movementId);
        return Promise.resolve(m.movementId === 'mv:test:2' ? [detected] : []);
      },
    } as unknown as StreamDetectionService;
    const detector = new DetectorsMovementDetector(service);
    expect(await detector.onMovement(m1)).toEqual([]);
    const [alert] = await detector.onMovement(m2);
    expect(alert.alertId).toBe('alert:aml.structuring:fp-1');
    expect(calls).toEqual(['mv:test:1', 'mv:test:2']);
  });
});
