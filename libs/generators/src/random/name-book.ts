import type { LocaleKey } from '../population/geography';
import type { FakerFactory } from './faker.factory';
import type { Rng } from './prng';

interface LocalePools {
  female: string[];
  male: string[];
  last: string[];
  streets: string[];
  zips: string[];
}

/** Locales whose addresses put the house number first ("12 Main Street"). */
const NUMBER_FIRST: ReadonlySet<LocaleKey> = new Set([
  'en_US',
  'en_GB',
  'en_CA',
  'en_IE',
  'en_IN',
  'en_NG',
  'fr',
]);

/**
 * Names and street names from Faker's locale data, drawn once per locale into pools and then
 * picked with the generator's own random streams. Calling Faker for each of hundreds of
 * thousands of persons is the slowest part of the large profile; the pools keep the locale
 * realism (Faker's lists are of that order anyway) at a fraction of the cost.
 */
export class NameBook {
  private readonly pools = new Map<LocaleKey, LocalePools>();

  /** `size`: names per pool; small banks need few, large ones get Faker's full variety. */
  constructor(
    private readonly fakers: FakerFactory,
    private readonly size: number,
  ) {}

  private pool(locale: LocaleKey): LocalePools {
    let pools = this.pools.get(locale);
    if (!pools) {
      const faker = this.fakers.for('name-book', locale);
      const draw = (n: number, make: () => string): string[] => Array.from({ length: n }, make);
      pools = {
        female: draw(this.size, () => faker.person.firstName('female')),
        male: draw(this.size, () => faker.person.firstName('male')),
        last: draw(2 * this.size, () => faker.person.lastName()),
        streets: draw(this.size, () => faker.location.street()),
        zips: draw(this.size, () => faker.location.zipCode()),
      };
      this.pools.set(locale, pools);
    }
    return pools;
  }

  firstName(rng: Rng, locale: LocaleKey, sex: 'female' | 'male'): string {
    return rng.pick(this.pool(locale)[sex]);
  }

  lastName(rng: Rng, locale: LocaleKey): string {
    return rng.pick(this.pool(locale).last);
  }

  /** A street address in the locale's usual order, e.g. `12 Main Street` or `Hauptstr. 12`. */
  streetAddress(rng: Rng, locale: LocaleKey): string {
    const street = rng.pick(this.pool(locale).streets);
    const number = rng.int(1, rng.chance(0.7) ? 199 : 9999);
    return NUMBER_FIRST.has(locale) ? `${number} ${street}` : `${street} ${number}`;
  }

  zipCode(rng: Rng, locale: LocaleKey): string {
    return rng.pick(this.pool(locale).zips);
  }
}
