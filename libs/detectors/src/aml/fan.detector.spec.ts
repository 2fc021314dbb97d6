import { DAY, HOUR, MINUTE, accountVertex, mv, runDetector, T0 } from '../testing/fixtures';
import { fanInDetector, fanOutDetector, similarGroup } from './fan.detector';

const others = (n: number, prefix = 'acc:R'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

describe('fanOutDetector', () => {
  it('fires at five distinct counterparties paid similar amounts within 30 days, naming them and the total', () => {
    const movements = others(5).map((to, i) => mv('acc:S', to, 2_000_00 + i * 10_00, T0 + i * DAY));
    const { alerts } = runDetector(fanOutDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:S');
    expect(alerts[0].parties.map((p) => p.uid)).toEqual(['acc:S', ...others(5)]);
    expect(alerts[0].explanation).toContain(
      'sent 5 payments of similar amounts (2000.00 USD to 2040.00 USD) to 5 distinct counterparties',
    );
    expect(alerts[0].explanation).toContain('totalling 10100.00 USD');
  });

  it('does not fire at four counterparties (near miss), however many payments', () => {
    const movements = [...others(4), ...others(4)].map((to, i) =>
      mv('acc:S', to, 2_000_00, T0 + i * HOUR),
    );
    expect(runDetector(fanOutDetector, movements).alerts).toHaveLength(0);
  });

  it('does not fire when the fifth counterparty is paid a day after the first left the window', () => {
    const movements = others(5).map((to, i) =>
      mv('acc:S', to, 2_000_00, i < 4 ? T0 + i * HOUR : T0 + 31 * DAY),
    );
    expect(runDetector(fanOutDetector, movements).alerts).toHaveLength(0);
  });

  it('does not group amounts that are not similar (one of five 30% larger)', () => {
    const amounts = [2_000_00, 2_050_00, 2_100_00, 2_200_00, 2_700_00];
    const movements = others(5).map((to, i) => mv('acc:S', to, amounts[i], T0 + i * HOUR));
    expect(runDetector(fanOutDetector, movements).alerts).toHaveLength(0);
    expect(
      runDetector(fanOutDetector, movements, { overrides: { similarAmountTolerance: 0 } }).alerts,
    ).toHaveLength(1);
  });

  it('grows one alert as more counterparties are paid', () => {
    const movements = others(8).map((to, i) => mv('acc:S', to, 2_000_00, T0 + i * HOUR));
    const { raised, alerts } = runDetector(fanOutDetector, movements);
    expect(raised).toHaveLength(4);
    expect(new Set(raised.map((r) => r.fingerprint)).size).toBe(1);
    expect(alerts[0].facts.counterparties).toBe(8);
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
  it('fires when five distinct senders pay one account similar amounts within 30 days', () => {
    const movements = others(5, 'acc:P').map((from, i) =>
      mv(from, 'acc:B', 1_500_00, T0 + i * DAY),
    );
    const { alerts } = runDetector(fanInDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('received 5 payments of similar amounts');
    expect(alerts[0].explanation).toContain('from 5 distinct counterparties');
  });

  it('does not fire with four senders (near miss)', () => {
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

  it('compares what the key received, in its own currency', () => {
    const movements = others(5, 'acc:P').map((from, i) => ({
      ...mv(from, 'acc:B', (1 + i) * 1_000_00, T0 + i * HOUR, { currency: 'EUR' }),
      receivedAmountMinor: 1_100_00,
      receivedCurrency: 'USD',
    }));
    const { alerts } = runDetector(fanInDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('(1100.00 USD to 1100.00 USD)');
  });
});

describe('similarGroup', () => {
  it('finds the largest band of similar amounts around the pivot', () => {
    const ms = [100, 104, 110, 126, 300].map((a, i) => mv('acc:S', `acc:R${i}`, a, T0 + i));
    const group = similarGroup(ms, ms[1], (m) => m.toAccount, 0.1);
    expect(group.map((m) => m.amountMinor)).toEqual([100, 104, 110]);
  });
});
