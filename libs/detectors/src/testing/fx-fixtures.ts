import { DatedRateMoney, FxRateTable } from '@app/vocabulary';

/**
 * A hand-made ECB-layout table for mixed-currency rule tests: 1 EUR = 1.25 USD = 150 JPY =
 * 0.80 GBP from 2000-01-03 on, so 1 GBP = 1.5625 USD and 100 JPY = 0.8333 USD.
 */
export const TEST_FX_TABLE = FxRateTable.parse(
  'Date,USD,JPY,GBP\n2000-01-03,1.25,150,0.80\n',
  'test-fx.csv',
);

/** Money in `base` (USD unless told otherwise) over {@link TEST_FX_TABLE}. */
export function testMoney(base = 'USD'): DatedRateMoney {
  return new DatedRateMoney(TEST_FX_TABLE, base);
}
