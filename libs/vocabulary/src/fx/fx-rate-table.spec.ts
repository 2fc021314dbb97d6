import { InvalidInputError } from '../errors';
import { FxRateTable } from './fx-rate-table';

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

/** The ECB's own layout: newest row first, a trailing comma, N/A and blanks. */
const ECB = [
  'Date,USD,JPY,BTC,',
  '2024-03-08,1.0938,160.89,N/A,',
  '2024-03-07,1.0900,,,',
  '2024-03-06,1.0850,N/A,0.00002,',
  '',
].join('\n');

function problemsOf(text: string): { field: string; rule: string }[] {
  try {
    FxRateTable.parse(text, 'rates.csv');
  } catch (error) {
    if (error instanceof InvalidInputError) return [...error.problems];
    throw error;
  }
  throw new Error('the table parsed');
}

describe('FxRateTable', () => {
  it('reads the ECB layout and keeps each rate as an exact decimal', () => {
    const table = FxRateTable.parse(ECB, 'rates.csv');
    expect(table.currencies).toEqual(['BTC', 'EUR', 'JPY', 'USD']);
    expect(table.rateOn('USD', day('2024-03-08'))?.rate).toEqual({ units: 10938n, scale: 10000n });
    expect(table.rateOn('BTC', day('2024-03-06'))?.rate).toEqual({ units: 2n, scale: 100000n });
  });

  it('uses the latest row on or before the date, per currency', () => {
    const table = FxRateTable.parse(ECB, 'rates.csv');
    // Saturday uses Friday's row.
    expect(table.rateOn('USD', day('2024-03-09') + 3_600_000)).toMatchObject({
      rate: { units: 10938n },
      from: day('2024-03-08'),
      until: Number.POSITIVE_INFINITY,
    });
    // The last instant of Thursday still uses Thursday's row.
    expect(table.rateOn('USD', day('2024-03-08') - 1)?.rate.units).toBe(10900n);
    // JPY is blank on the 7th: Wednesday has N/A too, so only the 8th gives a rate.
    expect(table.rateOn('JPY', day('2024-03-07'))).toBeUndefined();
    // BTC is N/A on the 8th and blank on the 7th: it keeps its value of the 6th.
    expect(table.rateOn('BTC', day('2024-03-08'))).toMatchObject({
      rate: { units: 2n, scale: 100000n },
      from: day('2024-03-06'),
    });
  });

  it('has no rate before its first row', () => {
    const table = FxRateTable.parse(ECB, 'rates.csv');
    expect(table.rateOn('USD', day('2024-03-06') - 1)).toBeUndefined();
    expect(table.rateOn('CHF', day('2024-03-08'))).toBeUndefined();
  });

  it('gives the same answers whatever the order of its rows', () => {
    const [header, ...rows] = ECB.trim().split('\n');
    const ascending = FxRateTable.parse([header, ...rows.reverse()].join('\n'), 'asc.csv');
    const descending = FxRateTable.parse(ECB, 'desc.csv');
    for (const at of ['2024-03-06', '2024-03-07', '2024-03-08', '2024-03-10']) {
      for (const currency of ['USD', 'JPY', 'BTC', 'EUR']) {
        expect(ascending.rateOn(currency, day(at))).toEqual(descending.rateOn(currency, day(at)));
      }
    }
  });

  it('counts the euro as 1 in the ECB layout, but not when the table lists EUR itself', () => {
    expect(FxRateTable.parse(ECB, 'ecb.csv').rateOn('EUR', day('2024-03-06'))?.rate).toEqual({
      units: 1n,
      scale: 1n,
    });
    const usdAnchored = FxRateTable.parse('Date,USD,EUR\n2024-01-01,1,0.92\n', 'usd.csv');
    expect(usdAnchored.rateOn('EUR', day('2024-01-02'))?.rate).toEqual({ units: 92n, scale: 100n });
    expect(usdAnchored.rateOn('USD', day('2024-01-02'))?.rate).toEqual({ units: 1n, scale: 1n });
  });

  it('names the file, line, column and rule of every problem', () => {
    const text = [
      'Date,USD,JPY',
      '2024-03-08,1.09,-3',
      '2024-02-30,1.09,160',
      '2024-03-07,abc,0',
      '2024-03-08,1.09,160',
      '2024-03-09,1.09',
    ].join('\n');
    expect(() => FxRateTable.parse(text, 'rates.csv')).toThrow(
      /^The FX rate table rates\.csv is invalid .*line 2, column 3 \(JPY\): must be a positive decimal number/,
    );
    const decimalRule =
      'must be a positive decimal number of JPY per 1 unit of the anchor currency (such as 1.0856), blank or N/A';
    expect(problemsOf(text)).toEqual([
      { field: 'line 2, column 3 (JPY)', rule: decimalRule },
      { field: 'line 3, column 1 (Date)', rule: 'must be a calendar date written YYYY-MM-DD' },
      { field: 'line 4, column 2 (USD)', rule: decimalRule.replace('JPY', 'USD') },
      { field: 'line 4, column 3 (JPY)', rule: decimalRule },
      { field: 'line 5, column 1 (Date)', rule: 'repeats the date of line 2' },
      { field: 'line 6, column 1 (row)', rule: 'must have 3 columns like the header, has 2' },
    ]);
  });

  it('refuses a header without Date first, with a bad or repeated code, or no rows', () => {
    expect(problemsOf('Day,USD\n2024-01-01,1\n')).toEqual([
      { field: 'line 1, column 1 (Day)', rule: 'the first column must be named "Date"' },
    ]);
    expect(problemsOf('Date,USD,usd,USD\n2024-01-01,1,1,1\n')).toEqual([
      { field: 'line 1, column 3 (usd)', rule: 'must be a three-letter currency code such as USD' },
      {
        field: 'line 1, column 4 (USD)',
        rule: 'names a currency already named by an earlier column',
      },
    ]);
    expect(problemsOf('Date,USD\n')).toEqual([
      {
        field: 'line 2, column 1 (Date)',
        rule: 'the table must have at least one dated row of rates',
      },
    ]);
    expect(problemsOf('')).toEqual([
      { field: 'line 1, column 1', rule: 'the first column must be named "Date"' },
    ]);
  });

  it('keeps the ECB trailing empty column empty', () => {
    expect(problemsOf('Date,USD,\n2024-01-01,1,7\n')).toEqual([
      { field: 'line 2, column 3', rule: 'must be empty: the header names no currency for it' },
    ]);
  });
});
