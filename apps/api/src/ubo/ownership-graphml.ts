import { create } from 'xmlbuilder2';
import type { OwnershipNetwork } from '@app/ubo';

type KeyType = 'string' | 'int' | 'double' | 'boolean';

interface KeySpec {
  id: string;
  for: 'node' | 'edge' | 'graph';
  name: string;
  type: KeyType;
}

/** The attributes declared up front, as GraphML requires (Gephi, yEd and Cytoscape read them). */
const KEYS: readonly KeySpec[] = [
  { id: 'g_target', for: 'graph', name: 'target', type: 'string' },
  { id: 'g_regime', for: 'graph', name: 'regime', type: 'string' },
  { id: 'g_asOf', for: 'graph', name: 'asOf', type: 'string' },
  // "label" is what Gephi shows on a node; "name" is what Cytoscape uses.
  { id: 'n_label', for: 'node', name: 'label', type: 'string' },
  { id: 'n_name', for: 'node', name: 'name', type: 'string' },
  { id: 'n_kind', for: 'node', name: 'kind', type: 'string' },
  { id: 'n_layer', for: 'node', name: 'layer', type: 'int' },
  { id: 'n_role', for: 'node', name: 'role', type: 'string' },
  { id: 'n_jurisdiction', for: 'node', name: 'jurisdiction', type: 'string' },
  { id: 'n_flags', for: 'node', name: 'flags', type: 'string' },
  { id: 'n_shareMin', for: 'node', name: 'shareMin', type: 'string' },
  { id: 'n_shareMax', for: 'node', name: 'shareMax', type: 'string' },
  { id: 'n_sharePercentMin', for: 'node', name: 'sharePercentMin', type: 'double' },
  { id: 'n_sharePercentMax', for: 'node', name: 'sharePercentMax', type: 'double' },
  { id: 'e_label', for: 'edge', name: 'label', type: 'string' },
  { id: 'e_interestType', for: 'edge', name: 'interestType', type: 'string' },
  { id: 'e_directOrIndirect', for: 'edge', name: 'directOrIndirect', type: 'string' },
  { id: 'e_shareMinBp', for: 'edge', name: 'shareMinBp', type: 'int' },
  { id: 'e_shareMaxBp', for: 'edge', name: 'shareMaxBp', type: 'int' },
  { id: 'e_weight', for: 'edge', name: 'weight', type: 'double' },
  { id: 'e_inCycle', for: 'edge', name: 'inCycle', type: 'boolean' },
];

type Data = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * The ownership network as GraphML 1.0 (directed, owner -> owned), every attribute declared
 * in a <key>. Text is escaped by the XML builder, so names with & < > " ' stay intact.
 * Edge `weight` is the share in percent (the lower bound), which Gephi uses for thickness.
 */
export function ownershipGraphml(network: OwnershipNetwork): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(
    'http://graphml.graphdrawing.org/xmlns',
    'graphml',
    {
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation':
        'http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd',
    },
  );
  for (const key of KEYS)
    root.ele('key', {
      id: key.id,
      for: key.for,
      'attr.name': key.name,
      'attr.type': key.type,
    });
  const graph = root.ele('graph', { id: 'ownership', edgedefault: 'directed' });
  const data = (parent: ReturnType<typeof root.ele>, prefix: string, values: Data): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || value === '') continue;
      parent.ele('data', { key: `${prefix}_${name}` }).txt(String(value));
    }
  };
  data(graph, 'g', {
    target: network.target,
    regime: network.options.regime,
    asOf: network.options.asOf,
  });
  for (const node of network.nodes) {
    const element = graph.ele('node', { id: node.id });
    data(element, 'n', {
      label: node.name,
      name: node.name,
      kind: node.label,
      layer: node.layer,
      role: node.role,
      jurisdiction: node.jurisdiction,
      flags: node.flags.join(' '),
      shareMin: node.share?.min,
      shareMax: node.share?.max,
      sharePercentMin: node.share?.minPercent,
      sharePercentMax: node.share?.maxPercent,
    });
  }
  for (const edge of network.edges) {
    const element = graph.ele('edge', { id: edge.id, source: edge.source, target: edge.target });
    data(element, 'e', {
      label: edge.label,
      interestType: edge.interestType,
      directOrIndirect: edge.directOrIndirect,
      shareMinBp: edge.share?.minBp,
      shareMaxBp: edge.share?.maxBp,
      weight: edge.share ? edge.share.minBp / 100 : undefined,
      inCycle: edge.inCycle,
    });
  }
  return root.end({ prettyPrint: true });
}
