import { GraphStore } from '@app/graph-store';
import { CASE_STATUSES } from '@app/vocabulary';
import type { CaseVertex } from '@app/vocabulary';
import type { CaseNote, CaseRecord, CaseStatusChange } from './case';
import { CaseFilter, CasePage, CaseStore } from './case-store';
import { isOpenCase } from './case-workflow';

const PAGE = 500;

export function caseVertexOf(record: CaseRecord): CaseVertex {
  const { caseId, notes, history, ...rest } = record;
  // Optional fields left undefined are not written (a store keeps no undefined properties).
  const defined = Object.fromEntries(
    Object.entries(rest).filter((entry) => entry[1] !== undefined),
  ) as typeof rest;
  return {
    label: 'Case',
    uid: caseId,
    props: {
      ...defined,
      notes: notes.map((note) => JSON.stringify(note)),
      history: history.map((change) => JSON.stringify(change)),
    },
  };
}

export function caseRecordOf(vertex: CaseVertex): CaseRecord {
  const { notes, history, ...rest } = vertex.props;
  return {
    caseId: vertex.uid,
    ...rest,
    notes: notes.map((note) => JSON.parse(note) as CaseNote),
    history: history.map((change) => JSON.parse(change) as CaseStatusChange),
  };
}

/**
 * Cases in the graph, through the GraphStore port: one `Case` vertex per case (uid = case id)
 * holding its alert ids, and its notes and status history as one JSON document per item. No
 * edges: a case is read and written in one round trip. Durable on JanusGraph; on the embedded
 * memory store it lives as long as the store.
 *
 * Round trips: get and save 1; list 1 per page; openCasesWithAlerts 1 per page of open cases
 * (cases are listed by status, as the store filters on equality only).
 */
export class GraphCaseStore extends CaseStore {
  constructor(private readonly store: GraphStore) {
    super();
  }

  async get(caseId: string): Promise<CaseRecord | undefined> {
    const vertex = await this.store.getVertex(caseId);
    return vertex?.label === 'Case' ? caseRecordOf(vertex) : undefined;
  }

  async save(record: CaseRecord): Promise<void> {
    await this.store.upsertVertices([caseVertexOf(record)]);
  }

  async list(filter: CaseFilter, limit: number, cursor?: string): Promise<CasePage> {
    const where: Record<string, string> = {};
    if (filter.status !== undefined) where.status = filter.status;
    if (filter.assignee !== undefined) where.assignee = filter.assignee;
    const page = await this.store.listVertices({ label: 'Case', where, cursor, limit });
    const items = page.items.filter((v): v is CaseVertex => v.label === 'Case').map(caseRecordOf);
    return page.nextCursor === undefined ? { items } : { items, nextCursor: page.nextCursor };
  }

  async openCasesWithAlerts(alertIds: readonly string[]): Promise<CaseRecord[]> {
    const wanted = new Set(alertIds);
    const found: CaseRecord[] = [];
    for (const status of CASE_STATUSES.filter(isOpenCase)) {
      let cursor: string | undefined;
      do {
        const page = await this.list({ status }, PAGE, cursor);
        found.push(...page.items.filter((c) => c.alertIds.some((id) => wanted.has(id))));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    }
    return found;
  }
}
