import {
  base,
  de,
  en,
  en_CA,
  en_GB,
  en_IE,
  en_IN,
  en_NG,
  en_US,
  es,
  es_MX,
  fr,
  it,
  Faker,
  type LocaleDefinition,
  pl,
  pt_BR,
  ru,
  zh_CN,
} from '@faker-js/faker';
import type { LocaleKey } from '../population/geography';
import type { RandomStreams } from './prng';

const LOCALES: Readonly<Record<LocaleKey, LocaleDefinition>> = {
  en_US,
  en_GB,
  en_CA,
  en_IE,
  de,
  fr,
  es,
  es_MX,
  it,
  pl,
  pt_BR,
  en_IN,
  en_NG,
  zh_CN,
  ru,
};

/**
 * Seeded Faker instances, one per locale and purpose. Nothing uses the global `faker`: each
 * instance is created with `new Faker({ locale })` and seeded from its own random stream, so
 * the same seed gives the same names and addresses, and a new purpose never shifts another.
 */
export class FakerFactory {
  private readonly cache = new Map<string, Faker>();

  constructor(private readonly streams: RandomStreams) {}

  for(purpose: string, locale: LocaleKey): Faker {
    const key = `${purpose}/${locale}`;
    let faker = this.cache.get(key);
    if (!faker) {
      faker = new Faker({ locale: [LOCALES[locale], en, base] });
      faker.seed(this.streams.for('faker', purpose, locale).nextU32());
      this.cache.set(key, faker);
    }
    return faker;
  }
}
