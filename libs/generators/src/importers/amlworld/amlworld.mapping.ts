import type { AmlTypology, Channel } from '@app/vocabulary';

/**
 * AMLworld (IBM, Altman et al., NeurIPS 2023, arXiv 2306.16424) writes currencies by name.
 * ISO 4217 codes, plus BTC for Bitcoin (no ISO code; the vocabulary gives it 8 decimals).
 */
export const AMLWORLD_CURRENCIES: Readonly<Record<string, string>> = {
  'US Dollar': 'USD',
  Bitcoin: 'BTC',
  Euro: 'EUR',
  Yuan: 'CNY',
  Rupee: 'INR',
  Ruble: 'RUB',
  'Saudi Riyal': 'SAR',
  'Australian Dollar': 'AUD',
  'Canadian Dollar': 'CAD',
  'Swiss Franc': 'CHF',
  'Brazil Real': 'BRL',
  'Mexican Peso': 'MXN',
  Shekel: 'ILS',
  'UK Pound': 'GBP',
  Yen: 'JPY',
};

/** AMLworld "Payment Format" -> vocabulary channel. */
export const AMLWORLD_CHANNELS: Readonly<Record<string, Channel>> = {
  Reinvestment: 'reinvestment',
  Cheque: 'cheque',
  'Credit Card': 'credit-card',
  ACH: 'ach',
  Cash: 'cash',
  Wire: 'wire',
  Bitcoin: 'crypto',
};

/** The laundering pattern names of `*_Patterns.txt` headers -> vocabulary typology ids. */
export const AMLWORLD_TYPOLOGIES: Readonly<Record<string, AmlTypology>> = {
  'FAN-OUT': 'fan-out',
  'FAN-IN': 'fan-in',
  CYCLE: 'cycle',
  'GATHER-SCATTER': 'gather-scatter',
  'SCATTER-GATHER': 'scatter-gather',
  BIPARTITE: 'bipartite',
  STACK: 'stack',
  RANDOM: 'random',
};

/**
 * A case- and space-insensitive lookup over one of the tables above ("us dollar",
 * "US  Dollar" -> the "US Dollar" entry), with the exact spelling as the fast path.
 */
export function nameLookup<T>(table: Readonly<Record<string, T>>): (name: string) => T | undefined {
  const exact = new Map<string, T>(Object.entries(table));
  const loose = new Map<string, T>(
    Object.entries(table).map(([key, value]) => [loosen(key), value]),
  );
  return (name) => exact.get(name) ?? loose.get(loosen(name));
}

function loosen(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
