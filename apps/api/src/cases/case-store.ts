import type { CaseStatus } from '@app/vocabulary';
import type { CaseRecord } from './case';

export interface CaseFilter {
  status?: CaseStatus;
  assignee?: string;
}

export interface CasePage {
  items: CaseRecord[];
  nextCursor?: string;
}

/**
 * Port for investigation cases. Rules every adapter follows (case-store.contract.ts):
 * - `save` writes the whole case (created or replaced); `get` answers it as saved, or undefined;
 * - `list` answers cases in case id order (ids start with their creation time, so oldest
 *   first), `limit` at a time, filtered by status and assignee; `nextCursor` continues;
 * - `openCasesWithAlerts` answers every case that is not closed and holds one of the alerts;
 * - cases are the same after re-creating the adapter over the same storage.
 *
 * Adapters: `GraphCaseStore` (Case vertices in the graph store: what the API uses, durable on
 * JanusGraph) and `MemoryCaseStore` (process memory, for tests).
 */
export abstract class CaseStore {
  abstract get(caseId: string): Promise<CaseRecord | undefined>;
  abstract save(record: CaseRecord): Promise<void>;
  abstract list(filter: CaseFilter, limit: number, cursor?: string): Promise<CasePage>;
  abstract openCasesWithAlerts(alertIds: readonly string[]): Promise<CaseRecord[]>;
}
