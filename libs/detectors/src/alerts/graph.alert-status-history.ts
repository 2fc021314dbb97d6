import { Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import type { Neighbourhood } from '@app/graph-store';
import { EntityNotFoundError, ids } from '@app/vocabulary';
import type { GraphEdge, StatusChangeVertex } from '@app/vocabulary';
import { AlertStatusHistory } from './alert-status-history';
import type { AlertStatusChange } from './alert-status-history';
import { KeyedTurns } from './keyed-turns';

/** Most status changes one alert can hold: its history is read in one neighbourhood query. */
export const MAX_STATUS_CHANGES = 10_000;

function byTimeThenSeq(a: StatusChangeVertex, b: StatusChangeVertex): number {
  return a.props.at - b.props.at || a.props.seq - b.props.seq;
}

function changeOf(vertex: StatusChangeVertex): AlertStatusChange {
  const { alertId, fromStatus, toStatus, at, note, actor } = vertex.props;
  return { alertId, from: fromStatus ?? null, to: toStatus, at, note, actor };
}

function vertexOf(change: AlertStatusChange, seq: number): StatusChangeVertex {
  return {
    label: 'StatusChange',
    uid: ids.statusChange(change.alertId, seq),
    props: {
      alertId: change.alertId,
      seq,
      ...(change.from === null ? {} : { fromStatus: change.from }),
      toStatus: change.to,
      at: change.at,
      note: change.note,
      actor: change.actor,
    },
  };
}

function edgeOf(alertId: string, seq: number): GraphEdge {
  return {
    label: 'HAS_STATUS_CHANGE',
    eid: ids.statusChangeEdge(alertId, seq),
    from: alertId,
    to: ids.statusChange(alertId, seq),
    props: {},
  };
}

/**
 * Alert status histories in the graph, through the GraphStore port: every change is a
 * `StatusChange` vertex (uid `status:<alertId>#<seq>`) with a `HAS_STATUS_CHANGE` edge from
 * its Alert. `seq` numbers an alert's changes in the order they were appended: 0 is the raise,
 * analyst changes count on from the highest stored one. A history is read back with one
 * neighbourhood query on the alert and ordered by `at`, then `seq`.
 *
 * Appends read the alert's current changes to number the new ones, then write the vertices and
 * then the edges. Appends to the same alert are serialised within this process, so two
 * concurrent status changes cannot take the same number; two processes changing the same alert
 * in the same instant are not coordinated (nor are their Alert vertex updates). A change whose
 * edge write failed is invisible and its number is reused, and so overwritten, by the next one.
 */
@Injectable()
export class GraphAlertStatusHistory extends AlertStatusHistory {
  /** Appends to one alert run one after another (see `KeyedTurns`). */
  private readonly turns = new KeyedTurns();

  constructor(private readonly store: GraphStore) {
    super();
  }

  async list(alertId: string): Promise<AlertStatusChange[]> {
    return ((await this.stored(alertId)) ?? []).map(changeOf);
  }

  appendAll(changes: readonly AlertStatusChange[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    const alertIds = [...new Set(changes.map((change) => change.alertId))];
    return this.turns.run(alertIds, () => this.write(changes, alertIds));
  }

  private async write(changes: readonly AlertStatusChange[], alertIds: string[]): Promise<void> {
    // One read: do the alerts exist, and which of them were raised already?
    const raiseUids = [
      ...new Set(changes.filter((c) => c.from === null).map((c) => ids.statusChange(c.alertId, 0))),
    ];
    const found = new Map(
      (await this.store.getVertices([...alertIds, ...raiseUids])).map((v) => [v.uid, v.label]),
    );
    for (const alertId of alertIds) {
      if (found.get(alertId) !== 'Alert') throw new EntityNotFoundError('Alert', alertId);
    }
    // The next number of every alert that gets an analyst change: one read per alert.
    const next = new Map<string, number>();
    for (const alertId of new Set(changes.filter((c) => c.from !== null).map((c) => c.alertId))) {
      const stored = (await this.stored(alertId)) ?? [];
      next.set(alertId, stored.reduce((max, v) => Math.max(max, v.props.seq), 0) + 1);
    }

    const vertices: StatusChangeVertex[] = [];
    const edges: GraphEdge[] = [];
    for (const change of changes) {
      let seq = 0;
      if (change.from === null) {
        const raise = ids.statusChange(change.alertId, 0);
        // An alert is raised once: the first raise stays. Its edge is written again (unchanged
        // when present) in case an earlier append stopped between the vertex and the edge.
        if (found.has(raise)) {
          edges.push(edgeOf(change.alertId, 0));
          continue;
        }
        found.set(raise, 'StatusChange');
      } else {
        seq = next.get(change.alertId) ?? 1;
        next.set(change.alertId, seq + 1);
      }
      vertices.push(vertexOf(change, seq));
      edges.push(edgeOf(change.alertId, seq));
    }
    if (vertices.length > 0) await this.store.upsertVertices(vertices);
    await this.store.upsertEdges(edges);
  }

  /** The alert's changes linked to it, oldest first; undefined when it is not an alert. */
  private async stored(alertId: string): Promise<StatusChangeVertex[] | undefined> {
    let neighbourhood: Neighbourhood;
    try {
      neighbourhood = await this.store.getNeighbourhood({
        uid: alertId,
        depth: 1,
        edgeLabels: ['HAS_STATUS_CHANGE'],
        limit: MAX_STATUS_CHANGES,
      });
    } catch (error: unknown) {
      if (error instanceof EntityNotFoundError) return undefined;
      throw error;
    }
    const start = neighbourhood.vertices.find((v) => v.uid === alertId);
    if (start?.label !== 'Alert') return undefined;
    if (neighbourhood.truncated) {
      throw new Error(
        `Alert ${alertId} has more than ${MAX_STATUS_CHANGES} status changes; its history cannot be read in one query`,
      );
    }
    const linked = new Set(
      neighbourhood.edges
        .filter((e) => e.label === 'HAS_STATUS_CHANGE' && e.from === alertId)
        .map((e) => e.to),
    );
    return neighbourhood.vertices
      .filter((v): v is StatusChangeVertex => v.label === 'StatusChange' && linked.has(v.uid))
      .sort(byTimeThenSeq);
  }
}
