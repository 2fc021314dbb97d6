import { MemoryAccountDirectory } from '@app/detectors';
import type { DetectedAlert } from '@app/detectors';
import { SingleCurrencyMoney } from '@app/vocabulary';
import { account, DAY, payment, T0 } from '../testing/synthetic-bank';
import { FEATURE_NAMES, FEATURES } from './feature-set';
import { MAX_RECENT_PER_ACCOUNT, MovementFeatureExtractor } from './feature-extractor';
import { MAX_USERS_PER_IDENTIFIER } from './identifier-uses';

const HOUR = 3_600_000;

function extractor(): MovementFeatureExtractor {
  const accounts = new MemoryAccountDirectory([
    account('a:sender', 'US', 10),
    account('a:mule', 'US', 400),
    account('a:x', 'KP', 400),
    ...['a:1', 'a:2', 'a:3', 'a:4'].map((uid) => account(uid)),
  ]);
  return new MovementFeatureExtractor({
    accounts,
    money: new SingleCurrencyMoney('USD'),
    highRiskJurisdictions: ['KP'],
    reportingRules: ['aml.cash-aggregation'],
  });
}

const named = (row: Float64Array): Record<string, number> =>
  Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, row[i]]));

function alertOn(movementIds: string[], parties: string[], ruleId = 'aml.fan-out'): DetectedAlert {
  return {
    alertId: `alert:${ruleId}:1`,
    ruleId,
    ruleVersion: '1',
    typology: ruleId === 'aml.cash-aggregation' ? 'structuring' : 'fan-out',
    severity: 'high',
    fingerprint: 'f',
    subject: parties[0],
    score: 0.8,
    explanation: '',
    windowStart: T0,
    windowEnd: T0,
    movements: movementIds.map((id) => payment(id, 'a:sender', 'a:1', 1, T0)),
    parties: parties.map((uid) => ({ uid, role: 'subject' })),
    facts: {},
  };
}

describe('MovementFeatureExtractor', () => {
  it('describes every feature it computes, in words', () => {
    expect(FEATURES).toHaveLength(FEATURE_NAMES.length);
    const row = extractor().onMovement(payment('m1', 'a:sender', 'a:1', 100, T0));
    expect(row).toHaveLength(FEATURE_NAMES.length);
    for (const spec of FEATURES) expect(spec.words(1)).not.toBe('');
  });

  it('reads only movements before the one it describes: fan-out counts grow one payment late', () => {
    const x = extractor();
    const rows = ['a:1', 'a:2', 'a:3', 'a:4'].map((to, i) =>
      named(x.onMovement(payment(`m${i}`, 'a:sender', to, 500, T0 + i * HOUR))),
    );
    expect(rows.map((r) => r.senderOutCount7d)).toEqual([0, 1, 2, 3]);
    expect(rows.map((r) => r.senderOutDistinct7d)).toEqual([0, 1, 2, 3]);
    expect(rows.map((r) => r.receiverInCount7d)).toEqual([0, 0, 0, 0]);
    expect(rows.map((r) => r.newCounterparty)).toEqual([1, 1, 1, 1]);
  });

  it('forgets movements older than the 7-day window and counts 24 hours apart', () => {
    const x = extractor();
    x.onMovement(payment('old', 'a:sender', 'a:1', 500, T0));
    x.onMovement(payment('recent', 'a:sender', 'a:2', 500, T0 + 7 * DAY - 2 * HOUR));
    const row = named(x.onMovement(payment('now', 'a:sender', 'a:1', 500, T0 + 7 * DAY + HOUR)));
    expect(row.senderOutCount7d).toBe(1);
    expect(row.senderOutCount1d).toBe(1);
    expect(row.newCounterparty).toBe(1);
  });

  it('sees a pass-through: a similar amount in, then out within 48 hours', () => {
    const x = extractor();
    x.onMovement(payment('in', 'a:1', 'a:mule', 10_000, T0));
    const row = named(x.onMovement(payment('out', 'a:mule', 'a:2', 9_500, T0 + 20 * HOUR)));
    expect(row.passThrough48h).toBe(1);
    expect(row.senderInflow48hRatio).toBeCloseTo(10_000 / 9_500, 6);
    const later = named(x.onMovement(payment('late', 'a:mule', 'a:3', 9_500, T0 + 50 * HOUR)));
    expect(later.passThrough48h).toBe(0);
  });

  it('uses base-currency amounts, their mean and dispersion', () => {
    const x = extractor();
    x.onMovement(payment('p1', 'a:sender', 'a:1', 100, T0));
    x.onMovement(payment('p2', 'a:sender', 'a:2', 300, T0 + HOUR));
    const row = named(x.onMovement(payment('p3', 'a:sender', 'a:3', 2_000, T0 + 2 * HOUR)));
    expect(row.amountLog10).toBeCloseTo(Math.log10(2_001), 6);
    expect(row.senderOutMeanLog10).toBeCloseTo(Math.log10(201), 6);
    expect(row.amountToSenderMean).toBeCloseTo(10, 6);
    expect(row.senderOutAmountCv).toBeCloseTo(0.5, 6);
    expect(row.roundAmount).toBe(1);
  });

  it('marks currency and payment-format changes, jurisdiction risk and borders', () => {
    const x = extractor();
    x.onMovement(payment('p1', 'a:sender', 'a:1', 100, T0));
    const row = named(
      x.onMovement(
        payment('p2', 'a:sender', 'a:x', 100, T0 + HOUR, {
          channel: 'ach',
          receivedCurrency: 'EUR',
          receivedAmountMinor: 9000,
        }),
      ),
    );
    expect(row.senderChannelChange).toBe(1);
    expect(row.crossCurrency).toBe(1);
    expect(row.jurisdictionRisk).toBe(1);
    expect(row.crossBorder).toBe(1);
    expect(row.roundAmount).toBe(1);
  });

  it('knows account age and dormancy', () => {
    const x = extractor();
    const first = named(x.onMovement(payment('p1', 'a:sender', 'a:mule', 100, T0)));
    expect(first.senderAgeDays).toBeCloseTo(10, 6);
    expect(first.receiverAgeDays).toBeCloseTo(400, 6);
    expect(first.senderIdleDays).toBeCloseTo(10, 6);
    const second = named(x.onMovement(payment('p2', 'a:mule', 'a:1', 100, T0 + 30 * DAY)));
    expect(second.senderIdleDays).toBeCloseTo(30, 6);
  });

  it('counts the AML rule alerts a movement raised, leaving reporting rules out, and remembers alerted parties', () => {
    const x = extractor();
    const hit = named(
      x.onMovement(payment('h', 'a:sender', 'a:1', 100, T0), [
        alertOn(['h'], ['a:sender']),
        alertOn(['h'], ['a:sender'], 'aml.cash-aggregation'),
        alertOn(['other'], ['a:sender'], 'aml.fan-in'),
      ]),
    );
    expect(hit.ruleHits).toBe(1);
    expect(hit.ruleMaxScore).toBeCloseTo(0.8, 6);
    const after = named(x.onMovement(payment('n', 'a:sender', 'a:2', 100, T0 + DAY)));
    expect(after.ruleHits).toBe(0);
    expect(after.partiesAlerted7d).toBe(1);
    const later = named(x.onMovement(payment('l', 'a:sender', 'a:2', 100, T0 + 9 * DAY)));
    expect(later.partiesAlerted7d).toBe(0);
  });

  it('reads cycles from the cycle search: the cycle a payment closes, then every account of it for 7 days', () => {
    const x = extractor();
    const cycle = (movementIds: string[]): DetectedAlert => ({
      ...alertOn(movementIds, ['a:sender', 'a:mule', 'a:1']),
      ruleId: 'aml.cycle',
      typology: 'cycle',
    });
    x.onMovement(payment('c1', 'a:sender', 'a:mule', 5_000, T0));
    x.onMovement(payment('c2', 'a:mule', 'a:1', 4_900, T0 + HOUR));
    const closing = named(
      x.onMovement(payment('c3', 'a:1', 'a:sender', 4_800, T0 + 2 * HOUR), [
        cycle(['c1', 'c2', 'c3']),
      ]),
    );
    expect(closing.cycleClosedAccounts).toBe(3);
    expect(closing.partiesInCycle7d).toBe(0);
    // a:mule did not take part in the closing payment, but it is an account of the cycle.
    const member = named(x.onMovement(payment('n1', 'a:mule', 'a:2', 100, T0 + DAY)));
    expect(member.cycleClosedAccounts).toBe(0);
    expect(member.partiesInCycle7d).toBe(1);
    const both = named(x.onMovement(payment('n2', 'a:sender', 'a:1', 100, T0 + 2 * DAY)));
    expect(both.partiesInCycle7d).toBe(2);
    const later = named(x.onMovement(payment('n3', 'a:mule', 'a:2', 100, T0 + 8 * DAY)));
    expect(later.partiesInCycle7d).toBe(0);
    // An alert of another typology, or a cycle alert without this payment, closes no cycle.
    const other = named(
      x.onMovement(payment('n4', 'a:2', 'a:3', 100, T0 + 9 * DAY), [
        alertOn(['n4'], ['a:2', 'a:3']),
        cycle(['elsewhere']),
      ]),
    );
    expect(other.cycleClosedAccounts).toBe(0);
  });

  it('sees money going back: the beneficiary paid the sender in the 7 days before', () => {
    const x = extractor();
    x.onMovement(payment('p1', 'a:1', 'a:2', 100, T0));
    const back = named(x.onMovement(payment('p2', 'a:2', 'a:1', 100, T0 + HOUR)));
    const same = named(x.onMovement(payment('p3', 'a:1', 'a:2', 100, T0 + 2 * HOUR)));
    const late = named(x.onMovement(payment('p4', 'a:2', 'a:1', 100, T0 + 8 * DAY)));
    expect([back.returnPayment7d, same.returnPayment7d, late.returnPayment7d]).toEqual([1, 1, 0]);
  });

  it('sees two accounts sharing a device, and a later first use does not count before it', () => {
    const x = extractor();
    const device = 'device:phone-1';
    x.onIdentifierUse({ accountId: 'a:sender', identifierUid: device, firstSeen: T0 - DAY });
    x.onIdentifierUse({ accountId: 'a:mule', identifierUid: device, firstSeen: T0 - HOUR });
    // a:1 first uses the device two hours after T0; its use is known from the start.
    x.onIdentifierUse({ accountId: 'a:1', identifierUid: device, firstSeen: T0 + 2 * HOUR });
    const toMule = named(x.onMovement(payment('p1', 'a:sender', 'a:mule', 100, T0)));
    expect(toMule.senderSharedAccounts).toBe(1);
    expect(toMule.receiverSharedAccounts).toBe(1);
    expect(toMule.partiesShareIdentifier).toBe(1);
    const before = named(x.onMovement(payment('p2', 'a:sender', 'a:1', 100, T0 + HOUR)));
    expect(before.partiesShareIdentifier).toBe(0);
    expect(before.senderSharedAccounts).toBe(1);
    expect(before.receiverSharedAccounts).toBe(0);
    const sameInstant = named(x.onMovement(payment('p3', 'a:sender', 'a:1', 100, T0 + 2 * HOUR)));
    expect(sameInstant.partiesShareIdentifier).toBe(0);
    const after = named(x.onMovement(payment('p4', 'a:sender', 'a:1', 100, T0 + 3 * HOUR)));
    expect(after.partiesShareIdentifier).toBe(1);
    expect(after.senderSharedAccounts).toBe(2);
    expect(after.receiverSharedAccounts).toBe(2);
    const words = FEATURES.find((f) => f.name === 'partiesShareIdentifier')?.words(1);
    expect(words).toBe(
      'the sender and the beneficiary use the same device, IP address, phone, e-mail or address',
    );
  });

  it('treats an identifier more than MAX_USERS_PER_IDENTIFIER accounts used as a hub that links no one', () => {
    const x = extractor();
    const wifi = 'ip:203.0.113.9';
    x.onIdentifierUse({ accountId: 'a:sender', identifierUid: wifi, firstSeen: T0 - DAY });
    x.onIdentifierUse({ accountId: 'a:mule', identifierUid: wifi, firstSeen: T0 - DAY });
    // Guests join one a minute from T0; one more than the cap has joined by T0 + cap minutes.
    for (let k = 0; k < MAX_USERS_PER_IDENTIFIER; k += 1)
      x.onIdentifierUse({
        accountId: `a:guest${k}`,
        identifierUid: wifi,
        firstSeen: T0 + k * 60_000,
      });
    const early = named(x.onMovement(payment('p1', 'a:sender', 'a:mule', 100, T0 + 30_000)));
    expect(early.senderSharedAccounts).toBe(2);
    expect(early.partiesShareIdentifier).toBe(1);
    const hub = named(x.onMovement(payment('p2', 'a:sender', 'a:mule', 100, T0 + DAY)));
    expect(hub.senderSharedAccounts).toBe(0);
    expect(hub.partiesShareIdentifier).toBe(0);
    expect(x.identifierStateSize()).toEqual({ identifiers: 1, uses: MAX_USERS_PER_IDENTIFIER });
  });

  it('keeps bounded state: at most MAX_RECENT_PER_ACCOUNT movements per account', () => {
    const x = extractor();
    for (let i = 0; i < MAX_RECENT_PER_ACCOUNT + 50; i += 1)
      x.onMovement(payment(`b${i}`, 'a:sender', 'a:1', 10, T0 + i * 60_000));
    expect(x.stateSize()).toEqual({ accounts: 2, movements: 2 * MAX_RECENT_PER_ACCOUNT });
  });

  it('a trial answers as onMovement would and leaves no trace', () => {
    const x = extractor();
    const y = extractor();
    for (const e of [x, y]) e.onMovement(payment('p1', 'a:sender', 'a:1', 100, T0));
    const tried = x.trial(() => [
      x.onMovement(payment('t1', 'a:sender', 'a:2', 100, T0 + HOUR)),
      x.onMovement(payment('t2', 'a:new', 'a:sender', 100, T0 + 2 * HOUR)),
    ]);
    expect(named(tried[0]).senderOutCount7d).toBe(1);
    const after = x.onMovement(payment('p2', 'a:sender', 'a:3', 100, T0 + 3 * HOUR));
    const reference = y.onMovement(payment('p2', 'a:sender', 'a:3', 100, T0 + 3 * HOUR));
    expect([...after]).toEqual([...reference]);
    expect(x.stateSize()).toEqual(y.stateSize());
  });
});
