import { Injectable } from '@nestjs/common';
import { AlertRepository } from '@app/detectors';
import type { StoredAlert } from '@app/detectors';
import { GraphStore } from '@app/graph-store';
import {
  Clock,
  EntityNotFoundError,
  ERASED_PERSON_FIELDS,
  PERSONAL_IDENTIFIER_KINDS,
  pseudonymFor,
} from '@app/vocabulary';
import type {
  AccountVertex,
  CompanyVertex,
  GraphEdge,
  GraphVertex,
  IdentifierVertex,
  Movement,
  PersonVertex,
} from '@app/vocabulary';
import { AuditEntry, AuditLog } from '../audit/audit-log';

/** Movements one export lists at most (the newest are cut; the answer says so). */
export const EXPORT_MOVEMENT_LIMIT = 10_000;
/** Alerts one export lists at most, over all the person's accounts. */
export const EXPORT_ALERT_LIMIT = 1_000;
/** Audit entries one export lists at most, newest first. */
export const EXPORT_AUDIT_LIMIT = 1_000;
/** Relations read around the person (accounts, companies) and around their accounts. */
const NEIGHBOURHOOD_LIMIT = 5_000;
/** The whole time axis, for "every movement" (the vocabulary's bound on instants). */
const ALL_TIME = { from: 0, to: 8.64e15 };

/** A list that may have been cut at its limit. */
export interface Bounded<T> {
  items: T[];
  limit: number;
  truncated: boolean;
  /** Present when cut: what was left out and where to read it. */
  note?: string;
}

export interface SubjectExport {
  personId: string;
  exportedAt: string;
  person: PersonVertex;
  /** Accounts the person holds (HOLDS), with the holding's role. */
  accounts: { account: AccountVertex; holding: GraphEdge }[];
  /** Identifiers their accounts use (USES), with the accounts that use them. */
  identifiers: { identifier: IdentifierVertex; usedBy: string[] }[];
  /** Money movements into and out of their accounts, oldest first. */
  movements: Bounded<Movement>;
  /** Alerts that flag the person or one of their accounts. */
  alerts: Bounded<StoredAlert>;
  /** Companies the person owns or controls, and those relations. */
  ownership: { companies: CompanyVertex[]; relations: GraphEdge[] };
  /** Audit entries of requests that named the person or one of their accounts, newest first. */
  audit: Bounded<AuditEntry>;
}

export interface ErasureRequest {
  reason: string;
  legalBasis?: string;
}

export interface ErasureResult {
  personId: string;
  /** False when an earlier erasure had already done everything (erasing twice is harmless). */
  changed: boolean;
  /** The name the person now carries. */
  pseudonym: string;
  /** Person fields removed by this request. */
  removedFields: string[];
  /** Contact identifiers (email, phone, address) whose value now is a pseudonym. */
  pseudonymisedIdentifiers: string[];
  /**
   * Contact identifiers left as they are because accounts of other customers use them too
   * (their value is those customers' data as well, and shared contact data is AML evidence).
   */
  sharedIdentifiersKept: string[];
  /** What is kept, and why. */
  retained: string;
}

const RETAINED =
  'Kept as AML law requires (EU AMLR 2024/1624 Art. 77, AMLD: 5 years after the end of the ' +
  'business relationship): accounts, movements, alerts and their evidence, the ownership ' +
  'structure and the audit trail. Business ids (including identifier ids) are not changed.';

function isLabel<L extends GraphVertex['label']>(
  label: L,
): (vertex: GraphVertex) => vertex is Extract<GraphVertex, { label: L }> {
  return (vertex): vertex is Extract<GraphVertex, { label: L }> => vertex.label === label;
}

function byUid(a: { uid: string }, b: { uid: string }): number {
  return a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;
}

/**
 * The data subject rights of GDPR for a Person, within what AML law requires to be kept: an
 * export of everything held about them (Art. 15) and an erasure (Art. 17) that pseudonymises
 * their personal fields and contact identifiers but keeps the records AML law retains.
 */
@Injectable()
export class SubjectsService {
  constructor(
    private readonly store: GraphStore,
    private readonly alerts: AlertRepository,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async export(personId: string): Promise<SubjectExport> {
    const person = await this.person(personId);
    const around = await this.store.getNeighbourhood({
      uid: personId,
      depth: 1,
      edgeLabels: ['HOLDS', 'OWNS', 'CONTROLS'],
      limit: NEIGHBOURHOOD_LIMIT,
    });
    const vertices = new Map(around.vertices.map((v) => [v.uid, v] as const));
    const mine = around.edges.filter((e) => e.from === personId);
    const accounts = mine
      .filter((e) => e.label === 'HOLDS')
      .flatMap((holding) => {
        const account = vertices.get(holding.to);
        return account?.label === 'Account' ? [{ account, holding }] : [];
      })
      .sort((a, b) => byUid(a.account, b.account));
    const accountIds = accounts.map((a) => a.account.uid);
    const relations = mine.filter((e) => e.label === 'OWNS' || e.label === 'CONTROLS');
    const companies = relations
      .map((e) => vertices.get(e.to))
      .filter((v): v is GraphVertex => v !== undefined)
      .filter(isLabel('Company'))
      .sort(byUid);

    const [identifiers, movements, alerts, audit] = await Promise.all([
      this.identifiersOf(accountIds),
      this.movementsOf(accountIds),
      this.alertsOf([personId, ...accountIds]),
      this.auditOf([personId, ...accountIds]),
    ]);
    return {
      personId,
      exportedAt: new Date(this.clock.now()).toISOString(),
      person,
      accounts,
      identifiers,
      movements,
      alerts,
      ownership: { companies: [...new Map(companies.map((c) => [c.uid, c])).values()], relations },
      audit,
    };
  }

  /**
   * Pseudonymises the person: `name` becomes `erased-<hash of the uid>`, `birthDate`,
   * `nationality` and `residence` are removed (an upsert replaces the props, so leaving them out
   * removes them), and the value of their email, phone and address identifiers becomes a
   * pseudonym too, unless another customer's account uses the same one. Everything AML law
   * keeps stays. The caller records the reason in the audit trail.
   */
  async erase(personId: string): Promise<ErasureResult> {
    const person = await this.person(personId);
    const pseudonym = pseudonymFor(personId);
    const removedFields = ERASED_PERSON_FIELDS.filter((field) => person.props[field] !== undefined);
    const { isPep, isSanctioned } = person.props;
    const personChanged = person.props.name !== pseudonym || removedFields.length > 0;
    if (personChanged) {
      await this.store.upsertVertices([
        { label: 'Person', uid: personId, props: { name: pseudonym, isPep, isSanctioned } },
      ]);
    }

    const accountIds = await this.accountIdsOf(personId);
    const used = await this.identifiersOf(accountIds);
    const mine = new Set(accountIds);
    const personal = used.filter(({ identifier }) =>
      PERSONAL_IDENTIFIER_KINDS.includes(identifier.props.kind),
    );
    const pseudonymised: IdentifierVertex[] = [];
    const shared: string[] = [];
    for (const { identifier } of personal) {
      const users = await this.store.getNeighbourhood({
        uid: identifier.uid,
        depth: 1,
        edgeLabels: ['USES'],
        limit: NEIGHBOURHOOD_LIMIT,
      });
      const others = users.edges.some((e) => e.label === 'USES' && !mine.has(e.from));
      if (others || users.truncated) {
        shared.push(identifier.uid);
        continue;
      }
      const value = pseudonymFor(identifier.uid);
      if (identifier.props.value !== value) {
        pseudonymised.push({ ...identifier, props: { ...identifier.props, value } });
      }
    }
    if (pseudonymised.length > 0) await this.store.upsertVertices(pseudonymised);
    return {
      personId,
      changed: personChanged || pseudonymised.length > 0,
      pseudonym,
      removedFields: [...removedFields],
      pseudonymisedIdentifiers: pseudonymised.map((i) => i.uid),
      sharedIdentifiersKept: shared,
      retained: RETAINED,
    };
  }

  // -------------------------------------------------------------------------------------------

  private async person(personId: string): Promise<PersonVertex> {
    const vertex = await this.store.getVertex(personId);
    if (vertex?.label !== 'Person') throw new EntityNotFoundError('Person', personId);
    return vertex;
  }

  private async accountIdsOf(personId: string): Promise<string[]> {
    const around = await this.store.getNeighbourhood({
      uid: personId,
      depth: 1,
      edgeLabels: ['HOLDS'],
      limit: NEIGHBOURHOOD_LIMIT,
    });
    return around.edges
      .filter((e) => e.label === 'HOLDS' && e.from === personId)
      .map((e) => e.to)
      .sort();
  }

  private async identifiersOf(
    accountIds: readonly string[],
  ): Promise<{ identifier: IdentifierVertex; usedBy: string[] }[]> {
    const usedBy = new Map<string, Set<string>>();
    const found = new Map<string, IdentifierVertex>();
    for (const accountId of accountIds) {
      const around = await this.store.getNeighbourhood({
        uid: accountId,
        depth: 1,
        edgeLabels: ['USES'],
        limit: NEIGHBOURHOOD_LIMIT,
      });
      for (const vertex of around.vertices.filter(isLabel('Identifier'))) {
        found.set(vertex.uid, vertex);
      }
      for (const edge of around.edges) {
        if (edge.label !== 'USES' || edge.from !== accountId) continue;
        const users = usedBy.get(edge.to) ?? new Set<string>();
        users.add(accountId);
        usedBy.set(edge.to, users);
      }
    }
    return [...found.values()]
      .filter((identifier) => usedBy.has(identifier.uid))
      .sort(byUid)
      .map((identifier) => ({
        identifier,
        usedBy: [...(usedBy.get(identifier.uid) ?? [])].sort(),
      }));
  }

  private async movementsOf(accountIds: readonly string[]): Promise<Bounded<Movement>> {
    const limit = EXPORT_MOVEMENT_LIMIT;
    if (accountIds.length === 0) return { items: [], limit, truncated: false };
    const found = await this.store.getMovements({
      accountIds,
      ...ALL_TIME,
      direction: 'both',
      limit: limit + 1,
    });
    const truncated = found.length > limit;
    const items = found.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      limit,
      truncated,
      ...(truncated && last
        ? {
            note: `Only the oldest ${limit} movements are listed (up to ${new Date(last.timestamp).toISOString()}); read the later ones per account through the entities API.`,
          }
        : {}),
    };
  }

  private async alertsOf(uids: readonly string[]): Promise<Bounded<StoredAlert>> {
    const limit = EXPORT_ALERT_LIMIT;
    const found = new Map<string, StoredAlert>();
    let truncated = false;
    for (const uid of uids) {
      const page = await this.alerts.list({ accountId: uid }, limit);
      if (page.nextCursor !== undefined) truncated = true;
      for (const alert of page.items) found.set(alert.alertId, alert);
    }
    const items = [...found.values()].sort((a, b) =>
      a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0,
    );
    truncated ||= items.length > limit;
    return {
      items: items.slice(0, limit),
      limit,
      truncated,
      ...(truncated
        ? {
            note: `More alerts name this person's accounts than one export lists (${limit}); list them per account with GET /api/v1/alerts?accountId=….`,
          }
        : {}),
    };
  }

  private async auditOf(uids: readonly string[]): Promise<Bounded<AuditEntry>> {
    const limit = EXPORT_AUDIT_LIMIT;
    const lists = await Promise.all(
      uids.map((resource) => this.audit.list({ resource, limit: limit + 1 })),
    );
    const all = lists.flat().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    const truncated = all.length > limit;
    return {
      items: all.slice(0, limit),
      limit,
      truncated,
      ...(truncated
        ? {
            note: `Only the newest ${limit} audit entries are listed; read older ones with GET /api/v1/audit?resource=….`,
          }
        : {}),
    };
  }
}
