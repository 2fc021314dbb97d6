import { UndirectedGraph } from 'graphology';
import { connectedComponents } from 'graphology-components';
import louvain from 'graphology-communities-louvain';
import type { DetectorsConfig } from '@app/settings';
import { IDENTIFIER_KINDS } from '@app/vocabulary';
import type { IdentifierKind } from '@app/vocabulary';
import type {
  AlertDraft,
  AlertParty,
  SharedIdentifierInput,
  StructuralDetector,
} from '../core/detector';
import { fingerprintOf } from '../core/episode-tracker';
import { roundScore } from '../core/scoring';

export type FraudRingParams = {
  /** Identifiers used by more accounts than this are hubs and ignored. */
  hubCap: number;
  /** Two accounts are linked only when they share at least this many identifiers (> 1). */
  minSharedIdentifiers: number;
  minMembers: number;
  /** Components larger than this are split into Louvain communities. */
  maxRingSize: number;
  /** Identifier kinds considered. */
  kinds: readonly string[];
};

const RULE_ID = 'fraud.ring';

export interface FraudRing {
  /** Member accounts, in id order. */
  members: string[];
  /** Distinct customers among them (accounts with a common holder count once). */
  customers: number;
  /** Identifiers shared inside the ring, each with the members that use it. */
  identifiers: { identifierUid: string; kind: IdentifierKind; accountIds: string[] }[];
  /** Linked pairs (sharing enough identifiers) over possible pairs. */
  density: number;
}

/** A small seeded PRNG (mulberry32) so that Louvain splits are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Union-find over account ids: accounts with a common holder become one customer. */
function customersOf(
  accounts: readonly string[],
  holders: ReadonlyMap<string, readonly string[]> | undefined,
): Map<string, string> {
  const parent = new Map<string, string>(accounts.map((a) => [a, a]));
  const find = (a: string): string => {
    let root = a;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(a, root);
    return root;
  };
  if (holders) {
    const byHolder = new Map<string, string>();
    for (const account of accounts) {
      for (const holder of holders.get(account) ?? []) {
        const other = byHolder.get(holder);
        if (other === undefined) {
          byHolder.set(holder, account);
          continue;
        }
        const [ra, rb] = [find(account), find(other)];
        // The smaller id becomes the root so that keys do not depend on visiting order.
        if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
      }
    }
  }
  return new Map(accounts.map((a) => [a, find(a)]));
}

/**
 * The linked pairs: accounts of different customers sharing at least `minSharedIdentifiers`
 * usable identifiers, keyed `i * n + j` (indexes into the sorted `accounts`, i < j), each with
 * the identifiers they share, in the order of `usable`. Counted account by account in a typed
 * array, so that identifiers shared by hundreds of accounts cost array increments, not a map
 * entry per pair of accounts that merely meet (a map of every such pair blocked the API for
 * seconds at hubCap 1,000 and grows past what a Map can hold).
 */
function linkedPairs(
  usable: readonly SharedIdentifierInput[],
  accounts: readonly string[],
  customers: readonly string[],
  params: FraudRingParams,
): Map<number, string[]> {
  const n = accounts.length;
  const indexOf = new Map(accounts.map((a, i) => [a, i] as const));
  const membersOf = usable.map((s) =>
    [...new Set(s.accountIds.map((a) => indexOf.get(a) as number))].sort((x, y) => x - y),
  );
  const identifiersOf: number[][] = Array.from({ length: n }, () => []);
  membersOf.forEach((members, s) => members.forEach((a) => identifiersOf[a].push(s)));
  const counts = new Int32Array(n);
  const linked = new Map<number, string[]>();
  for (let a = 0; a < n; a += 1) {
    const met: number[] = [];
    for (const s of identifiersOf[a]) {
      for (const b of membersOf[s]) {
        if (b <= a) continue;
        if (counts[b] === 0) met.push(b);
        counts[b] += 1;
      }
    }
    met.sort((x, y) => x - y);
    for (const b of met) {
      if (counts[b] >= params.minSharedIdentifiers && customers[a] !== customers[b]) {
        // Both lists are in `usable` order: walk them side by side.
        const shared: string[] = [];
        const [mine, theirs] = [identifiersOf[a], identifiersOf[b]];
        for (let i = 0, j = 0; i < mine.length && j < theirs.length;) {
          if (mine[i] === theirs[j]) {
            shared.push(usable[mine[i]].identifierUid);
            i += 1;
            j += 1;
          } else if (mine[i] < theirs[j]) i += 1;
          else j += 1;
        }
        linked.set(a * n + b, shared);
      }
      counts[b] = 0;
    }
  }
  return linked;
}

/**
 * Rings of accounts of different customers linked through shared identifiers (device, IP,
 * phone, email, card; addresses are left out by default because households legitimately share
 * them). Two accounts are linked when they share at least `minSharedIdentifiers` identifiers
 * that are not hubs and have no holder in common (one customer's own accounts share all their
 * identifiers). Rings are the connected components of those links with at least `minMembers`
 * distinct customers; components above `maxRingSize` accounts are split into Louvain
 * communities. Without `holders`, every account counts as its own customer.
 */
export function findFraudRings(
  shared: readonly SharedIdentifierInput[],
  params: FraudRingParams,
  holders?: ReadonlyMap<string, readonly string[]>,
): FraudRing[] {
  const kinds = new Set(params.kinds);
  const usable = shared.filter(
    (s) => kinds.has(s.kind) && s.accountIds.length >= 2 && s.accountIds.length <= params.hubCap,
  );
  const allAccounts = [...new Set(usable.flatMap((s) => s.accountIds))].sort();
  const customerOf = customersOf(allAccounts, holders);
  const customer = (a: string): string => customerOf.get(a) ?? a;
  const linked = linkedPairs(usable, allAccounts, allAccounts.map(customer), params);
  const n = allAccounts.length;
  const indexOf = new Map(allAccounts.map((a, i) => [a, i] as const));
  const graph = new UndirectedGraph();
  for (const [key, identifiers] of [...linked.entries()].sort(([a], [b]) => a - b)) {
    const a = allAccounts[Math.floor(key / n)];
    const b = allAccounts[key % n];
    graph.mergeNode(a);
    graph.mergeNode(b);
    graph.mergeEdge(a, b, { weight: identifiers.length });
  }
  const groups: string[][] = [];
  for (const component of connectedComponents(graph)) {
    if (component.length <= params.maxRingSize) {
      groups.push(component);
      continue;
    }
    const sub = new UndirectedGraph();
    const inComponent = new Set(component);
    for (const node of [...component].sort()) sub.addNode(node);
    graph.forEachEdge((_edge, attributes, source, target) => {
      if (inComponent.has(source) && inComponent.has(target))
        sub.mergeEdge(source, target, attributes);
    });
    const communities = louvain(sub, { getEdgeWeight: 'weight', rng: seededRandom(42) });
    const byCommunity = new Map<number, string[]>();
    for (const node of sub.nodes()) {
      const c = communities[node];
      const list = byCommunity.get(c);
      if (list) list.push(node);
      else byCommunity.set(c, [node]);
    }
    groups.push(...byCommunity.values());
  }

  const byIdentifier = new Map(usable.map((s) => [s.identifierUid, s] as const));
  const rings: FraudRing[] = [];
  for (const group of groups) {
    const members = [...group].sort();
    const customers = new Set(members.map(customer)).size;
    if (customers < params.minMembers) continue;
    const memberSet = new Set(members);
    let links = 0;
    let possible = 0;
    const identifierUids = new Set<string>();
    for (let i = 0; i < members.length; i += 1) {
      for (let j = i + 1; j < members.length; j += 1) {
        if (customer(members[i]) === customer(members[j])) continue;
        possible += 1;
        const identifiers =
          linked.get(
            (indexOf.get(members[i]) as number) * n + (indexOf.get(members[j]) as number),
          ) ?? [];
        if (identifiers.length > 0) {
          links += 1;
          identifiers.forEach((uid) => identifierUids.add(uid));
        }
      }
    }
    const identifiers = [...identifierUids].sort().flatMap((uid) => {
      const s = byIdentifier.get(uid);
      return s
        ? [
            {
              identifierUid: uid,
              kind: s.kind,
              accountIds: s.accountIds.filter((a) => memberSet.has(a)).sort(),
            },
          ]
        : [];
    });
    rings.push({
      members,
      customers,
      identifiers,
      density: possible === 0 ? 0 : Math.round((links / possible) * 1000) / 1000,
    });
  }
  return rings.sort((a, b) =>
    a.members[0] < b.members[0] ? -1 : a.members[0] > b.members[0] ? 1 : 0,
  );
}

function draftOf(ring: FraudRing, params: FraudRingParams, now: number): AlertDraft {
  const parties: AlertParty[] = [
    ...ring.members.map((uid, i): AlertParty => ({ uid, role: i === 0 ? 'subject' : 'member' })),
    ...ring.identifiers.map((s): AlertParty => ({ uid: s.identifierUid, role: 'identifier' })),
  ];
  const kinds = [...new Set(ring.identifiers.map((s) => s.kind))].sort();
  return {
    fingerprint: fingerprintOf(RULE_ID, ring.members[0]),
    subject: ring.members[0],
    score: roundScore(
      0.5 +
        0.3 * Math.min(1, (ring.customers - params.minMembers) / (2 * params.minMembers)) +
        0.2 * ring.density,
    ),
    explanation:
      `${ring.members.length} accounts of ${ring.customers} different customers (${ring.members.join(', ')}) are linked by sharing at least ` +
      `${params.minSharedIdentifiers} identifiers: ${ring.identifiers.length} shared identifiers ` +
      `(${kinds.join(', ')}), none used by more than ${params.hubCap} accounts; ` +
      `${Math.round(ring.density * 100)}% of customer pairs are linked.`,
    windowStart: now,
    windowEnd: now,
    movements: [],
    parties,
    facts: {
      members: ring.members.length,
      customers: ring.customers,
      identifiers: ring.identifiers.length,
      density: ring.density,
    },
  };
}

/** Fraud rings through shared identifiers, with a hub cap and more than one shared identifier. */
export const fraudRingDetector: StructuralDetector<FraudRingParams> = {
  kind: 'structural',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'fraud-ring',
  family: 'fraud',
  description:
    'Accounts linked by sharing more than one identifier (device, IP, phone, email, address, card), identifiers used by very many accounts left out as hubs; rings are connected components, split into Louvain communities when large.',
  source:
    'Neo4j fraud-detection (P2P) example: identifiers used by at most 10 accounts, more than one shared identifier',
  parameters: [
    {
      name: 'hubCap',
      kind: 'integer',
      min: 2,
      max: 100000,
      description: 'Identifiers used by more accounts are hubs.',
    },
    {
      name: 'minSharedIdentifiers',
      kind: 'integer',
      min: 1,
      max: 100,
      description: 'Identifiers two accounts must share to be linked.',
    },
    { name: 'minMembers', kind: 'integer', min: 2, max: 100000, description: 'Smallest ring.' },
    {
      name: 'maxRingSize',
      kind: 'integer',
      min: 2,
      max: 1000000,
      description: 'Components above this are split into communities.',
    },
    {
      name: 'kinds',
      kind: 'stringList',
      description: `Identifier kinds considered (${IDENTIFIER_KINDS.join(', ')}).`,
    },
  ],
  defaults: (config: DetectorsConfig): FraudRingParams => ({
    hubCap: config.ringHubCap,
    minSharedIdentifiers: 2,
    minMembers: 3,
    maxRingSize: 50,
    kinds: IDENTIFIER_KINDS.filter((kind) => kind !== 'address'),
  }),
  hubCap: (params) => params.hubCap,
  kinds: (params) => IDENTIFIER_KINDS.filter((k) => params.kinds.includes(k)),
  detect: (input, params, now) =>
    findFraudRings(input.shared, params, input.holders).map((ring) => draftOf(ring, params, now)),
};
