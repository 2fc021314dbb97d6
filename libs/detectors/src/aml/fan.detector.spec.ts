import {
  DAY,
  HOUR,
  MINUTE,
  accountVertex,
  defaultConfig,
  mv,
  runDetector,
  T0,
} from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import type { Movement } from '@app/vocabulary';
import { fanInDetector, fanOutDetector } from './fan.detector';

const others = (n: number, prefix = 'acc:R'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

describe('fanOutDetector', () => {
  it('fires at five new counterparties within 7 days whatever the total, naming them and the total', () => {
    const movements = others(5).map((to, i) => mv('acc:S', to, 1_000_00 + i * 10_00, T0 + i * DAY));
    const { alerts } = runDetector(fanOutDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:S');
    expect(alerts[0].parties.map((p) => p.uid)).toEqual(['acc:S', ...others(5)]);
    expect(alerts[0].explanation).toContain(
      'sent 5 transfers to 5 counterparties it had not paid in the previous 30 days',
    );
    expect(alerts[0].explanation).toContain('totalling 5100.00 USD');
    expect(alerts[0].explanation).toContain('amounts from 1000.00 USD to 1040.00 USD');
    expect(alerts[0].facts).toMatchObject({ counterparties: 5, usualBaseMinor: 0 });
  });

  it('fires on a small fan: two new counterparties paid widely spread amounts in two currencies, 10000.00 USD or more', () => {
    // AMLworld "Max 2-degree Fan-Out": 19417.72 then 19240.22, five days apart, EUR and USD.
    const movements = [
      mv('acc:S', 'acc:R1', 12_000_00, T0, { currency: 'EUR' }),
      mv('acc:S', 'acc:R2', 4_000_00, T0 + 5 * DAY),
    ];
    const { alerts } = runDetector(fanOutDetector, movements, { money: testMoney() });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('totalling 12000.00 EUR + 4000.00 USD = 19000.00 USD');
    expect(alerts[0].facts).toMatchObject({ counterparties: 2, totalBaseMinor: 19_000_00 });
    expect(alerts[0].facts.amountSpread).toBe(3.75);
  });

  it('does not fire on a small fan below 10000.00 USD (near miss), nor at one counterparty however large', () => {
    const small = others(4).map((to, i) => mv('acc:S', to, 2_400_00, T0 + i * HOUR));
    expect(runDetector(fanOutDetector, small).alerts).toHaveLength(0);
    const single = [
      mv('acc:S', 'acc:R1', 90_000_00, T0),
      mv('acc:S', 'acc:R1', 90_000_00, T0 + DAY),
    ];
    expect(runDetector(fanOutDetector, single).alerts).toHaveLength(0);
  });

  it('does not take one large payment beside a small everyday one for a small fan', () => {
    const movements = [
      mv('acc:S', 'acc:Car', 18_000_00, T0),
      mv('acc:S', 'acc:Plumber', 900_00, T0 + 2 * DAY),
      mv('acc:S', 'acc:Dentist', 700_00, T0 + 3 * DAY),
    ];
    expect(runDetector(fanOutDetector, movements).alerts).toHaveLength(0);
    const spread = runDetector(fanOutDetector, movements, { overrides: { minSpreadShare: 0.05 } });
    expect(spread.alerts).toHaveLength(1);
    expect(spread.alerts[0].facts.spreadShare).toBe(0.082);
  });

  it('does not count counterparties already paid in the previous 30 days (family sending money monthly)', () => {
    const family = [0, 1, 2].flatMap((month) =>
      ['acc:Mother', 'acc:Brother'].map((to) =>
        mv('acc:S', to, 6_000_00, T0 + month * 28 * DAY, { reference: 'family support' }),
      ),
    );
    expect(runDetector(fanOutDetector, family).alerts).toHaveLength(1);
    // Both were paid before (the brother only a small amount): they are known, not new.
    const known = [
      mv('acc:S', 'acc:Mother', 6_000_00, T0 - 20 * DAY),
      mv('acc:S', 'acc:Brother', 50_00, T0 - 10 * DAY, { channel: 'internal' }),
      ...family,
    ];
    expect(runDetector(fanOutDetector, known).alerts).toHaveLength(0);
  });

  it('does not fire when the burst is within 3 times what the account usually pays out', () => {
    const usual = Array.from({ length: 8 }, (_, i) =>
      mv('acc:S', 'acc:Supplier', 15_000_00, T0 - 28 * DAY + i * 3 * DAY),
    );
    const burst = others(2).map((to, i) => mv('acc:S', to, 8_000_00, T0 + i * HOUR));
    // Usual: 105000.00 USD in the 30 days before the burst, 24500.00 USD per 7 days; the burst
    // to two new counterparties moves 16000.00 USD.
    expect(runDetector(fanOutDetector, [...usual, ...burst]).alerts).toHaveLength(0);
    expect(
      runDetector(fanOutDetector, [...usual, ...burst], { overrides: { spikeFactor: 0.5 } }).alerts,
    ).toHaveLength(1);
  });

  it('does not fire when the fifth counterparty is paid more than 7 days after the first', () => {
    const movements = others(5).map((to, i) =>
      mv('acc:S', to, 1_000_00, i < 4 ? T0 + i * HOUR : T0 + 8 * DAY),
    );
    expect(runDetector(fanOutDetector, movements).alerts).toHaveLength(0);
  });

  it('grows one alert as more counterparties are paid, its score rising with the degree', () => {
    const movements = others(8).map((to, i) => mv('acc:S', to, 2_000_00, T0 + i * HOUR));
    const { raised, alerts } = runDetector(fanOutDetector, movements);
    expect(raised).toHaveLength(4);
    expect(new Set(raised.map((r) => r.fingerprint)).size).toBe(1);
    expect(alerts[0].facts.counterparties).toBe(8);
    expect(raised[3].score).toBeGreaterThan(raised[0].score);
  });

  it('does not fire on a payroll run (decoy): thirty salaries paid in seconds', () => {
    const payroll = others(30, 'acc:E').map((to, i) =>
      mv('acc:Employer', to, 3_150_00 + i * 7_00, T0 + i * 1000, {
        channel: 'ach',
        reference: 'salary',
      }),
    );
    expect(runDetector(fanOutDetector, payroll).alerts).toHaveLength(0);
    // The same payments without the payroll purpose code are a fan-out.
    const unlabelled = payroll.map((m) => ({ ...m, reference: undefined }));
    expect(runDetector(fanOutDetector, unlabelled).alerts).toHaveLength(1);
  });

  it('ignores card purchases and small amounts, and accounts at other banks as keys', () => {
    const shopping = others(8, 'acc:M').map((to, i) =>
      mv('acc:S', to, 2_000_00, T0 + i * HOUR, { channel: 'card' }),
    );
    const small = others(8).map((to, i) =>
      mv('acc:S', to, 20_00, T0 + i * HOUR, { channel: 'internal' }),
    );
    expect(runDetector(fanOutDetector, [...shopping, ...small]).alerts).toHaveLength(0);
    const external = others(6).map((to, i) => mv('acc:X', to, 2_000_00, T0 + i * HOUR));
    const vertices = [accountVertex('acc:X', { accountType: 'external' })];
    expect(runDetector(fanOutDetector, external, { vertices }).alerts).toHaveLength(0);
  });

  it('does not count payees paid by the public: a biller paid by thirty customers in the month before', () => {
    const customers = others(30, 'acc:Cust').map((from, i) =>
      mv(from, 'acc:Biller', 120_00, T0 - 25 * DAY + i * 12 * HOUR, { channel: 'ach' }),
    );
    const payments = [
      mv('acc:S', 'acc:Biller', 6_000_00, T0, { channel: 'ach' }),
      mv('acc:S', 'acc:Friend', 5_000_00, T0 + DAY, { channel: 'ach' }),
    ];
    expect(runDetector(fanOutDetector, [...customers, ...payments]).alerts).toHaveLength(0);
    expect(runDetector(fanOutDetector, payments).alerts).toHaveLength(1);
  });

  it('only tracks keys in the key filter (batch replay of store candidates)', () => {
    const movements = [
      ...others(5).map((to, i) => mv('acc:S', to, 1_000_00, T0 + i * HOUR)),
      ...others(5).map((to, i) => mv('acc:T', to, 1_000_00, T0 + i * HOUR)),
    ];
    const { alerts } = runDetector(fanOutDetector, movements, { keyFilter: new Set(['acc:T']) });
    expect(alerts.map((a) => a.subject)).toEqual(['acc:T']);
  });
});

describe('fanInDetector', () => {
  it('fires when five new senders pay one account within 7 days', () => {
    const movements = others(5, 'acc:P').map((from, i) =>
      mv(from, 'acc:B', 1_500_00, T0 + i * DAY),
    );
    const { alerts } = runDetector(fanInDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      'received 5 transfers from 5 counterparties it had not been paid by in the previous 30 days',
    );
  });

  it('does not fire with four senders moving 6000.00 USD (near miss)', () => {
    const movements = others(4, 'acc:P').map((from, i) =>
      mv(from, 'acc:B', 1_500_00, T0 + i * DAY),
    );
    expect(runDetector(fanInDetector, movements).alerts).toHaveLength(0);
  });

  it('does not fire on a merchant paid by card by forty customers in a day (decoy)', () => {
    const sales = others(40, 'acc:C').map((from, i) =>
      mv(from, 'acc:Shop', 1_200_00 + i, T0 + i * 10 * MINUTE, { channel: 'card' }),
    );
    expect(runDetector(fanInDetector, sales).alerts).toHaveLength(0);
  });

  it('does not fire on salary then rent, nor on a family passing money back and forth monthly', () => {
    const life = [0, 1, 2].flatMap((month) => [
      mv('acc:Employer', 'acc:B', 5_200_00, T0 + month * 30 * DAY, { reference: 'salary' }),
      mv('acc:B', 'acc:Landlord', 1_800_00, T0 + month * 30 * DAY + DAY, { reference: 'rent' }),
      mv('acc:Sister', 'acc:B', 6_000_00, T0 + month * 30 * DAY + 2 * DAY, { channel: 'internal' }),
      mv('acc:B', 'acc:Sister', 5_500_00, T0 + month * 30 * DAY + 9 * DAY, { channel: 'internal' }),
    ]);
    expect(runDetector(fanInDetector, life).alerts).toHaveLength(0);
    expect(runDetector(fanOutDetector, life).alerts).toHaveLength(0);
  });

  it('regression: does not take one payer paying twice beside a stranger for a small fan (a random walk passing through)', () => {
    // Medium bank, seed 42 (random-0002): 96% of the money comes from one payer.
    const movements = [
      mv('acc:W', 'acc:K', 8_109_87, T0),
      mv('acc:W', 'acc:K', 5_663_40, T0 + 4 * DAY),
      mv('acc:X', 'acc:K', 597_06, T0 + 4 * DAY + 5 * HOUR, { channel: 'ach' }),
    ];
    expect(runDetector(fanInDetector, movements).alerts).toHaveLength(0);
    // Two payers carrying the money between them are a small fan.
    const two = movements.map((m, i) => (i === 1 ? { ...m, fromAccount: 'acc:W2' } : m));
    const { alerts } = runDetector(fanInDetector, two);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].facts.spreadShare).toBe(0.436);
  });

  it('regression: does not count payers that pay the public (two transfers from accounts that paid 40 different accounts each in the month before)', () => {
    // Medium bank, seed 42: a quiet account receives 4516.02 and 5488.32 USD from two accounts at
    // other banks within three days, with no counted transfer in the month before; each payer
    // paid dozens of the bank's customers in those weeks (a business paying the public).
    // Each payer paid `n` different accounts in the 30 days before, about one every 16 hours.
    const paidBefore = (n: number): Movement[] =>
      ['acc:X1', 'acc:X2'].flatMap((payer, p) =>
        others(n, `acc:C${p}-`).map((to, i) =>
          mv(payer, to, 300_00 + i, T0 - 30 * DAY + i * 16 * HOUR, { channel: 'ach' }),
        ),
      );
    const publicLife = paidBefore(40);
    const fan = [
      mv('acc:X1', 'acc:Quiet', 4_516_02, T0 + 2 * HOUR, { channel: 'ach' }),
      mv('acc:X2', 'acc:Quiet', 5_488_32, T0 + 2 * DAY + 9 * HOUR, { channel: 'ach' }),
    ];
    expect(runDetector(fanInDetector, [...publicLife, ...fan]).alerts).toHaveLength(0);
    // The same two payments from payers that paid a handful of others are a small fan.
    const { alerts } = runDetector(fanInDetector, [...paidBefore(4), ...fan]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].facts).toMatchObject({ counterparties: 2, publicCounterparties: 0 });
    // With the test off (publicReach 0) the payers count again.
    const off = runDetector(fanInDetector, [...publicLife, ...fan], {
      overrides: { publicReach: 0 },
    });
    expect(off.alerts).toHaveLength(1);
  });

  it('leaves a payer of the public out of a broad fan and says so, the other payers still counting', () => {
    const employer = others(25, 'acc:E').map((to, i) =>
      mv('acc:Payroll', to, 2_000_00, T0 - 20 * DAY + i * HOUR, { channel: 'ach' }),
    );
    const fan = [
      mv('acc:Payroll', 'acc:B', 1_500_00, T0, { channel: 'ach' }),
      ...others(5, 'acc:P').map((from, i) => mv(from, 'acc:B', 1_500_00, T0 + (i + 1) * HOUR)),
    ];
    const { alerts } = runDetector(fanInDetector, [...employer, ...fan]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].facts).toMatchObject({ counterparties: 5, publicCounterparties: 1 });
    expect(alerts[0].parties.map((p) => p.uid)).not.toContain('acc:Payroll');
    expect(alerts[0].explanation).toContain(
      '(1 counterparty that paid 20 or more different accounts in 37 days left out)',
    );
  });

  it('reads every movement in batch mode over the store when it weighs payers (scan plan)', () => {
    const params = fanInDetector.defaults(defaultConfig());
    expect(fanInDetector.batchPlan(params, testMoney())).toEqual({ kind: 'scan' });
    const off = fanInDetector.batchPlan({ ...params, publicReach: 0 }, testMoney());
    expect(off.kind).toBe('accounts');
  });

  it('compares amounts in the base currency: a fan-in in euro and yen over 10000.00 USD', () => {
    const movements = [
      mv('acc:P1', 'acc:B', 4_000_00, T0, { currency: 'EUR' }),
      mv('acc:P2', 'acc:B', 600_000, T0 + DAY, { currency: 'JPY' }), // 5000.00 USD
      mv('acc:P3', 'acc:B', 2_000_00, T0 + 2 * DAY),
    ];
    const { alerts } = runDetector(fanInDetector, movements, { money: testMoney() });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('2000.00 USD = 12000.00 USD');
    const euroOnly = movements.slice(0, 1).concat(movements.slice(2));
    expect(runDetector(fanInDetector, euroOnly, { money: testMoney() }).alerts).toHaveLength(0);
  });
});
