import { InvalidInputError } from '@app/vocabulary';
import type { CaseRecord } from './case';
import { CaseFilter, CasePage, CaseStore } from './case-store';
import { isOpenCase } from './case-workflow';

function decodeAfter(cursor: string): string {
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!after.startsWith('case:')) {
    throw new InvalidInputError('The cursor is not one this API returned', [
      { field: 'cursor', rule: 'must be the nextCursor of a previous page, unchanged' },
    ]);
  }
  return after;
}

/** Cases in process memory (lost on restart): for tests and the contract suite. */
export class MemoryCaseStore extends CaseStore {
  private readonly cases = new Map<string, CaseRecord>();

  get(caseId: string): Promise<CaseRecord | undefined> {
    const found = this.cases.get(caseId);
    return Promise.resolve(found === undefined ? undefined : structuredClone(found));
  }

  save(record: CaseRecord): Promise<void> {
    this.cases.set(record.caseId, structuredClone(record));
    return Promise.resolve();
  }

  list(filter: CaseFilter, limit: number, cursor?: string): Promise<CasePage> {
    const after = cursor === undefined ? undefined : decodeAfter(cursor);
    const matching = [...this.cases.values()]
      .filter(
        (c) =>
          (filter.status === undefined || c.status === filter.status) &&
          (filter.assignee === undefined || c.assignee === filter.assignee) &&
          (after === undefined || c.caseId > after),
      )
      .sort((a, b) => (a.caseId < b.caseId ? -1 : 1));
    const items = matching.slice(0, limit).map((c) => structuredClone(c));
    const last = items[items.length - 1];
    return Promise.resolve(
      matching.length > limit && last !== undefined
        ? { items, nextCursor: Buffer.from(last.caseId, 'utf8').toString('base64url') }
        : { items },
    );
  }

  openCasesWithAlerts(alertIds: readonly string[]): Promise<CaseRecord[]> {
    const wanted = new Set(alertIds);
    return Promise.resolve(
      [...this.cases.values()]
        .filter((c) => isOpenCase(c.status) && c.alertIds.some((id) => wanted.has(id)))
        .map((c) => structuredClone(c)),
    );
  }
}
