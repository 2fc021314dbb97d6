import type {
  EventVertex,
  GraphEdge,
  GraphVertex,
  GroundTruthRecord,
  MovementEdge,
  Typology,
} from '@app/vocabulary';
import type { InMemoryDataset } from '../bank/dataset.model';

/** Lookups over an in-memory dataset, for the specs. */
export class DatasetIndex {
  readonly vertices = new Map<string, GraphVertex>();
  readonly edges = new Map<string, GraphEdge>();
  readonly movements: MovementEdge[] = [];
  readonly movementById = new Map<string, MovementEdge>();
  readonly outgoing = new Map<string, MovementEdge[]>();
  readonly incoming = new Map<string, MovementEdge[]>();
  readonly eventsOf = new Map<string, EventVertex[]>();
  readonly accountsUsing = new Map<string, string[]>();
  readonly identifiersOf = new Map<string, string[]>();

  constructor(readonly dataset: InMemoryDataset) {
    for (const vertex of dataset.vertices) this.vertices.set(vertex.uid, vertex);
    for (const edge of dataset.edges) {
      this.edges.set(edge.eid, edge);
      if (edge.label === 'TRANSFERRED') {
        this.movements.push(edge);
        this.movementById.set(edge.eid, edge);
        push(this.outgoing, edge.from, edge);
        push(this.incoming, edge.to, edge);
      } else if (edge.label === 'HAS_EVENT') {
        const event = this.vertices.get(edge.to);
        if (event?.label === 'Event') push(this.eventsOf, edge.from, event);
      } else if (edge.label === 'USES') {
        push(this.accountsUsing, edge.to, edge.from);
        push(this.identifiersOf, edge.from, edge.to);
      }
    }
    for (const list of this.eventsOf.values())
      list.sort((a, b) => a.props.timestamp - b.props.timestamp);
  }

  records(typology: Typology, decoy = false): GroundTruthRecord[] {
    return this.dataset.groundTruth.filter((r) => r.typology === typology && r.decoy === decoy);
  }

  movementsOf(record: GroundTruthRecord): MovementEdge[] {
    return record.movements.map((id) => {
      const movement = this.movementById.get(id);
      if (!movement) throw new Error(`movement ${id} of ${record.instanceId} is missing`);
      return movement;
    });
  }

  vertex<L extends GraphVertex['label']>(
    uid: string,
    label: L,
  ): Extract<GraphVertex, { label: L }> {
    const vertex = this.vertices.get(uid);
    if (!vertex || vertex.label !== label) throw new Error(`${uid} is not a ${label}`);
    return vertex as Extract<GraphVertex, { label: L }>;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
