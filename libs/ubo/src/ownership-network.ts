import type { Subgraph } from '@app/graph-store';
import type { InterestType } from '@app/vocabulary';
import { buildOwnershipGraph } from './core/ownership-graph';
import type { BpRange, ResolvedUboOptions, UboAnswer } from './ubo.types';

export type NetworkRole =
  'target' | 'beneficial-owner' | 'owner' | 'controller' | 'person' | 'entity';

export interface NetworkNode {
  id: string;
  label: 'Person' | 'Company';
  name: string;
  /** Hops above the target (0 = the target). */
  layer: number;
  role: NetworkRole;
  jurisdiction?: string;
  /** Risk flags of the vertex itself: pep, sanctioned, shell, nominee, bearer-shares. */
  flags: string[];
  /** For persons: the share of the target they own (exact "n/d" range), when any. */
  share?: { min: string; max: string; minPercent: string; maxPercent: string };
}

export interface NetworkEdge {
  id: string;
  source: string;
  target: string;
  label: 'OWNS' | 'CONTROLS';
  interestType: InterestType;
  directOrIndirect: 'direct' | 'indirect' | 'unknown';
  share: BpRange | null;
  /** Part of an ownership cycle. */
  inCycle: boolean;
}

/** Nodes and edges above a company, with shares and roles, for drawing. */
export interface OwnershipNetwork {
  target: string;
  options: ResolvedUboOptions;
  nodes: NetworkNode[];
  edges: NetworkEdge[];
  cycles: string[][];
}

/**
 * The drawable network of an answer: every vertex within maxDepth layers above the target
 * and every active OWNS/CONTROLS edge between them, each vertex with its layer and role.
 */
export function buildOwnershipNetwork(subgraph: Subgraph, answer: UboAnswer): OwnershipNetwork {
  const graph = buildOwnershipGraph(subgraph, answer.target.uid, {
    maxDepth: answer.options.maxDepth,
    asOf: answer.options.asOf,
  });
  const beneficial = new Set(answer.beneficialOwners.map((owner) => owner.uid));
  const owners = new Map(answer.owners.map((owner) => [owner.uid, owner]));
  const controllers = new Set(answer.controlPersons.map((person) => person.uid));
  const cycleOf = new Map(
    answer.cycles.flatMap((cycle, i) => cycle.entities.map((uid) => [uid, i] as const)),
  );
  const nodes: NetworkNode[] = [];
  for (const [uid, layer] of graph.depth) {
    const person = graph.persons.get(uid);
    const company = graph.companies.get(uid);
    if (person) {
      const owner = owners.get(uid);
      nodes.push({
        id: uid,
        label: 'Person',
        name: person.props.name,
        layer,
        role: beneficial.has(uid)
          ? 'beneficial-owner'
          : owner
            ? 'owner'
            : controllers.has(uid)
              ? 'controller'
              : 'person',
        ...(person.props.nationality !== undefined
          ? { jurisdiction: person.props.nationality }
          : {}),
        flags: [
          ...(person.props.isPep ? ['pep'] : []),
          ...(person.props.isSanctioned ? ['sanctioned'] : []),
        ],
        ...(owner
          ? {
              share: {
                min: owner.effectiveShare.min,
                max: owner.effectiveShare.max,
                minPercent: owner.effectiveShare.minPercent,
                maxPercent: owner.effectiveShare.maxPercent,
              },
            }
          : {}),
      });
    } else if (company) {
      const { props } = company;
      nodes.push({
        id: uid,
        label: 'Company',
        name: props.name,
        layer,
        role: uid === answer.target.uid ? 'target' : 'entity',
        jurisdiction: props.jurisdiction,
        flags: [
          ...(props.isSanctioned ? ['sanctioned'] : []),
          ...(props.isShell ? ['shell'] : []),
          ...(props.isNominee ? ['nominee'] : []),
          ...(props.hasBearerShares ? ['bearer-shares'] : []),
        ],
      });
    }
  }
  nodes.sort((a, b) => a.layer - b.layer || a.id.localeCompare(b.id));
  const edges: NetworkEdge[] = [...graph.linksOut.values()]
    .flat()
    .map((link) => ({
      id: link.eid,
      source: link.from,
      target: link.to,
      label: link.label,
      interestType: link.interestType,
      directOrIndirect: link.directOrIndirect,
      share: link.bp,
      inCycle: cycleOf.has(link.from) && cycleOf.get(link.from) === cycleOf.get(link.to),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return {
    target: answer.target.uid,
    options: answer.options,
    nodes,
    edges,
    cycles: answer.cycles.map((cycle) => cycle.entities),
  };
}
