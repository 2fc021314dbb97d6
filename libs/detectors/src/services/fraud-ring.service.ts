import { Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import type { SharedIdentifier } from '@app/graph-store';
import { findFraudRings, fraudRingDetector } from '../fraud/fraud-ring.detector';
import type { FraudRing, FraudRingParams } from '../fraud/fraud-ring.detector';
import { structuralInputFromStore } from '../engine/store-holders';
import { DetectorRegistry } from '../registry/detector.registry';

export interface RingQuery {
  /** Only rings containing one of these accounts (two hops of shared identifiers are read). */
  accountIds?: readonly string[];
  /** Overrides of the fraud.ring parameters (hubCap, minSharedIdentifiers, minMembers, …). */
  parameters?: Readonly<Record<string, unknown>>;
}

/** Fraud rings straight from the graph (no alerts stored): members and shared identifiers. */
@Injectable()
export class FraudRingService {
  constructor(
    private readonly store: GraphStore,
    private readonly registry: DetectorRegistry,
  ) {}

  async findRings(
    query: RingQuery = {},
  ): Promise<{ rings: FraudRing[]; parameters: FraudRingParams }> {
    // Defaults, then DETECTORS_PARAMETERS_FILE, then the query's own parameters.
    const params = this.registry.parametersOf(fraudRingDetector, query.parameters ?? {});
    const kinds = fraudRingDetector.kinds(params);
    if (!query.accountIds || query.accountIds.length === 0) {
      const shared = await this.store.findSharedIdentifiers({ hubCap: params.hubCap, kinds });
      return { rings: await this.withHolders(shared, params), parameters: params };
    }
    // Two rounds: identifiers of the accounts, then identifiers of everyone linked to them.
    const first = await this.store.findSharedIdentifiers({
      hubCap: params.hubCap,
      kinds,
      accountIds: query.accountIds,
    });
    const linked = new Set<string>(query.accountIds);
    first.forEach((s) => s.accountIds.forEach((a) => linked.add(a)));
    const second = await this.store.findSharedIdentifiers({
      hubCap: params.hubCap,
      kinds,
      accountIds: [...linked],
    });
    const byUid = new Map<string, SharedIdentifier>();
    [...first, ...second].forEach((s) => byUid.set(s.identifierUid, s));
    const wanted = new Set(query.accountIds);
    const rings = (await this.withHolders([...byUid.values()], params)).filter((r) =>
      r.members.some((m) => wanted.has(m)),
    );
    return { rings, parameters: params };
  }

  /** Rings found on account links, then recomputed with the holders of their members. */
  private async withHolders(
    shared: readonly SharedIdentifier[],
    params: FraudRingParams,
  ): Promise<FraudRing[]> {
    const input = await structuralInputFromStore(this.store, shared, (first) =>
      findFraudRings(first.shared, params).flatMap((ring) => ring.members),
    );
    return findFraudRings(input.shared, params, input.holders);
  }
}
