import { convertMinor } from '@app/generators';
import { shippedBaseMoney } from '@app/vocabulary';
import {
  COUNTRIES,
  JURISDICTION_CURRENCIES,
  USD_RATES,
} from '../../generators/src/population/geography';
import {
  formatRate,
  intermediaryHops,
  readAttempts,
  sameCurrencyMedian,
  usdRatesFromHops,
} from './fx-rate-derivation';
import { buildShippedTable, type CurrencyEvidence } from './shipped-table';

const CODES = new Map([
  ['US Dollar', 'USD'],
  ['Euro', 'EUR'],
  ['Yen', 'JPY'],
]);

/** Hand-made AMLworld-style attempts: a scatter-gather over EUR and JPY, a USD cycle, a hub. */
const PATTERNS = `BEGIN LAUNDERING ATTEMPT - SCATTER-GATHER
2022/09/01 00:10,01,A,02,B,100.00,US Dollar,100.00,US Dollar,ACH,1
2022/09/02 00:10,02,B,03,Z,85.00,Euro,85.00,Euro,ACH,1
2022/09/01 00:20,01,A,04,C,200.00,US Dollar,200.00,US Dollar,ACH,1
2022/09/02 00:20,04,C,03,Z,172.00,Euro,172.00,Euro,ACH,1
2022/09/01 00:30,01,A,05,D,10000,Yen,10000,Yen,ACH,1
2022/09/02 00:30,05,D,03,Z,100.00,US Dollar,100.00,US Dollar,ACH,1
END LAUNDERING ATTEMPT - SCATTER-GATHER

BEGIN LAUNDERING ATTEMPT - CYCLE:  Max 3 hops
2022/09/03 10:00,01,P,02,Q,500.00,US Dollar,500.00,US Dollar,ACH,1
2022/09/04 10:00,02,Q,03,R,500.00,US Dollar,500.00,US Dollar,ACH,1
2022/09/05 10:00,03,R,01,P,500.00,Euro,500.00,Euro,ACH,1
END LAUNDERING ATTEMPT - CYCLE

BEGIN LAUNDERING ATTEMPT - GATHER-SCATTER
2022/09/06 10:00,01,X1,09,H,100.00,US Dollar,100.00,US Dollar,ACH,1
2022/09/06 11:00,01,X2,09,H,100.00,US Dollar,100.00,US Dollar,ACH,1
2022/09/07 10:00,09,H,01,Y1,300.00,Euro,300.00,Euro,ACH,1
END LAUNDERING ATTEMPT - GATHER-SCATTER
`;

describe('FX rate derivation from AMLworld hops', () => {
  const attempts = readAttempts(PATTERNS, (name) => CODES.get(name));
  const hops = intermediaryHops(attempts);

  it('pairs what a pure intermediary receives with what it forwards later', () => {
    expect(hops).toEqual([
      { inCurrency: 'USD', outCurrency: 'EUR', ratio: 0.85 },
      { inCurrency: 'USD', outCurrency: 'EUR', ratio: 0.86 },
      { inCurrency: 'JPY', outCurrency: 'USD', ratio: 0.01 },
      // The cycle: Q and R are intermediaries; P pays before it receives, so it is not one.
      { inCurrency: 'USD', outCurrency: 'USD', ratio: 1 },
      { inCurrency: 'USD', outCurrency: 'EUR', ratio: 1 },
      // The hub H (two in, one out) gives no hop.
    ]);
  });

  it('refuses a table that disagrees with the generator, naming the rate to set', () => {
    const eur: CurrencyEvidence = {
      currency: 'EUR',
      inAmlworld: true,
      inGenerator: true,
      hop: { perUsd: 0.8534, hops: 9 },
      rows: 0,
      amountScale: undefined,
      generator: '0.92',
      reference: undefined,
    };
    expect(() => buildShippedTable([eur], '/data/LI-Medium_Patterns.txt')).toThrow(
      'set USD_RATES.EUR in libs/generators/src/population/geography.ts to 0.8534',
    );
  });

  it('takes the median per currency against USD, inverting X -> USD hops', () => {
    const rates = usdRatesFromHops(hops);
    expect(rates.get('EUR')).toEqual({ perUsd: 0.86, hops: 3 });
    expect(rates.get('JPY')).toEqual({ perUsd: 100, hops: 1 });
    expect(sameCurrencyMedian(hops)).toEqual({ ratio: 1, hops: 1 });
  });

  it('writes rates as plain decimals', () => {
    expect(formatRate(0.853399880582)).toBe('0.8534');
    expect(formatRate(105.40002384786)).toBe('105.4');
    expect(formatRate(0.00005)).toBe('0.00005');
    expect(formatRate(42000)).toBe('42000');
  });

  it('prefers enough hops, then the generator, then weak evidence, and says which', () => {
    const evidence = (over: Partial<CurrencyEvidence>): CurrencyEvidence => ({
      currency: 'EUR',
      inAmlworld: true,
      inGenerator: false,
      hop: undefined,
      rows: 0,
      amountScale: undefined,
      generator: undefined,
      reference: undefined,
      ...over,
    });
    const table = buildShippedTable(
      [
        evidence({
          currency: 'EUR',
          hop: { perUsd: 0.8534, hops: 9 },
          inGenerator: true,
          generator: '0.8534',
        }),
        evidence({
          currency: 'CHF',
          hop: { perUsd: 1.13, hops: 1 },
          inGenerator: true,
          generator: '0.9',
        }),
        evidence({ currency: 'AUD', hop: { perUsd: 1.3, hops: 2 }, rows: 50, amountScale: 1.6 }),
        evidence({ currency: 'ILS', rows: 38, amountScale: 3.39 }),
        evidence({ currency: 'SAR', reference: { perUsd: '3.75', source: 'peg' } }),
      ],
      '/data/LI-Medium_Patterns.txt',
    );
    expect(table.csv).toBe(
      ['Date,USD,EUR,CHF,AUD,ILS,SAR', '1970-01-01,1,0.8534,0.9,1.3,3.39,3.75', ''].join('\n'),
    );
    expect(table.sources.get('EUR')).toContain(
      'median of 9 intermediary hops between USD and EUR in LI-Medium_Patterns.txt',
    );
    expect(table.sources.get('EUR')).toContain('the generator uses the same rate');
    expect(table.sources.get('CHF')).toContain("the generator's fixed rate");
    expect(table.sources.get('AUD')).toContain('weak: median of only 2');
    expect(table.sources.get('ILS')).toContain('amount scale');
    expect(table.sources.get('SAR')).toContain('public reference value: peg');
  });
});

describe("the shipped table and the generator's conversions", () => {
  const generated = Date.parse('2024-11-15T09:30:00Z');
  const currencies = [
    ...new Set([
      ...Object.values(COUNTRIES).map((c) => c.currency),
      ...Object.values(JURISDICTION_CURRENCIES),
      ...Object.keys(USD_RATES),
    ]),
  ];

  it.each(['USD', 'EUR'])(
    'a generated movement paid in one currency and received in another is the same %s amount within 1 minor unit',
    (base) => {
      const money = shippedBaseMoney(base);
      const mismatches: string[] = [];
      for (const from of currencies) {
        for (const to of currencies) {
          for (const paid of [1_234_567, 99_999, 1_000_000]) {
            const received = convertMinor(paid, from, to);
            const a = money.convert(paid, from, generated);
            const b = money.convert(received, to, generated);
            if (Math.abs(a - b) > 1) {
              mismatches.push(`${paid} ${from} -> ${received} ${to}: ${a} vs ${b} ${base}`);
            }
          }
        }
      }
      expect(currencies.length).toBeGreaterThan(15);
      expect(mismatches).toEqual([]);
    },
  );
});
