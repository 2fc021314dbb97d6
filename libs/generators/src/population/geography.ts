/**
 * Countries, cities, currencies and exchange rates of the synthetic world. Small, fixed tables:
 * realistic enough for names, addresses, locations and cross-border flows, and stable across
 * versions so that generated data stays reproducible.
 */

export interface City {
  name: string;
  latitude: number;
  longitude: number;
}

export interface CountryInfo {
  code: string;
  /** Faker locale used for names and addresses of people from this country. */
  locale: LocaleKey;
  currency: string;
  /** International dialling code without '+'. */
  dialCode: string;
  cities: readonly City[];
}

export const LOCALE_KEYS = [
  'en_US',
  'en_GB',
  'en_CA',
  'en_IE',
  'de',
  'fr',
  'es',
  'es_MX',
  'it',
  'pl',
  'pt_BR',
  'en_IN',
  'en_NG',
  'zh_CN',
  'ru',
] as const;
export type LocaleKey = (typeof LOCALE_KEYS)[number];

export const COUNTRIES: Readonly<Record<string, CountryInfo>> = {
  US: {
    code: 'US',
    locale: 'en_US',
    currency: 'USD',
    dialCode: '1',
    cities: [
      { name: 'New York', latitude: 40.7128, longitude: -74.006 },
      { name: 'Chicago', latitude: 41.8781, longitude: -87.6298 },
      { name: 'Houston', latitude: 29.7604, longitude: -95.3698 },
      { name: 'Los Angeles', latitude: 34.0522, longitude: -118.2437 },
      { name: 'Miami', latitude: 25.7617, longitude: -80.1918 },
      { name: 'Seattle', latitude: 47.6062, longitude: -122.3321 },
      { name: 'Atlanta', latitude: 33.749, longitude: -84.388 },
      { name: 'Denver', latitude: 39.7392, longitude: -104.9903 },
      { name: 'Boston', latitude: 42.3601, longitude: -71.0589 },
      { name: 'Phoenix', latitude: 33.4484, longitude: -112.074 },
    ],
  },
  CA: {
    code: 'CA',
    locale: 'en_CA',
    currency: 'CAD',
    dialCode: '1',
    cities: [
      { name: 'Toronto', latitude: 43.6532, longitude: -79.3832 },
      { name: 'Vancouver', latitude: 49.2827, longitude: -123.1207 },
    ],
  },
  GB: {
    code: 'GB',
    locale: 'en_GB',
    currency: 'GBP',
    dialCode: '44',
    cities: [
      { name: 'London', latitude: 51.5072, longitude: -0.1276 },
      { name: 'Manchester', latitude: 53.4808, longitude: -2.2426 },
    ],
  },
  IE: {
    code: 'IE',
    locale: 'en_IE',
    currency: 'EUR',
    dialCode: '353',
    cities: [{ name: 'Dublin', latitude: 53.3498, longitude: -6.2603 }],
  },
  DE: {
    code: 'DE',
    locale: 'de',
    currency: 'EUR',
    dialCode: '49',
    cities: [
      { name: 'Berlin', latitude: 52.52, longitude: 13.405 },
      { name: 'Munich', latitude: 48.1351, longitude: 11.582 },
      { name: 'Frankfurt', latitude: 50.1109, longitude: 8.6821 },
    ],
  },
  FR: {
    code: 'FR',
    locale: 'fr',
    currency: 'EUR',
    dialCode: '33',
    cities: [
      { name: 'Paris', latitude: 48.8566, longitude: 2.3522 },
      { name: 'Lyon', latitude: 45.764, longitude: 4.8357 },
    ],
  },
  ES: {
    code: 'ES',
    locale: 'es',
    currency: 'EUR',
    dialCode: '34',
    cities: [
      { name: 'Madrid', latitude: 40.4168, longitude: -3.7038 },
      { name: 'Barcelona', latitude: 41.3874, longitude: 2.1686 },
    ],
  },
  MX: {
    code: 'MX',
    locale: 'es_MX',
    currency: 'MXN',
    dialCode: '52',
    cities: [
      { name: 'Mexico City', latitude: 19.4326, longitude: -99.1332 },
      { name: 'Guadalajara', latitude: 20.6597, longitude: -103.3496 },
    ],
  },
  IT: {
    code: 'IT',
    locale: 'it',
    currency: 'EUR',
    dialCode: '39',
    cities: [
      { name: 'Rome', latitude: 41.9028, longitude: 12.4964 },
      { name: 'Milan', latitude: 45.4642, longitude: 9.19 },
    ],
  },
  PL: {
    code: 'PL',
    locale: 'pl',
    currency: 'PLN',
    dialCode: '48',
    cities: [{ name: 'Warsaw', latitude: 52.2297, longitude: 21.0122 }],
  },
  BR: {
    code: 'BR',
    locale: 'pt_BR',
    currency: 'BRL',
    dialCode: '55',
    cities: [
      { name: 'Sao Paulo', latitude: -23.5558, longitude: -46.6396 },
      { name: 'Rio de Janeiro', latitude: -22.9068, longitude: -43.1729 },
    ],
  },
  IN: {
    code: 'IN',
    locale: 'en_IN',
    currency: 'INR',
    dialCode: '91',
    cities: [
      { name: 'Mumbai', latitude: 19.076, longitude: 72.8777 },
      { name: 'Delhi', latitude: 28.7041, longitude: 77.1025 },
    ],
  },
  NG: {
    code: 'NG',
    locale: 'en_NG',
    currency: 'NGN',
    dialCode: '234',
    cities: [{ name: 'Lagos', latitude: 6.5244, longitude: 3.3792 }],
  },
  CN: {
    code: 'CN',
    locale: 'zh_CN',
    currency: 'CNY',
    dialCode: '86',
    cities: [
      { name: 'Shanghai', latitude: 31.2304, longitude: 121.4737 },
      { name: 'Shenzhen', latitude: 22.5431, longitude: 114.0579 },
    ],
  },
  RU: {
    code: 'RU',
    locale: 'ru',
    currency: 'RUB',
    dialCode: '7',
    cities: [{ name: 'Moscow', latitude: 55.7558, longitude: 37.6173 }],
  },
};

/** Where the bank's customers live (Latin-script locales, so that addresses normalise well). */
export const RESIDENCE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['US', 90],
  ['CA', 2],
  ['GB', 2],
  ['DE', 2],
  ['FR', 1],
  ['ES', 1],
  ['MX', 1],
  ['IE', 1],
];

/** Nationalities of US residents (others mostly hold their residence's nationality). */
export const NATIONALITY_WEIGHTS: readonly (readonly [string, number])[] = [
  ['US', 78],
  ['MX', 5],
  ['IN', 3],
  ['CN', 2],
  ['GB', 2],
  ['DE', 2],
  ['NG', 2],
  ['BR', 2],
  ['PL', 1],
  ['IT', 1],
  ['RU', 1],
  ['FR', 1],
];

/** Jurisdictions of ordinary operating companies. */
export const ONSHORE_JURISDICTIONS: readonly (readonly [string, number])[] = [
  ['US', 85],
  ['GB', 4],
  ['DE', 4],
  ['CA', 3],
  ['IE', 2],
  ['FR', 2],
];

/** Offshore and secrecy jurisdictions used by holding layers and shells (not high-risk by default). */
export const OFFSHORE_JURISDICTIONS = [
  'VG',
  'KY',
  'PA',
  'SC',
  'BZ',
  'BS',
  'CY',
  'LU',
  'MT',
  'AE',
  'HK',
  'SG',
] as const;

/** The detectors' default high-risk list (DETECTORS_HIGH_RISK_JURISDICTIONS). */
export const DEFAULT_HIGH_RISK_JURISDICTIONS: readonly string[] = ['KP', 'IR', 'MM'];

/** Foreign places used by account takeover and impossible travel (far from every US city). */
export const FAR_AWAY_PLACES: readonly (City & { country: string })[] = [
  { country: 'RU', name: 'Moscow', latitude: 55.7558, longitude: 37.6173 },
  { country: 'NG', name: 'Lagos', latitude: 6.5244, longitude: 3.3792 },
  { country: 'CN', name: 'Shanghai', latitude: 31.2304, longitude: 121.4737 },
  { country: 'RO', name: 'Bucharest', latitude: 44.4268, longitude: 26.1025 },
  { country: 'VN', name: 'Hanoi', latitude: 21.0278, longitude: 105.8342 },
  { country: 'ID', name: 'Jakarta', latitude: -6.2088, longitude: 106.8456 },
  { country: 'UA', name: 'Kyiv', latitude: 50.4501, longitude: 30.5234 },
];

/**
 * Units of the currency per 1 USD; fixed for the whole simulated period. Where AMLworld's own
 * transfers imply a rate (EUR, GBP, CAD, INR, CNY, RUB, JPY; see the shipped FX table in
 * @app/vocabulary and libs/vocabulary/scripts/derive-fx-rates.ts), the generator uses that rate,
 * so that laundering grafted from AMLworld (`--inject-patterns`) and our own traffic live in one
 * world of prices; the others are round values of the same era.
 */
export const USD_RATES: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 0.8534,
  GBP: 0.7742,
  CAD: 1.3193,
  MXN: 17.1,
  PLN: 3.98,
  BRL: 4.97,
  INR: 73.444,
  NGN: 1450,
  CNY: 6.6976,
  RUB: 77.8041,
  JPY: 105.4,
  CHF: 0.9,
  AED: 3.6725,
  HKD: 7.82,
  SGD: 1.35,
  IRR: 42000,
  MMK: 2100,
  KPW: 900,
};

/** Currency of accounts held in a jurisdiction that has no entry in COUNTRIES. */
export const JURISDICTION_CURRENCIES: Readonly<Record<string, string>> = {
  VG: 'USD',
  KY: 'USD',
  PA: 'USD',
  SC: 'USD',
  BZ: 'USD',
  BS: 'USD',
  CY: 'EUR',
  LU: 'EUR',
  MT: 'EUR',
  AE: 'AED',
  HK: 'HKD',
  SG: 'SGD',
  CH: 'CHF',
  IR: 'IRR',
  MM: 'MMK',
  KP: 'KPW',
  RO: 'EUR',
  VN: 'USD',
  ID: 'USD',
  UA: 'EUR',
  JP: 'JPY',
};

export function currencyOfCountry(country: string): string {
  return COUNTRIES[country]?.currency ?? JURISDICTION_CURRENCIES[country] ?? 'USD';
}

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
