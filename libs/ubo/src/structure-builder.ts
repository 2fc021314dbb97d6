import type { Subgraph } from '@app/graph-store';
import {
  CompanyProps,
  ControlsEdge,
  ControlsProps,
  GraphEdge,
  GraphVertex,
  ids,
  InterestType,
  OwnsEdge,
  OwnsProps,
  PersonProps,
} from '@app/vocabulary';

/** A share as written in tests and scenarios: exact basis points, [min, max], or a full range. */
export type ShareSpec =
  | number
  | readonly [number, number]
  | { minBp: number; maxBp: number; minExclusive?: boolean; maxExclusive?: boolean };

/**
 * Builds ownership structures in the shared vocabulary (for tests, contract scenarios and
 * benchmarks): `b.person('ann')`, `b.company('a')`, `b.owns(ann, a, 5000)`.
 */
export class StructureBuilder {
  private readonly vertices = new Map<string, GraphVertex>();
  private readonly edges: GraphEdge[] = [];
  private counter = 0;

  constructor(private readonly source = 'ubo-test') {}

  person(key: string, props: Partial<PersonProps> = {}): string {
    const uid = ids.person(this.source, key);
    this.vertices.set(uid, {
      label: 'Person',
      uid,
      props: { name: key, isPep: false, isSanctioned: false, ...props },
    });
    return uid;
  }

  company(key: string, props: Partial<CompanyProps> = {}): string {
    const uid = ids.company(this.source, key);
    this.vertices.set(uid, {
      label: 'Company',
      uid,
      props: {
        name: key,
        jurisdiction: 'GB',
        companyType: 'company',
        isShell: false,
        isNominee: false,
        hasBearerShares: false,
        isSanctioned: false,
        ...props,
      },
    });
    return uid;
  }

  owns(from: string, to: string, share: ShareSpec, props: Partial<OwnsProps> = {}): string {
    const range =
      typeof share === 'number'
        ? { minBp: share, maxBp: share }
        : Array.isArray(share)
          ? {
              minBp: (share as readonly [number, number])[0],
              maxBp: (share as readonly [number, number])[1],
            }
          : (share as {
              minBp: number;
              maxBp: number;
              minExclusive?: boolean;
              maxExclusive?: boolean;
            });
    const edge: OwnsEdge = {
      label: 'OWNS',
      eid: ids.relation(this.source, `o${(this.counter += 1)}`),
      from,
      to,
      props: {
        interestType: 'shareholding',
        shareMinBp: range.minBp,
        shareMaxBp: range.maxBp,
        shareMinExclusive: 'minExclusive' in range ? (range.minExclusive ?? false) : false,
        shareMaxExclusive: 'maxExclusive' in range ? (range.maxExclusive ?? false) : false,
        directOrIndirect: 'direct',
        beneficialOwnershipOrControl: false,
        ...props,
      },
    };
    this.edges.push(edge);
    return edge.eid;
  }

  controls(
    from: string,
    to: string,
    interestType: InterestType,
    props: Partial<ControlsProps> = {},
  ): string {
    const edge: ControlsEdge = {
      label: 'CONTROLS',
      eid: ids.relation(this.source, `c${(this.counter += 1)}`),
      from,
      to,
      props: {
        interestType,
        directOrIndirect: 'direct',
        beneficialOwnershipOrControl: false,
        ...props,
      },
    };
    this.edges.push(edge);
    return edge.eid;
  }

  build(): Subgraph {
    return { vertices: [...this.vertices.values()], edges: [...this.edges] };
  }
}
