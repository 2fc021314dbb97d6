import { Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import {
  ALERT_STATUSES,
  Clock,
  ConflictError,
  EntityNotFoundError,
  ids,
  InvalidInputError,
  movementOf,
} from '@app/vocabulary';
import type {
  AlertStatus,
  AlertVertex,
  FlagRole,
  GraphEdge,
  GraphVertex,
  Movement,
  MovementEdge,
  Severity,
  Typology,
} from '@app/vocabulary';
import type { Page } from '@app/graph-store';
import type { AlertParty, AlertRisk, DetectedAlert } from '../core/detector';
import { compareMovements } from '../core/activity';
import { riskOf, riskProps, RISK_PROP_KEYS, sameRisk } from './alert-risk.codec';
import { AlertStatusHistory } from './alert-status-history';
import type { AlertStatusChange } from './alert-status-history';
import { KeyedTurns } from './keyed-turns';

/** An alert as stored: the Alert vertex's properties plus its id. */
export interface StoredAlert {
  alertId: string;
  ruleId: string;
  ruleVersion: string;
  typology: Typology;
  score: number;
  severity: Severity;
  status: AlertStatus;
  explanation: string;
  fingerprint: string;
  createdAt: number;
  updatedAt: number;
  windowStart: number;
  windowEnd: number;
  movementIds: string[];
  /** Who works the alert; absent when nobody does. */
  assignee?: string;
  /**
   * The learned risk model's view of the alert's latest movement (RISK_MODEL_FILE): score,
   * threshold, model version and reasons in words. Absent when no model scored the alert.
   */
  risk?: AlertRisk;
}

/** An alert with its evidence, for the alert detail view. */
export interface AlertDetail extends StoredAlert {
  /** Flagged vertices: the subject first, then counterparties, members and identifiers. */
  parties: { uid: string; role: FlagRole; label: GraphVertex['label']; vertex: GraphVertex }[];
  /** Evidence movements in time order (those still in the graph). */
  movements: Movement[];
  history: AlertStatusChange[];
}

export interface SaveAlertsResult {
  created: number;
  updated: number;
  unchanged: number;
  alertIds: string[];
}

export interface AlertFilter {
  status?: AlertStatus;
  typology?: string;
  ruleId?: string;
  /** Alerts that flag this account (or any vertex uid). */
  accountId?: string;
  /** Alerts whose window overlaps [from, to). */
  from?: number;
  to?: number;
  assignee?: string;
  severity?: Severity;
  /** Alerts scoring at least this (0 to 1). */
  minScore?: number;
}

export interface AlertPage {
  items: StoredAlert[];
  nextCursor?: string;
}

/**
 * What the alert listing can be ordered by: `score` is the rule's score, `raisedAt` when the
 * alert was first stored, `risk` the learned model's score (alerts without one come last).
 */
export const ALERT_SORT_KEYS = ['score', 'raisedAt', 'risk'] as const;
export type AlertSortKey = (typeof ALERT_SORT_KEYS)[number];

/**
 * The order of a listing: by a sort key in a direction, ties by alert id ascending (so equal
 * scores never swap between pages). Without one, alerts come in id order. Sorted by `risk`,
 * alerts the model did not score come after all scored ones in both directions, in id order.
 */
export interface AlertSort {
  by: AlertSortKey;
  direction: 'asc' | 'desc';
}

/** The stored property behind each sort key. */
const SORT_PROPERTY: Readonly<Record<AlertSortKey, 'score' | 'createdAt' | 'riskScore'>> = {
  score: 'score',
  raisedAt: 'createdAt',
  risk: 'riskScore',
};

/** An alert's value for a sort key; undefined (sorted last) when it has none. */
function sortValue(alert: StoredAlert, by: AlertSortKey): number | undefined {
  switch (by) {
    case 'score':
      return alert.score;
    case 'raisedAt':
      return alert.createdAt;
    case 'risk':
      return alert.risk?.score;
  }
}

/**
 * Allowed status changes. Closing needs a note (enforced for every change); a closed alert can
 * be reopened or taken back into investigation.
 */
export const ALERT_TRANSITIONS: Readonly<Record<AlertStatus, readonly AlertStatus[]>> = {
  open: ['investigating', 'escalated', 'closed-false-positive', 'closed-reported'],
  investigating: ['open', 'escalated', 'closed-false-positive', 'closed-reported'],
  escalated: ['investigating', 'closed-false-positive', 'closed-reported'],
  'closed-false-positive': ['open', 'investigating'],
  'closed-reported': ['open', 'investigating'],
};

const CHUNK = 500;
const MAX_SCANNED_PAGES = 200;

function storedOf(vertex: AlertVertex): StoredAlert {
  const { riskScore, riskThreshold, riskModelVersion, riskReasons, ...props } = vertex.props;
  const risk = riskOf({ riskScore, riskThreshold, riskModelVersion, riskReasons });
  return {
    alertId: vertex.uid,
    ...props,
    typology: props.typology as Typology,
    ...(risk === undefined ? {} : { risk }),
  };
}

/**
 * The listing's own cursor: `store` wraps the store's cursor; `after` resumes the by-account
 * listing after an alert id (and, when sorted, after its sort value `at`). `sort` names the
 * order it was made for ("score:desc"; absent for id order), so a cursor of one order is
 * refused by another instead of skipping or repeating alerts. `unscored` marks the second part
 * of a listing by risk, the alerts without one: `store` then pages them in id order (an empty
 * `value` starts that part), and `after` has no `at`.
 */
interface ListingCursor {
  kind: 'store' | 'after';
  value: string;
  at?: number;
  sort?: string;
  unscored?: true;
}

function sortName(sort: AlertSort | undefined): string | undefined {
  return sort === undefined ? undefined : `${sort.by}:${sort.direction}`;
}

function encodeCursor(cursor: ListingCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: AlertSort | undefined): ListingCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('kind' in parsed) ||
    !('value' in parsed) ||
    (parsed.kind !== 'store' && parsed.kind !== 'after') ||
    typeof parsed.value !== 'string'
  ) {
    throw new InvalidInputError('The cursor is not one this API returned', [
      { field: 'cursor', rule: 'must be the nextCursor of a previous page, unchanged' },
    ]);
  }
  const made = 'sort' in parsed && typeof parsed.sort === 'string' ? parsed.sort : undefined;
  const at = 'at' in parsed && typeof parsed.at === 'number' ? parsed.at : undefined;
  const unscored = 'unscored' in parsed && parsed.unscored === true && sort?.by === 'risk';
  if (
    made !== sortName(sort) ||
    (sort !== undefined && parsed.kind === 'after' && at === undefined && !unscored)
  ) {
    throw new InvalidInputError('The cursor belongs to a listing in another order', [
      {
        field: 'cursor',
        rule: `must come from a listing with the same sort and direction (${made ?? 'alert id'})`,
      },
    ]);
  }
  return {
    kind: parsed.kind,
    value: parsed.value,
    ...(at === undefined ? {} : { at }),
    ...(unscored ? { unscored } : {}),
  };
}

/** A place in a sorted listing: a sort value (undefined: the alert has none) and an alert id. */
interface ListingKey {
  value: number | undefined;
  alertId: string;
}

/**
 * Places in a listing's order: the sort value in its direction (no value after every value,
 * in both directions), then alert id ascending.
 */
function compareKeys(direction: 'asc' | 'desc'): (a: ListingKey, b: ListingKey) => number {
  const sign = direction === 'asc' ? 1 : -1;
  return (a, b) => {
    if (a.value !== b.value) {
      if (a.value === undefined) return 1;
      if (b.value === undefined) return -1;
      return a.value < b.value ? -sign : sign;
    }
    return a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0;
  };
}

/** Alerts in a listing's order: the sort value in its direction, then alert id ascending. */
function compareListed(sort: AlertSort | undefined): (a: StoredAlert, b: StoredAlert) => number {
  const byId = (a: StoredAlert, b: StoredAlert): number =>
    a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0;
  if (sort === undefined) return byId;
  const compare = compareKeys(sort.direction);
  return (a, b) =>
    compare(
      { value: sortValue(a, sort.by), alertId: a.alertId },
      { value: sortValue(b, sort.by), alertId: b.alertId },
    );
}

/** The filters applied while paging (the others are pushed to the store). */
function overlaps(alert: StoredAlert, filter: AlertFilter): boolean {
  if (filter.from !== undefined && alert.windowEnd < filter.from) return false;
  if (filter.to !== undefined && alert.windowStart >= filter.to) return false;
  if (filter.minScore !== undefined && alert.score < filter.minScore) return false;
  return true;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Alerts in the graph: one Alert vertex per fingerprint (uid `alert:<ruleId>:<fingerprint>`)
 * with FLAGS edges to its parties and the evidence movement ids. Saving the same pattern again
 * changes nothing; a grown pattern updates its alert (evidence merged, score and explanation
 * replaced) and keeps the analyst's status. Status changes are recorded with a note in the
 * alert's status history (`AlertStatusHistory`, kept in the graph by default).
 */
@Injectable()
export class AlertRepository {
  /** Writes of one alert in this process take turns (a read-modify-write each). */
  private readonly turns = new KeyedTurns();

  constructor(
    private readonly store: GraphStore,
    private readonly history: AlertStatusHistory,
    private readonly clock: Clock,
  ) {}

  async save(alerts: readonly DetectedAlert[]): Promise<SaveAlertsResult> {
    const result: SaveAlertsResult = { created: 0, updated: 0, unchanged: 0, alertIds: [] };
    // Latest version per alert id wins within one call.
    const latest = new Map<string, DetectedAlert>();
    for (const alert of alerts) latest.set(alert.alertId, alert);
    const all = [...latest.values()];
    for (let i = 0; i < all.length; i += CHUNK) {
      await this.saveChunk(all.slice(i, i + CHUNK), result);
    }
    return result;
  }

  async get(alertId: string): Promise<StoredAlert> {
    const vertex = await this.store.getVertex(alertId);
    if (!vertex || vertex.label !== 'Alert') throw new EntityNotFoundError('Alert', alertId);
    return storedOf(vertex);
  }

  /** The alert with its parties, evidence movements in time order and status history. */
  async detail(alertId: string): Promise<AlertDetail> {
    const alert = await this.get(alertId);
    const neighbourhood = await this.store.getNeighbourhood({
      uid: alertId,
      depth: 1,
      edgeLabels: ['FLAGS'],
      limit: 10_000,
    });
    const vertices = new Map(neighbourhood.vertices.map((v) => [v.uid, v] as const));
    const parties = neighbourhood.edges
      .filter(
        (e): e is Extract<GraphEdge, { label: 'FLAGS' }> =>
          e.label === 'FLAGS' && e.from === alertId,
      )
      .flatMap((e) => {
        const vertex = vertices.get(e.to);
        return vertex ? [{ uid: e.to, role: e.props.role, label: vertex.label, vertex }] : [];
      });
    const rank: Readonly<Record<FlagRole, number>> = {
      subject: 0,
      counterparty: 1,
      member: 2,
      identifier: 3,
    };
    parties.sort(
      (a, b) => rank[a.role] - rank[b.role] || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0),
    );
    // One read for all the evidence (the store chunks very long lists itself).
    const movements: Movement[] = (await this.store.getEdges(alert.movementIds))
      .filter((edge): edge is MovementEdge => edge.label === 'TRANSFERRED')
      .map(movementOf)
      .sort(compareMovements);
    return { ...alert, parties, movements, history: await this.history.list(alertId) };
  }

  /**
   * Alerts matching the filter, `limit` at a time, in id order or in the order of `sort` (ties
   * by id; the store orders and pages, so page 2 continues page 1 across the whole queue).
   * Status, typology, rule, assignee and severity are pushed to the store; the window and
   * minimum score are applied while paging (pages may then hold fewer items, never lose any).
   * With `accountId`, the alerts flagging that vertex are read from its neighbourhood.
   *
   * Sorted by `risk`, the listing has two parts: the alerts with a model score, ordered by the
   * store on `riskScore`, then those without one (`without: 'riskScore'`, id order), so
   * unscored alerts come last in both directions. One cursor runs across both parts.
   */
  async list(
    filter: AlertFilter,
    limit: number,
    cursor?: string,
    sort?: AlertSort,
  ): Promise<AlertPage> {
    if (filter.accountId !== undefined) return this.listForAccount(filter, limit, cursor, sort);
    const where: Record<string, string> = {};
    if (filter.status !== undefined) where.status = filter.status;
    if (filter.typology !== undefined) where.typology = filter.typology;
    if (filter.ruleId !== undefined) where.ruleId = filter.ruleId;
    if (filter.assignee !== undefined) where.assignee = filter.assignee;
    if (filter.severity !== undefined) where.severity = filter.severity;
    const resumed = cursor === undefined ? undefined : decodeCursor(cursor, sort);
    // In the unscored part an empty value is its start (no store cursor yet).
    let storeCursor = resumed?.value === '' ? undefined : resumed?.value;
    let unscored = resumed?.unscored === true;
    const items: StoredAlert[] = [];
    const read = (size: number): Promise<Page<GraphVertex>> => {
      const request = { label: 'Alert' as const, where, cursor: storeCursor, limit: size };
      if (unscored) return this.store.listVertices({ ...request, without: 'riskScore' });
      return sort === undefined
        ? this.store.listVertices(request)
        : this.store.listVerticesOrdered({
            ...request,
            orderBy: SORT_PROPERTY[sort.by],
            direction: sort.direction,
          });
    };
    let more = false;
    for (let pages = 0; pages < MAX_SCANNED_PAGES; pages += 1) {
      const page = await read(limit - items.length);
      for (const vertex of page.items) {
        if (vertex.label !== 'Alert') continue;
        const alert = storedOf(vertex);
        if (overlaps(alert, filter)) items.push(alert);
      }
      storeCursor = page.nextCursor;
      if (storeCursor === undefined && sort?.by === 'risk' && !unscored) {
        // The scored part is over: the unscored alerts follow.
        unscored = true;
        if (items.length >= limit) {
          more = (await read(1)).items.length > 0;
          break;
        }
        continue;
      }
      more = storeCursor !== undefined;
      if (!more || items.length >= limit) break;
    }
    const made = sortName(sort);
    return !more
      ? { items }
      : {
          items,
          nextCursor: encodeCursor({
            kind: 'store',
            value: storeCursor ?? '',
            ...(made === undefined ? {} : { sort: made }),
            ...(unscored ? { unscored: true as const } : {}),
          }),
        };
  }

  async changeStatus(
    alertId: string,
    to: AlertStatus,
    note: string,
    actor: string,
  ): Promise<StoredAlert> {
    if (!(ALERT_STATUSES as readonly string[]).includes(to)) {
      throw new InvalidInputError(`"${to}" is not an alert status`, [
        { field: 'status', rule: `must be one of ${ALERT_STATUSES.join(', ')}` },
      ]);
    }
    if (note.trim() === '') {
      throw new InvalidInputError('A status change needs a note', [
        { field: 'note', rule: 'must not be empty' },
      ]);
    }
    return this.turns.run([alertId], () => this.writeStatus(alertId, to, note, actor));
  }

  /** `changeStatus` once the alert's earlier writes in this process are done. */
  private async writeStatus(
    alertId: string,
    to: AlertStatus,
    note: string,
    actor: string,
  ): Promise<StoredAlert> {
    const vertex = await this.store.getVertex(alertId);
    if (!vertex || vertex.label !== 'Alert') throw new EntityNotFoundError('Alert', alertId);
    const from = vertex.props.status;
    if (!ALERT_TRANSITIONS[from].includes(to)) {
      throw new ConflictError(
        `Alert ${alertId} is ${from}; it cannot change to ${to} (allowed: ${ALERT_TRANSITIONS[from].join(', ') || 'none'})`,
        { field: 'status', from, to, allowed: ALERT_TRANSITIONS[from] },
      );
    }
    const now = this.clock.now();
    const updated: AlertVertex = {
      ...vertex,
      props: { ...vertex.props, status: to, updatedAt: now },
    };
    // The audit entry first: a status never changes without its entry in the history.
    await this.history.append({ alertId, from, to, at: now, note: note.trim(), actor });
    await this.store.upsertVertices([updated]);
    return storedOf(updated);
  }

  /**
   * Gives alerts to an assignee (or takes them off theirs with `undefined`), all or nothing:
   * an unknown id fails the whole call (naming it) before anything is written.
   */
  async assign(alertIds: readonly string[], assignee: string | undefined): Promise<StoredAlert[]> {
    const unique = [...new Set(alertIds)];
    return this.turns.run(unique, () => this.writeAssignee(unique, assignee));
  }

  /** `assign` once the alerts' earlier writes in this process are done. */
  private async writeAssignee(
    unique: readonly string[],
    assignee: string | undefined,
  ): Promise<StoredAlert[]> {
    const found = new Map(
      (await this.store.getVertices(unique))
        .filter((v): v is AlertVertex => v.label === 'Alert')
        .map((v) => [v.uid, v] as const),
    );
    const unknown = unique.find((id) => !found.has(id));
    if (unknown !== undefined) throw new EntityNotFoundError('Alert', unknown);
    const now = this.clock.now();
    const updated = unique.map((id): AlertVertex => {
      const vertex = found.get(id) as AlertVertex;
      const { assignee: _previous, ...props } = vertex.props;
      return {
        ...vertex,
        props: { ...props, ...(assignee === undefined ? {} : { assignee }), updatedAt: now },
      };
    });
    await this.store.upsertVertices(updated);
    return updated.map(storedOf);
  }

  statusHistory(alertId: string): Promise<AlertStatusChange[]> {
    return this.history.list(alertId);
  }

  private async listForAccount(
    filter: AlertFilter,
    limit: number,
    cursor?: string,
    sort?: AlertSort,
  ): Promise<AlertPage> {
    const accountId = filter.accountId as string;
    const exists = await this.store.getVertex(accountId);
    if (!exists) throw new EntityNotFoundError('Vertex', accountId);
    const neighbourhood = await this.store.getNeighbourhood({
      uid: accountId,
      depth: 1,
      edgeLabels: ['FLAGS'],
      limit: 10_000,
    });
    const after = cursor === undefined ? undefined : decodeCursor(cursor, sort);
    const order = compareListed(sort);
    const isAfter = (alert: StoredAlert): boolean => {
      if (after === undefined) return true;
      if (sort === undefined) return alert.alertId > after.value;
      const here = { value: sortValue(alert, sort.by), alertId: alert.alertId };
      return compareKeys(sort.direction)(here, { value: after.at, alertId: after.value }) > 0;
    };
    const matching = neighbourhood.vertices
      .filter((v): v is AlertVertex => v.label === 'Alert')
      .map(storedOf)
      .filter(
        (a) =>
          (filter.status === undefined || a.status === filter.status) &&
          (filter.typology === undefined || a.typology === filter.typology) &&
          (filter.ruleId === undefined || a.ruleId === filter.ruleId) &&
          (filter.assignee === undefined || a.assignee === filter.assignee) &&
          (filter.severity === undefined || a.severity === filter.severity) &&
          overlaps(a, filter) &&
          isAfter(a),
      )
      .sort(order);
    const items = matching.slice(0, limit);
    const last = items[items.length - 1];
    if (matching.length <= limit || last === undefined) return { items };
    const made = sortName(sort);
    if (sort === undefined || made === undefined)
      return { items, nextCursor: encodeCursor({ kind: 'after', value: last.alertId }) };
    const at = sortValue(last, sort.by);
    return {
      items,
      nextCursor: encodeCursor({
        kind: 'after',
        value: last.alertId,
        sort: made,
        ...(at === undefined ? { unscored: true as const } : { at }),
      }),
    };
  }

  private saveChunk(alerts: readonly DetectedAlert[], result: SaveAlertsResult): Promise<void> {
    // An analyst's status or assignee change between the read and the write below would be
    // written over with the values read: the alerts' writes take turns.
    return this.turns.run(
      alerts.map((alert) => alert.alertId),
      () => this.writeChunk(alerts, result),
    );
  }

  private async writeChunk(
    alerts: readonly DetectedAlert[],
    result: SaveAlertsResult,
  ): Promise<void> {
    const existing = new Map<string, AlertVertex>();
    for (const vertex of await this.store.getVertices(alerts.map((a) => a.alertId))) {
      if (vertex.label === 'Alert') existing.set(vertex.uid, vertex);
    }
    const partyUids = [...new Set(alerts.flatMap((a) => a.parties.map((p) => p.uid)))];
    const known = new Set((await this.store.getVertices(partyUids)).map((v) => v.uid));
    const now = this.clock.now();
    const vertices: AlertVertex[] = [];
    const edges: GraphEdge[] = [];
    const raised: AlertStatusChange[] = [];
    for (const alert of alerts) {
      result.alertIds.push(alert.alertId);
      const movementIds = alert.movements.map((m) => m.movementId);
      const before = existing.get(alert.alertId);
      let vertex: AlertVertex;
      if (!before) {
        vertex = {
          label: 'Alert',
          uid: alert.alertId,
          props: {
            ruleId: alert.ruleId,
            ruleVersion: alert.ruleVersion,
            typology: alert.typology,
            score: alert.score,
            severity: alert.severity,
            status: 'open',
            explanation: alert.explanation,
            fingerprint: alert.fingerprint,
            createdAt: now,
            updatedAt: now,
            windowStart: alert.windowStart,
            windowEnd: alert.windowEnd,
            movementIds,
            ...riskProps(alert.risk),
          },
        };
        result.created += 1;
        raised.push({
          alertId: alert.alertId,
          from: null,
          to: 'open',
          at: now,
          note: `raised by ${alert.ruleId} ${alert.ruleVersion}`,
          actor: 'detector',
        });
      } else {
        const merged = [
          ...before.props.movementIds,
          ...movementIds.filter((id) => !before.props.movementIds.includes(id)),
        ];
        // The risk is replaced like the score: the latest evaluation's, none without a model.
        const kept = { ...before.props };
        for (const key of RISK_PROP_KEYS) delete kept[key];
        const props = {
          ...kept,
          ...riskProps(alert.risk),
          ruleVersion: alert.ruleVersion,
          score: alert.score,
          severity: alert.severity,
          explanation: alert.explanation,
          windowStart: Math.min(before.props.windowStart, alert.windowStart),
          windowEnd: Math.max(before.props.windowEnd, alert.windowEnd),
          movementIds: merged,
        };
        const changed =
          props.ruleVersion !== before.props.ruleVersion ||
          props.score !== before.props.score ||
          props.explanation !== before.props.explanation ||
          !sameRisk(riskOf(props), riskOf(before.props)) ||
          props.windowStart !== before.props.windowStart ||
          props.windowEnd !== before.props.windowEnd ||
          !sameList(merged, before.props.movementIds);
        if (!changed) {
          result.unchanged += 1;
          vertex = before;
        } else {
          result.updated += 1;
          vertex = { ...before, props: { ...props, updatedAt: now } };
        }
        // Its raise again: the history keeps a raise it has and writes a missing one, which a
        // save cut short between the alert and its history left out (outside fault review:
        // alerts written when JanusGraph was killed had no history, and a rerun never wrote it).
        raised.push({
          alertId: alert.alertId,
          from: null,
          to: 'open',
          at: before.props.createdAt,
          note: `raised by ${before.props.ruleId} ${before.props.ruleVersion}`,
          actor: 'detector',
        });
      }
      // An unchanged alert is written again too: the store then finds it and mends it when an
      // interrupted save left it out of the label's mixed index (JanusGraph commits the storage
      // first), where it would be missing from every listing of the alert queue for good.
      vertices.push(vertex);
      const seen = new Set<string>();
      for (const party of alert.parties) {
        if (seen.has(party.uid) || !known.has(party.uid)) continue;
        seen.add(party.uid);
        edges.push(this.flagEdge(alert.alertId, party));
      }
    }
    if (vertices.length > 0) await this.store.upsertVertices(vertices);
    if (edges.length > 0) await this.store.upsertEdges(edges);
    if (raised.length > 0) await this.history.appendAll(raised);
  }

  private flagEdge(alertId: string, party: AlertParty): GraphEdge {
    return {
      label: 'FLAGS',
      eid: ids.structural('FLAGS', alertId, party.uid),
      from: alertId,
      to: party.uid,
      props: { role: party.role },
    };
  }
}
