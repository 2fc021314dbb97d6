import { COUNTRIES, distanceKm, FAR_AWAY_PLACES } from '../population/geography';
import { type AccountRec, DAY_MS, HOUR_MS, MINUTE_MS } from '../population/population.model';
import type { Rng } from '../random/prng';
import { type Injector, money } from './aml-network.typologies';
import type { PlanBuilder } from './plan.builder';

/** Country code of where an account's holder lives (the bank's country when unknown). */
export function homeCountry(plan: PlanBuilder, account: AccountRec): string {
  return plan.holderPerson(account)?.props.residence ?? account.props.country;
}

function jitter(rng: Rng, value: number): number {
  return Math.round((value + rng.between(-0.05, 0.05)) * 10_000) / 10_000;
}

/**
 * Several unrelated customers' accounts (different households) use the same device and phone,
 * and often the same IP: identifiers shared by few accounts (not hubs) and more than one kind.
 */
export const fraudRing: Injector = (plan, rng) => {
  const size = rng.int(plan.ctx.profile.shapes.ringSize[0], plan.ctx.profile.shapes.ringSize[1]);
  const households = new Set<number>();
  const members = plan.personals(rng, size, (a) => {
    const household = plan.holderPerson(a)?.household;
    if (household === undefined || households.has(household)) return false;
    households.add(household);
    return true;
  });
  if (!members) return;
  const shared = [
    plan.registry.newDevice(rng),
    plan.registry.newPhone('1', 900_000_000 + plan.instances.length),
  ];
  if (rng.chance(0.5)) shared.push(plan.registry.newIp());
  const start = plan.start(rng, 20 * DAY_MS);
  const i = plan.begin('fraud-ring', false, { members: size, sharedIdentifiers: shared.length });
  const identifierUids = shared.map((s) => plan.registry.identifiers[s]?.uid ?? '');
  plan.entities(i, [...members.map((m) => m.uid), ...identifierUids]);
  const device = identifierUids[0];
  members.forEach((member, k) => {
    const firstSeen = start + k * rng.int(HOUR_MS, 3 * DAY_MS);
    const lastSeen = firstSeen + rng.int(HOUR_MS, 5 * DAY_MS);
    for (const identifier of shared) member.extraUses.push({ identifier, firstSeen, lastSeen });
    const place = member.city;
    plan.event(i, member, 'login', firstSeen, {
      country: homeCountry(plan, member),
      latitude: jitter(rng, place.latitude),
      longitude: jitter(rng, place.longitude),
      identifierUid: device,
    });
    plan.event(i, member, 'login', lastSeen, {
      country: homeCountry(plan, member),
      latitude: jitter(rng, place.latitude),
      longitude: jitter(rng, place.longitude),
      identifierUid: device,
    });
  });
};

/**
 * Login from a new device and place, credential change, contact change, then a draining
 * transfer to a mule, all within about two hours.
 */
export const accountTakeover: Injector = (plan, rng) => {
  const victim = plan.personal(rng, (a) => a.card >= 0);
  const mule =
    victim &&
    (rng.chance(0.5) ? plan.personal(rng) : plan.external(rng, rng.pick(['US', 'GB', 'NG'])));
  if (!victim || !mule) {
    if (victim) plan.release([victim]);
    return;
  }
  const t0 = plan.start(rng, 3 * HOUR_MS, 7);
  plan.quiet(victim, t0 - 2 * DAY_MS, t0 + 2 * DAY_MS);
  const us = COUNTRIES.US?.cities ?? [];
  const place = rng.pick(
    us.filter((c) => distanceKm(c, victim.city) > 500).concat(us.length === 0 ? [victim.city] : []),
  );
  const device = plan.registry.newDevice(rng);
  const ip = plan.registry.newIp();
  const phone = plan.registry.newPhone('1', 950_000_000 + plan.instances.length);
  const uid = (identifier: number): string => plan.registry.identifiers[identifier]?.uid ?? '';
  const loginAt = t0;
  const deviceAddedAt = loginAt + rng.int(MINUTE_MS, 3 * MINUTE_MS);
  const credentialAt = deviceAddedAt + rng.int(5 * MINUTE_MS, 15 * MINUTE_MS);
  const contactAt = credentialAt + rng.int(5 * MINUTE_MS, 20 * MINUTE_MS);
  const drains = rng.int(1, 2);
  const drainTimes = plan.timeline(
    rng,
    contactAt + rng.int(10 * MINUTE_MS, 60 * MINUTE_MS),
    drains,
    2 * MINUTE_MS,
    15 * MINUTE_MS,
  );
  const where = {
    country: 'US',
    latitude: jitter(rng, place.latitude),
    longitude: jitter(rng, place.longitude),
  };
  const i = plan.begin('account-takeover', false, { drains, newCity: place.name });
  plan.entities(i, [victim.uid, mule.uid, uid(device), uid(ip), uid(phone)]);
  plan.event(i, victim, 'login', loginAt, { ...where, identifierUid: uid(device) });
  plan.event(i, victim, 'device-added', deviceAddedAt, { ...where, identifierUid: uid(device) });
  plan.event(i, victim, 'credential-change', credentialAt, {
    ...where,
    identifierUid: uid(device),
  });
  plan.event(i, victim, 'contact-change', contactAt, { ...where, identifierUid: uid(phone) });
  const lastSeen = drainTimes[drainTimes.length - 1];
  victim.extraUses.push(
    { identifier: device, firstSeen: loginAt, lastSeen },
    { identifier: ip, firstSeen: loginAt, lastSeen },
    { identifier: phone, firstSeen: contactAt, lastSeen: contactAt },
  );
  drainTimes.forEach((at) =>
    plan.move(i, victim, mule, money(rng, 6_000, 0.5), at, rng.chance(0.5) ? 'wire' : 'ach', {
      identifierUid: uid(device),
    }),
  );
};

/** Funds hop through several accounts within minutes, each keeping a small cut. */
export const muleChain: Injector = (plan, rng) => {
  const hops = rng.int(plan.ctx.profile.shapes.muleHops[0], plan.ctx.profile.shapes.muleHops[1]);
  const mules = plan.personals(rng, hops);
  if (!mules) return;
  const source = plan.external(rng, 'US');
  const sink = plan.external(rng, rng.pick(['NG', 'RU', 'HK', 'AE', 'MX']));
  const chain = [source, ...mules, sink];
  const times = plan.timeline(
    rng,
    plan.start(rng, (hops + 1) * 20 * MINUTE_MS),
    hops + 1,
    2 * MINUTE_MS,
    20 * MINUTE_MS,
  );
  const i = plan.begin('mule-chain', false, { hops, maxMinutesBetweenHops: 20 });
  plan.entities(
    i,
    chain.map((a) => a.uid),
  );
  let amount = money(rng, 9_000, 0.4);
  for (let k = 0; k < chain.length - 1; k++) {
    plan.move(
      i,
      chain[k],
      chain[k + 1],
      amount,
      times[k],
      k === 0 || k === chain.length - 2 ? 'wire' : 'internal',
    );
    amount = Math.max(1, Math.floor((amount * rng.int(970, 995)) / 1000));
  }
};

/** Many cards in one account in one day (variant 0) or one card in many accounts (variant 1). */
export const cardVelocity: Injector = (plan, rng, n) => {
  const variant = n % 2 === 0 ? 'many-cards-one-account' : 'one-card-many-accounts';
  const count = rng.int(
    plan.ctx.profile.shapes.cardVelocityCards[0],
    plan.ctx.profile.shapes.cardVelocityCards[1],
  );
  const merchants = plan.registry.merchantAccounts;
  if (merchants.length === 0) return;
  const day = Math.floor(plan.start(rng, DAY_MS) / DAY_MS) * DAY_MS;
  const times = plan.timeline(
    rng,
    day + rng.int(12, 16) * HOUR_MS,
    count,
    3 * MINUTE_MS,
    25 * MINUTE_MS,
  );
  const cardUid = (card: number): string => plan.registry.identifiers[card]?.uid ?? '';
  const serial = 10_000_000 + plan.instances.length * 100;
  if (variant === 'many-cards-one-account') {
    const account = plan.personal(rng);
    if (!account) return;
    const cards = Array.from({ length: count }, (_, k) => plan.registry.newCard(serial + k));
    const i = plan.begin('card-velocity', false, { variant, cards: count });
    plan.entities(i, [account.uid, ...cards.map(cardUid)]);
    cards.forEach((card, k) => {
      const at = times[k];
      account.extraUses.push({ identifier: card, firstSeen: at, lastSeen: at });
      plan.move(i, account, plan.account(rng.pick(merchants)), money(rng, 180, 0.6), at, 'card', {
        identifierUid: cardUid(card),
        country: homeCountry(plan, account),
        latitude: jitter(rng, account.city.latitude),
        longitude: jitter(rng, account.city.longitude),
      });
    });
    return;
  }
  const accounts = plan.personals(rng, count);
  if (!accounts) return;
  const card = plan.registry.newCard(serial);
  const i = plan.begin('card-velocity', false, { variant, accounts: count });
  plan.entities(i, [...accounts.map((a) => a.uid), cardUid(card)]);
  accounts.forEach((account, k) => {
    const at = times[k];
    account.extraUses.push({ identifier: card, firstSeen: at, lastSeen: at });
    plan.move(i, account, plan.account(rng.pick(merchants)), money(rng, 180, 0.6), at, 'card', {
      identifierUid: cardUid(card),
      country: homeCountry(plan, account),
      latitude: jitter(rng, account.city.latitude),
      longitude: jitter(rng, account.city.longitude),
    });
  });
};

/** A login at home, then a login and a card payment thousands of kilometres away within hours. */
export const impossibleTravel: Injector = (plan, rng) => {
  const account = plan.personal(rng, (a) => a.card >= 0 && homeCountry(plan, a) === 'US');
  if (!account) return;
  const person = plan.holderPerson(account);
  const device =
    person && person.device >= 0 ? plan.registry.identifiers[person.device]?.uid : undefined;
  const far = rng.pick(FAR_AWAY_PLACES.filter((p) => distanceKm(p, account.city) > 5_000));
  const t0 = plan.start(rng, 6 * HOUR_MS, 3);
  plan.quiet(account, t0 - DAY_MS, t0 + DAY_MS);
  const minutes = rng.int(40, 180);
  const t1 = t0 + minutes * MINUTE_MS;
  const distance = Math.round(distanceKm(far, account.city));
  const i = plan.begin('impossible-travel', false, {
    distanceKm: distance,
    minutes,
    from: account.city.name,
    to: far.name,
  });
  plan.entities(i, [account.uid]);
  const cardUid = plan.registry.identifiers[account.card]?.uid;
  plan.event(i, account, 'login', t0, {
    country: homeCountry(plan, account),
    latitude: jitter(rng, account.city.latitude),
    longitude: jitter(rng, account.city.longitude),
    ...(device ? { identifierUid: device } : {}),
  });
  plan.event(i, account, 'login', t1, {
    country: far.country,
    latitude: jitter(rng, far.latitude),
    longitude: jitter(rng, far.longitude),
    ...(device ? { identifierUid: device } : {}),
  });
  const merchant =
    plan.registry.merchantAccounts.length > 0
      ? plan.account(rng.pick(plan.registry.merchantAccounts))
      : plan.external(rng, far.country);
  plan.move(
    i,
    account,
    merchant,
    money(rng, 250, 0.5),
    t1 + rng.int(2 * MINUTE_MS, 20 * MINUTE_MS),
    'card',
    {
      country: far.country,
      latitude: jitter(rng, far.latitude),
      longitude: jitter(rng, far.longitude),
      ...(cardUid ? { identifierUid: cardUid } : {}),
    },
  );
};
