import type { AccountStatus, CompanyType } from '@app/vocabulary';
import type { BankProfile } from '../profiles/bank-profile';
import { AliasTable } from '../random/alias-table';
import type { FakerFactory } from '../random/faker.factory';
import { NameBook } from '../random/name-book';
import type { RandomStreams, Rng } from '../random/prng';
import {
  type City,
  COUNTRIES,
  currencyOfCountry,
  NATIONALITY_WEIGHTS,
  OFFSHORE_JURISDICTIONS,
  ONSHORE_JURISDICTIONS,
  RESIDENCE_WEIGHTS,
} from './geography';
import { buildOwnershipStructures } from './ownership.builder';
import {
  type AccountRec,
  BANK_COUNTRY,
  BANK_ID,
  type CompanyRec,
  type CompanyRole,
  DAY_MS,
  HOUR_MS,
  type PersonRec,
  type SimulationClock,
} from './population.model';
import { PopulationRegistry } from './population.registry';

export interface PopulationContext {
  streams: RandomStreams;
  fakers: FakerFactory;
  profile: BankProfile;
  clock: SimulationClock;
  highRiskJurisdictions: readonly string[];
}

const US = COUNTRIES.US;

/** `YYYY-MM-DD` of an epoch-ms instant (UTC). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Folds a name to lower-case ASCII letters for e-mail addresses ('' when nothing is left). */
export function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

const LEGAL_SUFFIX: Readonly<Record<string, string>> = {
  US: 'Inc.',
  CA: 'Ltd.',
  GB: 'Ltd',
  IE: 'Ltd',
  DE: 'GmbH',
  FR: 'SAS',
  ES: 'S.L.',
  MX: 'S.A. de C.V.',
  PA: 'S.A.',
  LU: 'S.a r.l.',
  CY: 'Ltd',
};

/**
 * Builds the bank's parties before any money moves: branches and ATMs, operating companies,
 * households of persons with their accounts, identifiers shared the way real ones are
 * (households share an address and often the home IP, offices in one building share an IP,
 * public Wi-Fi IPs are used by many), external counterparties, and ownership structures.
 */
export function buildPopulation(ctx: PopulationContext): PopulationRegistry {
  const registry = new PopulationRegistry(ctx.clock, ctx.highRiskJurisdictions);
  const builder = new PopulationBuilder(ctx, registry);
  builder.build();
  return registry;
}

class PopulationBuilder {
  private readonly addresses = new Set<string>();
  private readonly emails = new Set<string>();
  private phoneSerial = 0;
  private readonly names: NameBook;
  private cardSerial = 0;

  constructor(
    private readonly ctx: PopulationContext,
    private readonly registry: PopulationRegistry,
  ) {
    this.names = new NameBook(
      ctx.fakers,
      Math.min(400, Math.max(40, Math.round(ctx.profile.persons / 20))),
    );
  }

  build(): void {
    this.addCashPoints();
    this.addOperatingCompanies();
    this.addPersons();
    this.assignEmployment();
    this.addContacts();
    this.addExternalAccounts();
    this.assignBillsAndSuppliers();
    this.addRemittances();
    this.addPublicWifiHubs();
    buildOwnershipStructures({ ...this.ctx, registry: this.registry });
  }

  private get clock(): SimulationClock {
    return this.ctx.clock;
  }

  /** An instant `days` before the reference time, plus up to a day of jitter. */
  private daysAgo(rng: Rng, days: number): number {
    return this.clock.windowEnd - Math.round(days * DAY_MS) - rng.int(0, DAY_MS - 1);
  }

  /** When an ordinary account was opened: mostly years ago, ~3% during the simulated period. */
  private openedAt(rng: Rng): number {
    if (rng.chance(0.03)) return this.clock.windowStart + rng.int(0, this.clock.days * DAY_MS - 1);
    return this.daysAgo(rng, this.clock.days + rng.int(30, 15 * 365));
  }

  // --- cash points ---------------------------------------------------------------------------

  private addCashPoints(): void {
    const openedAt = this.clock.windowEnd - 20 * 365 * DAY_MS;
    for (let i = 0; i < this.ctx.profile.branches; i++) {
      this.registry.addCashPoint(
        'branch',
        i + 1,
        US.cities[i % US.cities.length],
        BANK_ID,
        openedAt,
      );
    }
    for (let i = 0; i < this.ctx.profile.atms; i++) {
      this.registry.addCashPoint('atm', i + 1, US.cities[i % US.cities.length], BANK_ID, openedAt);
    }
  }

  // --- companies -----------------------------------------------------------------------------

  private addOperatingCompanies(): void {
    const rng = this.ctx.streams.for('population', 'companies');
    const count = this.ctx.profile.companies;
    const utilities = Math.max(2, Math.round(count * 0.02));
    const landlords = Math.max(2, Math.round(count * 0.08));
    const merchants = Math.max(3, Math.round(count * 0.35));
    const suppliers = Math.max(2, Math.round(count * 0.22));
    const roles: CompanyRole[] = [];
    for (let i = 0; i < count; i++) {
      roles.push(
        i < utilities
          ? 'utility'
          : i < utilities + landlords
            ? 'landlord'
            : i < utilities + landlords + merchants
              ? 'merchant'
              : i < utilities + landlords + merchants + suppliers
                ? 'supplier'
                : 'employer',
      );
    }
    // Popularity follows a Zipf-like law: a few big merchants and employers, a long tail.
    const ranks = rng.shuffle(roles.map((_, i) => i));
    let building: { address: string; ip: number; left: number } | undefined;
    for (let i = 0; i < count; i++) {
      const role = roles[i];
      const jurisdiction =
        role === 'utility' || role === 'landlord' ? 'US' : rng.weighted(ONSHORE_JURISDICTIONS);
      const country = COUNTRIES[jurisdiction] ?? US;
      const city = rng.pick(country.cities);
      const company = this.newCompany(rng, role, jurisdiction, 'company', city);
      company.popularity = 1 / Math.pow(1 + (ranks[i] ?? 0), 0.8);
      company.payroll = rng.chance(0.35) ? 'biweekly' : 'monthly';
      // Offices: a few companies share a building, its address (with their own suite) and its IP.
      if (!building || building.left <= 0) {
        const street = this.uniqueAddress(
          rng,
          country.locale === 'en_US' ? 'en_US' : country.locale,
          city,
        );
        building = {
          address: street,
          ip: this.registry.newIp(),
          left: rng.chance(0.15) ? rng.int(2, 3) : 1,
        };
      }
      building.left--;
      const address = this.registry.identifier(
        'address',
        `${building.address}, Suite ${rng.int(100, 999)}-${company.index}`,
      );
      const slug = asciiFold(company.props.name).slice(0, 18) || 'company';
      const email = this.registry.identifier(
        'email',
        this.uniqueEmail(`info@${slug}${company.index}.com`),
      );
      const phone = this.registry.newPhone(country.dialCode, 500_000_000 + this.phoneSerial++);
      company.identifiers.push(address, building.ip, email, phone, this.registry.newDevice(rng));
      const accounts = 1 + (rng.chance(0.25) ? 1 : 0);
      for (let a = 0; a < accounts; a++) {
        const currency = a === 0 || jurisdiction === 'US' ? 'USD' : currencyOfCountry(jurisdiction);
        const account = this.registry.addAccount({
          accountType: 'business',
          currency,
          openedAt: this.daysAgo(rng, this.clock.days + rng.int(60, 20 * 365)),
          status: 'active',
          bankId: BANK_ID,
          country: BANK_COUNTRY,
          city,
          holders: [{ kind: 'company', index: company.index, role: 'holder' }],
          activity: company.popularity,
          billDay: rng.int(1, 28),
        });
        account.identifiers.push(...company.identifiers);
        if (role === 'merchant' || role === 'utility' || role === 'landlord')
          this.registry.merchantAccounts.push(account.index);
        if (role === 'supplier' || role === 'employer')
          this.registry.supplierAccounts.push(account.index);
      }
    }
  }

  /** A company with a locale-appropriate name and legal suffix. Used for every kind of company. */
  newCompany(
    rng: Rng,
    role: CompanyRole,
    jurisdiction: string,
    companyType: CompanyType,
    city: City,
    scenario = false,
  ): CompanyRec {
    return addCompanyTo(this.registry, this.ctx.fakers, rng, {
      role,
      jurisdiction,
      companyType,
      city,
      scenario,
    });
  }

  // --- persons -------------------------------------------------------------------------------

  private addPersons(): void {
    const rng = this.ctx.streams.for('population', 'persons');
    const target = this.ctx.profile.persons;
    let household = 0;
    while (this.registry.persons.length < target) {
      const size = Math.min(
        target - this.registry.persons.length,
        rng.weighted([
          [1, 35],
          [2, 35],
          [3, 18],
          [4, 12],
        ] as const),
      );
      this.addHousehold(rng, household++, size);
    }
  }

  private addHousehold(rng: Rng, household: number, size: number): void {
    const residence = rng.weighted(RESIDENCE_WEIGHTS);
    const country = COUNTRIES[residence] ?? US;
    const city = rng.pick(country.cities);
    const nationality = residence === 'US' ? rng.weighted(NATIONALITY_WEIGHTS) : residence;
    const locale = (COUNTRIES[nationality] ?? country).locale;
    const names = this.names;
    const surname = names.lastName(rng, locale);
    const address = this.registry.identifier(
      'address',
      this.uniqueAddress(rng, country.locale, city),
    );
    // About half of the households bank online from one home connection.
    const sharedIp = size > 1 && rng.chance(0.5) ? this.registry.newIp() : -1;
    const members: PersonRec[] = [];
    for (let m = 0; m < size; m++) {
      const adult = m < 2 || rng.chance(0.5);
      const age = adult ? rng.int(m < 2 ? 22 : 18, 84) : rng.int(18, 24);
      const sex = rng.chance(0.5) ? 'female' : 'male';
      const first = names.firstName(rng, locale, sex);
      const last = m === 0 || rng.chance(0.85) ? surname : names.lastName(rng, locale);
      const name = locale === 'zh_CN' ? `${last}${first}` : `${first} ${last}`;
      const birth = this.clock.windowEnd - age * 365.25 * DAY_MS - rng.int(0, 364) * DAY_MS;
      const person = this.registry.addPerson({
        props: {
          name,
          birthDate: isoDate(birth),
          nationality: m > 0 && rng.chance(0.2) ? residence : nationality,
          residence,
          isPep: rng.chance(0.005),
          isSanctioned: rng.chance(0.0005),
        },
        locale,
        household,
        city,
        employer: -1,
        salaryMinor: 0,
        contacts: [],
        accounts: [],
        identifiers: [],
        device: -1,
        remitsTo: -1,
      });
      const localPart =
        [asciiFold(first), asciiFold(last)].filter((part) => part !== '').join('.') || 'client';
      const email = this.registry.identifier(
        'email',
        this.uniqueEmail(
          `${localPart}${rng.int(1, 99)}@${rng.pick(['mail.com', 'inbox.net', 'post.org', 'webmail.io'])}`,
        ),
      );
      const phone = this.registry.newPhone(country.dialCode, this.phoneSerial++);
      person.device = this.registry.newDevice(rng);
      person.identifiers.push(
        person.device,
        phone,
        email,
        address,
        sharedIp >= 0 ? sharedIp : this.registry.newIp(),
      );
      if (rng.chance(0.3)) person.identifiers.push(this.registry.newDevice(rng));
      this.addPersonalAccounts(rng, person, country.code);
      members.push(person);
    }
    // Couples sometimes keep a joint account.
    const [first, second] = members;
    if (first && second && rng.chance(0.2)) {
      const joint = this.addPersonalAccount(rng, first, 'USD', 0.4);
      this.registry.addHolder(joint, { kind: 'person', index: second.index, role: 'joint-holder' });
      for (const identifier of second.identifiers)
        if (!joint.identifiers.includes(identifier)) joint.identifiers.push(identifier);
    }
    for (const person of members) {
      for (const other of members) if (other !== person) person.contacts.push(other.index);
    }
  }

  private addPersonalAccounts(rng: Rng, person: PersonRec, residence: string): void {
    const currency = residence === 'US' || rng.chance(0.5) ? 'USD' : currencyOfCountry(residence);
    if (rng.chance(0.985)) this.addPersonalAccount(rng, person, currency, rng.logNormal(1, 0.6));
    if (rng.chance(0.3)) this.addPersonalAccount(rng, person, 'USD', 0.15);
    if (rng.chance(0.03))
      this.addPersonalAccount(rng, person, rng.pick(['EUR', 'GBP', 'MXN', 'CAD']), 0.1);
  }

  private addPersonalAccount(
    rng: Rng,
    person: PersonRec,
    currency: string,
    activity: number,
  ): AccountRec {
    const roll = rng.float();
    const status: AccountStatus = roll < 0.02 ? 'dormant' : roll < 0.03 ? 'closed' : 'active';
    const account = this.registry.addAccount({
      accountType: 'personal',
      currency,
      openedAt:
        status === 'active'
          ? this.openedAt(rng)
          : this.daysAgo(rng, this.clock.days + rng.int(800, 6000)),
      status,
      bankId: BANK_ID,
      country: BANK_COUNTRY,
      city: person.city,
      holders: [{ kind: 'person', index: person.index, role: 'holder' }],
      activity,
      billDay: rng.int(1, 28),
    });
    account.identifiers.push(...person.identifiers);
    if (activity >= 0.3) {
      account.card = this.registry.newCard(this.cardSerial++);
      account.identifiers.push(account.card);
    }
    return account;
  }

  private uniqueAddress(rng: Rng, locale: PersonRec['locale'], city: City): string {
    const street = this.names.streetAddress(rng, locale);
    const zip = this.names.zipCode(rng, locale);
    let text = `${street}, ${zip} ${city.name}`;
    let key = text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    for (let apartment = 1; this.addresses.has(key); apartment++) {
      text = `${street}, Apt ${apartment + rng.int(0, 9)}, ${zip} ${city.name}`;
      key = text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    }
    this.addresses.add(key);
    return text;
  }

  private uniqueEmail(candidate: string): string {
    let email = candidate.toLowerCase();
    for (let n = 2; this.emails.has(email); n++)
      email = candidate.replace('@', `.${n}@`).toLowerCase();
    this.emails.add(email);
    return email;
  }

  // --- employment, contacts, bills -----------------------------------------------------------

  private assignEmployment(): void {
    const rng = this.ctx.streams.for('population', 'employment');
    const companies = this.registry.companies;
    const table = new AliasTable(companies.map((company) => company.popularity));
    for (const person of this.registry.persons) {
      const age = ageOf(person, this.clock.windowEnd);
      if (age > 66 || !rng.chance(0.8) || table.empty) continue;
      const company = companies[table.draw(rng)];
      person.employer = company.index;
      person.salaryMinor =
        Math.round(Math.min(40_000, Math.max(1_400, rng.logNormal(4_200, 0.45))) * 100) +
        rng.int(0, 99);
      company.employees.push(person.index);
    }
  }

  private addContacts(): void {
    const rng = this.ctx.streams.for('population', 'contacts');
    const persons = this.registry.persons;
    for (const person of persons) {
      const friends = rng.int(1, 4);
      for (let f = 0; f < friends && persons.length > 1; f++) {
        const friend = persons[rng.int(0, persons.length - 1)];
        if (friend !== person && !person.contacts.includes(friend.index))
          person.contacts.push(friend.index);
      }
    }
  }

  private addExternalAccounts(): void {
    const rng = this.ctx.streams.for('population', 'external');
    const countries = [
      'GB',
      'DE',
      'FR',
      'MX',
      'IN',
      'CN',
      'NG',
      'BR',
      'PL',
      'IT',
      'RU',
      'CA',
      'ES',
      'IE',
      ...OFFSHORE_JURISDICTIONS,
      'CH',
    ];
    const count = Math.max(countries.length, this.ctx.profile.externalAccounts);
    for (let i = 0; i < count; i++) {
      const country = i < countries.length ? countries[i] : rng.pick(countries);
      this.addExternalAccount(rng, country);
    }
    // A few domestic accounts at other US banks.
    for (let i = 0; i < Math.max(3, Math.round(count * 0.2)); i++)
      this.addExternalAccount(rng, 'US');
  }

  private addExternalAccount(rng: Rng, country: string): AccountRec {
    return addExternalAccountTo(this.registry, rng, country);
  }

  private assignBillsAndSuppliers(): void {
    const rng = this.ctx.streams.for('population', 'bills');
    const companies = this.registry.companies;
    const accountsOfRole = (role: CompanyRole): number[] =>
      companies.filter((c) => c.role === role).flatMap((c) => c.accounts.slice(0, 1));
    const landlords = accountsOfRole('landlord');
    const utilities = accountsOfRole('utility');
    for (const person of this.registry.persons) {
      const primary = this.registry.accounts[person.accounts[0] ?? -1];
      if (!primary || primary.props.status !== 'active') continue;
      if (landlords.length > 0 && rng.chance(0.45)) {
        primary.rent = {
          to: rng.pick(landlords),
          amountMinor: Math.round(rng.logNormal(1_600, 0.35) / 25) * 2_500,
        };
      }
      if (utilities.length > 0 && rng.chance(0.85)) {
        primary.utility = {
          to: rng.pick(utilities),
          amountMinor: Math.round(rng.logNormal(140, 0.4) * 100),
        };
      }
    }
    const supplierAccounts = this.registry.supplierAccounts;
    const foreign = [...this.registry.externalByCountry.entries()]
      .filter(([country]) => ['DE', 'GB', 'CN', 'MX', 'CA', 'IE', 'FR'].includes(country))
      .flatMap(([, list]) => list);
    for (const company of companies) {
      const count = rng.int(2, 5);
      for (let s = 0; s < count; s++) {
        const pool = foreign.length > 0 && rng.chance(0.15) ? foreign : supplierAccounts;
        if (pool.length === 0) continue;
        const supplier = rng.pick(pool);
        if (!company.accounts.includes(supplier) && !company.suppliers.includes(supplier))
          company.suppliers.push(supplier);
      }
    }
  }

  private addRemittances(): void {
    const rng = this.ctx.streams.for('population', 'remittances');
    for (const person of this.registry.persons) {
      const nationality = person.props.nationality ?? 'US';
      if (nationality === person.props.residence || !rng.chance(0.6)) continue;
      const targets = this.registry.externalByCountry.get(nationality);
      if (targets && targets.length > 0) person.remitsTo = rng.pick(targets);
    }
  }

  /** Public Wi-Fi IPs (cafés, airports) used by many unrelated accounts: hubs, not rings. */
  private addPublicWifiHubs(): void {
    const rng = this.ctx.streams.for('population', 'wifi-hubs');
    const personal = this.registry.accounts.filter(
      (a) => a.props.accountType === 'personal' && a.props.status === 'active',
    );
    const hubs = Math.max(1, Math.round(this.registry.persons.length / 200));
    for (let h = 0; h < hubs && personal.length > 12; h++) {
      const ip = this.registry.newIp();
      for (const account of rng.sample(personal, rng.int(12, Math.min(40, personal.length)))) {
        const firstSeen =
          Math.max(account.props.openedAt, this.clock.windowStart) + rng.int(0, 20 * DAY_MS);
        const lastSeen = Math.min(
          this.clock.windowEnd - 1,
          firstSeen + rng.int(HOUR_MS, 30 * DAY_MS),
        );
        account.extraUses.push({
          identifier: ip,
          firstSeen: Math.min(firstSeen, lastSeen),
          lastSeen,
        });
      }
    }
  }
}

export function ageOf(person: PersonRec, at: number): number {
  const birth = Date.parse(`${person.props.birthDate ?? '1980-01-01'}T00:00:00Z`);
  return Math.floor((at - birth) / (365.25 * DAY_MS));
}

/** Adds a company with a locale-appropriate name (shared by the builders and the planner). */
export function addCompanyTo(
  registry: PopulationRegistry,
  fakers: FakerFactory,
  rng: Rng,
  spec: {
    role: CompanyRole;
    jurisdiction: string;
    companyType: CompanyType;
    city: City;
    scenario?: boolean;
    name?: string;
  },
): CompanyRec {
  const locale = COUNTRIES[spec.jurisdiction]?.locale ?? 'en_US';
  const faker = fakers.for('companies', locale === 'zh_CN' || locale === 'ru' ? 'en_US' : locale);
  const offshore = (OFFSHORE_JURISDICTIONS as readonly string[]).includes(spec.jurisdiction);
  let name = spec.name;
  if (!name) {
    if (spec.companyType === 'trust') name = `${faker.person.lastName()} Family Trust`;
    else if (spec.companyType === 'foundation') name = `${faker.person.lastName()} Foundation`;
    else {
      const base = faker.company
        .name()
        .replace(/,? (Inc|LLC|Ltd|Group|and Sons|GmbH|KG|AG|SA|SAS)\.?$/u, '');
      const suffix = LEGAL_SUFFIX[spec.jurisdiction] ?? 'Ltd';
      name =
        offshore || spec.role === 'holding' ? `${base} Holdings ${suffix}` : `${base} ${suffix}`;
    }
  }
  const shell = spec.role === 'shell';
  return registry.addCompany(
    {
      name,
      jurisdiction: spec.jurisdiction,
      registrationNumber: registry.registrationNumber(spec.jurisdiction),
      companyType: spec.companyType,
      isShell: shell,
      isNominee: spec.role === 'nominee',
      hasBearerShares: shell && rng.chance(0.25),
      isSanctioned: shell && rng.chance(0.01),
    },
    spec.role,
    spec.city,
    spec.scenario ?? false,
  );
}

/** An account at another bank in `country` (no holder known to us). */
export function addExternalAccountTo(
  registry: PopulationRegistry,
  rng: Rng,
  country: string,
): AccountRec {
  const info = COUNTRIES[country];
  const account = registry.addAccount({
    accountType: 'external',
    currency: currencyOfCountry(country),
    openedAt: registry.clock.windowEnd - rng.int(400, 8000) * DAY_MS,
    status: 'active',
    bankId: `XB${country}${rng.int(1, 4)}`,
    country,
    city: info ? rng.pick(info.cities) : { name: country, latitude: 0, longitude: 0 },
  });
  registry.addExternal(country, account);
  return account;
}
