import { DAY, accountVertex, mv, runDetector, T0 } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { highRiskJurisdictionDetector } from './high-risk-jurisdiction.detector';

const vertices = [
  accountVertex('acc:C'),
  accountVertex('acc:IR', { accountType: 'external', country: 'IR' }),
  accountVertex('acc:FR', { accountType: 'external', country: 'FR' }),
];

describe('highRiskJurisdictionDetector', () => {
  it('fires on a wire to an account held in a listed country, naming the list date', () => {
    const { alerts } = runDetector(
      highRiskJurisdictionDetector,
      [mv('acc:C', 'acc:IR', 12_000_00, T0)],
      { vertices },
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:C');
    expect(alerts[0].explanation).toContain(
      'made in or with accounts in IR, on the high-risk jurisdiction list dated 2025-10-24',
    );
  });

  it('fires on a movement made in a listed country even with an ordinary counterparty', () => {
    const { alerts } = runDetector(
      highRiskJurisdictionDetector,
      [mv('acc:C', 'acc:FR', 100_00, T0, { country: 'KP' })],
      { vertices },
    );
    expect(alerts.map((a) => a.subject)).toEqual(['acc:C']);
  });

  it('does not fire for an unlisted country (near miss), and follows the list setting', () => {
    const movement = mv('acc:C', 'acc:FR', 12_000_00, T0);
    expect(runDetector(highRiskJurisdictionDetector, [movement], { vertices }).alerts).toHaveLength(
      0,
    );
    expect(
      runDetector(highRiskJurisdictionDetector, [movement], {
        vertices,
        overrides: { jurisdictions: ['FR'] },
      }).alerts,
    ).toHaveLength(1);
  });

  it('gathers exposure within the window into one alert and starts a new one after it', () => {
    const movements = [
      mv('acc:C', 'acc:IR', 1_000_00, T0),
      mv('acc:IR', 'acc:C', 2_000_00, T0 + 10 * DAY),
      mv('acc:C', 'acc:IR', 3_000_00, T0 + 80 * DAY),
    ];
    const { alerts } = runDetector(highRiskJurisdictionDetector, movements, { vertices });
    expect(alerts).toHaveLength(2);
    expect(alerts[0].movements).toHaveLength(2);
  });

  it('applies the minimum amount in the base currency and quotes base totals', () => {
    const money = testMoney('USD');
    const overrides = { minAmount: '5000.00' };
    // 3000 GBP = 4687.50 USD is below 5000 USD; 4000 EUR = 5000 USD is not.
    const small = mv('acc:C', 'acc:IR', 3_000_00, T0, { currency: 'GBP' });
    expect(
      runDetector(highRiskJurisdictionDetector, [small], { vertices, money, overrides }).alerts,
    ).toHaveLength(0);
    const { alerts } = runDetector(
      highRiskJurisdictionDetector,
      [small, mv('acc:IR', 'acc:C', 4_000_00, T0 + DAY, { currency: 'EUR' })],
      { vertices, money, overrides },
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      'has 1 movement totalling 4000.00 EUR = 5000.00 USD between',
    );
    expect(alerts[0].facts).toMatchObject({ baseCurrency: 'USD', totalBaseMinor: 5_000_00 });
  });
});
