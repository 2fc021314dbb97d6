import { Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import {
  ERASED_PERSON_FIELDS,
  erasedIdentifier,
  erasedPerson,
  isErased,
  PERSONAL_IDENTIFIER_KINDS,
} from '@app/vocabulary';
import type { GraphVertex } from '@app/vocabulary';
import { AuditLog } from '../audit/audit-log';

/** Ids read from the store at once. */
const READ_CHUNK = 1_000;
/** Erased persons named one by one in the notes; more are counted. */
const NAMED_PERSONS = 50;
/** Audit entries read per person to date their erasure. */
const AUDIT_ENTRIES = 200;
const ERASE_ROUTE = '/api/v1/subjects/:personId/erase';

/** Imported vertices with erasures kept, and what the import should say about them. */
export interface ErasuresKept {
  vertices: GraphVertex[];
  /** One note per erased person (then a count), one for pseudonymised identifiers. */
  notes: string[];
  /** Erased persons whose personal data the import left erased. */
  persons: string[];
  /** Contact identifiers whose pseudonymised value the import left as it is. */
  identifiers: string[];
}

/**
 * Keeps erasures (`SubjectsService.erase`) in force when data is written again: an erased
 * Person carries the pseudonym of its uid as name, an erased contact identifier the pseudonym
 * of its uid as value. For those, an imported record's personal data is not written: the
 * person keeps its pseudonym and no birth date, nationality or residence (the AML flags
 * `isPep` and `isSanctioned` are not personal data an erasure removes, so the import updates
 * them), the identifier keeps its pseudonymised value.
 */
@Injectable()
export class ErasedSubjects {
  constructor(
    private readonly store: GraphStore,
    private readonly audit: AuditLog,
  ) {}

  async keep(vertices: readonly GraphVertex[]): Promise<ErasuresKept> {
    const { vertices: kept, persons, identifiers } = await keepErasures(this.store, vertices);
    const notes: string[] = [];
    for (const uid of persons.slice(0, NAMED_PERSONS)) {
      const when = await this.erasedOn(uid);
      notes.push(
        `${uid} was erased ${when === undefined ? '(no date in the audit trail)' : `on ${when}`}: ` +
          `personal data not re-imported (name stays pseudonymised, ${ERASED_PERSON_FIELDS.join(', ')} ` +
          'stay removed; isPep and isSanctioned updated).',
      );
    }
    if (persons.length > NAMED_PERSONS) {
      notes.push(
        `${persons.length - NAMED_PERSONS} more erased persons: personal data not re-imported.`,
      );
    }
    if (identifiers.length > 0) {
      notes.push(
        `${identifiers.length} contact identifier${identifiers.length === 1 ? '' : 's'} ` +
          `pseudonymised by an erasure ${identifiers.length === 1 ? 'keeps its' : 'keep their'} pseudonym ` +
          `(value not re-imported): ${identifiers.slice(0, NAMED_PERSONS).join(', ')}` +
          `${identifiers.length > NAMED_PERSONS ? ', …' : ''}.`,
      );
    }
    return { vertices: kept, notes, persons, identifiers };
  }

  /** The day (YYYY-MM-DD, UTC) of the latest successful erasure in the audit trail. */
  private async erasedOn(personId: string): Promise<string | undefined> {
    const entries = await this.audit.list({ resource: personId, limit: AUDIT_ENTRIES });
    const erasures = entries
      .filter((e) => e.route === ERASE_ROUTE && e.status >= 200 && e.status < 300)
      .map((e) => e.at)
      .sort();
    return erasures[erasures.length - 1]?.slice(0, 10);
  }
}

/** Vertices to write with erasures kept, and the erased persons and identifiers among them. */
export interface ErasuresKeptInGraph {
  vertices: GraphVertex[];
  persons: string[];
  identifiers: string[];
}

/**
 * The vertices to write with the erasures in the store kept: an erased Person keeps its
 * pseudonym and gets no personal fields back (its AML flags are written), an erased contact
 * identifier keeps its pseudonymised value. One read per chunk of person and contact ids.
 */
export async function keepErasures(
  store: GraphStore,
  vertices: readonly GraphVertex[],
): Promise<ErasuresKeptInGraph> {
  const uids = vertices
    .filter(
      (v) =>
        v.label === 'Person' ||
        (v.label === 'Identifier' && PERSONAL_IDENTIFIER_KINDS.includes(v.props.kind)),
    )
    .map((v) => v.uid);
  const erased = new Set<string>();
  for (let start = 0; start < uids.length; start += READ_CHUNK) {
    for (const stored of await store.getVertices(uids.slice(start, start + READ_CHUNK))) {
      if (isErased(stored)) erased.add(stored.uid);
    }
  }
  const persons: string[] = [];
  const identifiers: string[] = [];
  if (erased.size === 0) return { vertices: [...vertices], persons, identifiers };
  const kept = vertices.map((vertex): GraphVertex => {
    if (!erased.has(vertex.uid)) return vertex;
    if (vertex.label === 'Person') {
      persons.push(vertex.uid);
      return erasedPerson(vertex);
    }
    if (vertex.label === 'Identifier') {
      identifiers.push(vertex.uid);
      return erasedIdentifier(vertex);
    }
    return vertex;
  });
  return { vertices: kept, persons, identifiers };
}
