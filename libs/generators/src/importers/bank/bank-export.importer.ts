import {
  BUSINESS_ID_PATTERN,
  ids,
  InvalidInputError,
  MissingRateError,
  sameEdgeValues,
  type BaseMoney,
  type GraphEdge,
  type GraphVertex,
} from '@app/vocabulary';
import { ChunkBuffer, type ImportRun, type ImportSummary } from '../import-chunk';
import {
  BANK_EXCHANGE_VERSION,
  BANK_RECORD_TYPES,
  BankSchemaValidator,
  type BankRecordType,
} from './bank-exchange.schemas';
import {
  bankExportFolder,
  planBankFiles,
  readBankFile,
  StopReading,
  type BankExportFile,
} from './bank-export.files';
import { DEFAULT_MAX_PROBLEMS, ProblemCollector, type SourceLine } from './bank-export.problems';
import { addRecord, emptyRecords, type BankRecords } from './bank-export.records';
import {
  resolveBankExport,
  type RejectedIds,
  type RejectedKind,
  type StoredReferences,
} from './bank-export.resolver';

/** The bank id used when none is given: account uids read `account:bank:<account_id>`. */
export const DEFAULT_BANK_ID = 'bank';

export interface BankImportOptions {
  /**
   * This bank's id: part of every business id the import writes (`account:<bankId>:<account_id>`,
   * `person:<bankId>:<person_id>` ...) and the `bankId` of its own accounts. Import the same bank
   * always with the same id, so that a second import updates instead of duplicating.
   */
  bankId?: string;
  /** Problems collected before reading stops and the export is refused (default 50). */
  maxProblems?: number;
  /** Vertices + edges per chunk (default 5000). */
  chunkSize?: number;
  /**
   * Reads stored vertices by uid (a graph store's `getVertices`). With it, rows may name
   * accounts and parties of this bank that an earlier import stored instead of listing them
   * again (a day's movements alone); without it every reference must be in the files.
   */
  storedVertices?: (uids: readonly string[]) => Promise<readonly GraphVertex[]>;
  /**
   * The base currency and its dated rate table (the detectors' money). With it, a movement
   * whose amount (or amount received) has no rate into the base currency on its date is
   * refused: the rules compare amounts only through the table, so they could not judge it.
   */
  money?: BaseMoney;
  /**
   * Reads stored edges by eid (a graph store's `getEdges`). With it, a movement stored already
   * with other values (another amount, time or account) is refused: a booked movement is not
   * changed under the alerts that cite it; a correction is a movement of its own. The same
   * movement sent again is fine.
   */
  storedEdges?: (eids: readonly string[]) => Promise<readonly GraphEdge[]>;
  /**
   * The importer's clock (epoch ms). With it, dates after it are refused: a movement more than
   * 7 days ahead (a value date may be a few days ahead; `9999-12-31` is a placeholder or a wrong
   * year, and the real-time and stream paths refuse it too), an account opened or a person born
   * after it; and a birth date before 1900.
   */
  now?: number;
}

/** Problems of movements the store holds already with other values (see `storedEdges`). */
async function bookedMovementProblems(
  records: BankRecords,
  bankId: string,
  edges: readonly GraphEdge[],
  lookup: (eids: readonly string[]) => Promise<readonly GraphEdge[]>,
  add: (at: SourceLine, field: string, rule: string) => void,
): Promise<void> {
  const recordOf = new Map(records.movements.map((m) => [ids.movement(bankId, m.id), m]));
  const movements = edges.filter((e) => e.label === 'TRANSFERRED');
  for (let start = 0; start < movements.length; start += STORED_LOOKUP_CHUNK) {
    const chunk = movements.slice(start, start + STORED_LOOKUP_CHUNK);
    const stored = new Map((await lookup(chunk.map((e) => e.eid))).map((e) => [e.eid, e]));
    for (const edge of chunk) {
      const found = stored.get(edge.eid);
      const record = recordOf.get(edge.eid);
      if (found === undefined || record === undefined || sameEdgeValues(found, edge)) continue;
      add(
        record,
        'movement_id',
        `names a movement stored already with other values (${edge.eid}); a booked movement is not changed under the alerts that cite it: send a correction under a movement_id of its own`,
      );
    }
  }
}

/** How far after the importer's clock a movement may be dated (the ingest worker's bound too). */
export const MAX_MOVEMENT_AHEAD_MS = 7 * 86_400_000;

/** Problems of dates after the importer's clock, or birth dates before 1900 (see `now`). */
function dateProblems(
  records: BankRecords,
  now: number,
  add: (at: SourceLine, field: string, rule: string) => void,
): void {
  const clock = new Date(now).toISOString();
  const today = clock.slice(0, 10);
  for (const m of records.movements)
    if (m.timestamp > now + MAX_MOVEMENT_AHEAD_MS)
      add(
        m,
        'timestamp',
        `must not be more than 7 days after the importer's clock (${clock}): ${new Date(m.timestamp).toISOString()} is a placeholder or a wrong year`,
      );
  const tomorrow = Date.parse(`${today}T00:00:00Z`) + 86_400_000;
  for (const a of records.accounts)
    if (a.openedAt >= tomorrow)
      add(a, 'opened_on', `must not be after today (${today}): an account cannot be opened later`);
  for (const p of records.persons) {
    if (p.birthDate === undefined) continue;
    if (p.birthDate > today) add(p, 'birth_date', `must not be after today (${today})`);
    else if (p.birthDate < '1900-01-01')
      add(p, 'birth_date', 'must be 1900-01-01 or later (a placeholder such as 0000-01-01?)');
  }
}

/** Problems of movements whose amounts the rate table cannot convert (see `money`). */
function conversionProblems(
  records: BankRecords,
  money: BaseMoney,
  add: (m: BankRecords['movements'][number], field: string, rule: string) => void,
): void {
  for (const m of records.movements) {
    const amounts: [string, number, string][] = [['currency', m.amountMinor, m.currency]];
    if (m.receivedCurrency !== undefined)
      amounts.push([
        'received_currency',
        m.receivedAmountMinor ?? m.amountMinor,
        m.receivedCurrency,
      ]);
    for (const [field, minor, currency] of amounts) {
      try {
        money.convert(minor, currency, m.timestamp);
      } catch (error) {
        if (!(error instanceof MissingRateError)) throw error;
        const day = new Date(m.timestamp).toISOString().slice(0, 10);
        add(
          m,
          field,
          `has no exchange rate into ${money.currency} on or before ${day} in the rate table (FX_RATES_FILE): the rules compare amounts in ${money.currency}, so they could not judge this movement; add ${currency} to the table`,
        );
      }
    }
  }
}

/** Uids asked of the store at once when references are looked up. */
const STORED_LOOKUP_CHUNK = 1000;

/**
 * The accounts and parties that rows name without the files listing them, looked up in the
 * store as this bank's (`account:`/`cash:` and `person:`/`company:` uids).
 */
async function storedReferences(
  records: BankRecords,
  bankId: string,
  lookup: (uids: readonly string[]) => Promise<readonly GraphVertex[]>,
): Promise<StoredReferences> {
  const declaredAccounts = new Set(records.accounts.map((a) => a.id));
  const declaredParties = new Set([
    ...records.persons.map((p) => p.id),
    ...records.companies.map((c) => c.id),
  ]);
  const accountIds = new Set<string>();
  const partyIds = new Set<string>();
  const account = (id: string | undefined): void => {
    if (id !== undefined && !declaredAccounts.has(id)) accountIds.add(id);
  };
  const party = (id: string | undefined): void => {
    if (id !== undefined && !declaredParties.has(id)) partyIds.add(id);
  };
  records.holders.forEach((h) => (account(h.accountId), party(h.partyId)));
  records.ownership.forEach((o) => (party(o.ownerId), party(o.companyId)));
  records['identifier-uses'].forEach((u) => (account(u.accountId), party(u.partyId)));
  records.movements.forEach((m) => (account(m.from), account(m.to), account(m.cashPoint)));
  records.events.forEach((e) => account(e.accountId));
  const wanted = new Map<string, { id: string; kind: 'account' | 'party' }>();
  for (const id of accountIds) {
    wanted.set(ids.account(bankId, id), { id, kind: 'account' });
    wanted.set(ids.cashPoint(bankId, id), { id, kind: 'account' });
  }
  for (const id of partyIds) {
    wanted.set(ids.person(bankId, id), { id, kind: 'party' });
    wanted.set(ids.company(bankId, id), { id, kind: 'party' });
  }
  const accounts = new Map<string, string>();
  const cashPoints = new Map<string, string>();
  const parties = new Map<string, { uid: string; label: 'Person' | 'Company' }>();
  const uids = [...wanted.keys()];
  for (let start = 0; start < uids.length; start += STORED_LOOKUP_CHUNK) {
    for (const vertex of await lookup(uids.slice(start, start + STORED_LOOKUP_CHUNK))) {
      const ref = wanted.get(vertex.uid);
      if (ref === undefined) continue;
      if (ref.kind === 'account' && vertex.label === 'Account') {
        accounts.set(ref.id, vertex.uid);
        if (vertex.uid === ids.cashPoint(bankId, ref.id)) cashPoints.set(ref.id, vertex.uid);
      }
      if (ref.kind === 'party' && (vertex.label === 'Person' || vertex.label === 'Company'))
        parties.set(ref.id, { uid: vertex.uid, label: vertex.label });
    }
  }
  return { accounts, cashPoints, parties };
}

export interface BankImportSummary extends ImportSummary {
  source: 'bank';
  /** The exchange format version read, e.g. `bank-exchange/v1`. */
  format: string;
  bankId: string;
  /** Records read per type. */
  records: Record<BankRecordType, number>;
  /** Accounts at other banks (declared in accounts or given inline by movements). */
  externalAccounts: number;
  /** Branches and ATMs (declared in accounts or named by cash movements). */
  cashPoints: number;
}

/** The id fields whose rows other files refer to, by record type (see `RejectedIds`). */
const REFERENCED_ID_FIELDS: Partial<Record<BankRecordType, [RejectedKind, string]>> = {
  persons: ['parties', 'person_id'],
  companies: ['parties', 'company_id'],
  accounts: ['accounts', 'account_id'],
  identifiers: ['identifiers', 'identifier_id'],
};

/** Collects the ids of rows refused for their own values. */
class RejectedRows {
  readonly ids = {
    accounts: new Set<string>(),
    parties: new Set<string>(),
    identifiers: new Set<string>(),
    unread: new Set<RejectedKind>(),
  } satisfies RejectedIds;

  /** A file of `type` had rows it could not read (a mixed file: of any type). */
  unread(type: BankRecordType | 'mixed'): void {
    if (type === 'mixed') {
      for (const [kind] of Object.values(REFERENCED_ID_FIELDS)) this.ids.unread.add(kind);
      return;
    }
    const referenced = REFERENCED_ID_FIELDS[type];
    if (referenced !== undefined) this.ids.unread.add(referenced[0]);
  }

  add(type: BankRecordType, values: Readonly<Record<string, unknown>>): void {
    const referenced = REFERENCED_ID_FIELDS[type];
    if (referenced === undefined) return;
    const id = values[referenced[1]];
    if (typeof id === 'string') this.ids[referenced[0]].add(id);
  }
}

/** A validated export: its whole graph in memory, ready to be written in chunks. */
export interface ParsedBankExport {
  vertices: GraphVertex[];
  edges: GraphEdge[];
  summary: BankImportSummary;
}

/**
 * Reads and validates a whole bank export (see docs/import-format.md) and builds its graph:
 *
 * 1. every file is read row by row; each row is checked against its JSON Schema
 *    (schemas/bank-exchange/v1) and converted exactly (amounts to minor units by the currency's
 *    exponent, percentages to basis points, ISO 8601 times to epoch ms);
 * 2. references between files, duplicate ids and counterparties are checked, and the vertices
 *    and edges are built and checked against the vocabulary. This runs on the rows of step 1
 *    that passed, also when others did not, so that one run reports both kinds of problem; a
 *    reference to a refused row is not reported twice.
 *
 * Problems (file, line, field, rule) are collected up to `maxProblems`; if there is any, a
 * `BankExportInvalidError` is thrown and nothing is returned. Memory holds the whole export
 * (about 1 KB per movement), which suits exports of up to a few million rows.
 */
export async function parseBankExport(
  files: readonly BankExportFile[],
  options: BankImportOptions = {},
): Promise<ParsedBankExport> {
  const bankId = options.bankId ?? DEFAULT_BANK_ID;
  if (!BUSINESS_ID_PATTERN.test(bankId) || bankId.includes(':')) {
    throw new InvalidInputError(`The bank id "${bankId}" cannot be used in business ids`, [
      { field: 'bankId', rule: 'must be 1-100 letters, digits or . _ @ + # / - (no colon)' },
    ]);
  }
  const plans = planBankFiles(files);
  const problems = new ProblemCollector(options.maxProblems ?? DEFAULT_MAX_PROBLEMS);
  const validator = new BankSchemaValidator();
  const records = emptyRecords();
  const counts = Object.fromEntries(BANK_RECORD_TYPES.map((t) => [t, 0])) as Record<
    BankRecordType,
    number
  >;
  const summaryFiles: { path: string; rows: number }[] = [];
  const rejected = new RejectedRows();
  try {
    for (const plan of plans) {
      const reader = readBankFile(plan, (p) => {
        rejected.unread(plan.type);
        problems.add(p, p.field, p.rule);
      });
      for (;;) {
        const step = await reader.next();
        if (step.done === true) {
          summaryFiles.push({ path: plan.file.name, rows: step.value });
          break;
        }
        const raw = step.value;
        counts[raw.type] += 1;
        const before = problems.problems.length;
        const found = validator.validate(raw.type, raw.values);
        for (const p of found) problems.add(raw, p.field, p.rule);
        if (found.length === 0) {
          addRecord(records, raw.type, raw, raw.values, (field, rule) =>
            problems.add(raw, field, rule),
          );
        }
        if (problems.problems.length > before) rejected.add(raw.type, raw.values);
      }
    }
    // Rows refused for their own values are left out; the checks below still run on the rest,
    // so that one run lists the references and conversions to fix as well (see RejectedIds).
    if (options.money !== undefined)
      conversionProblems(records, options.money, (m, field, rule) => problems.add(m, field, rule));
    if (options.now !== undefined)
      dateProblems(records, options.now, (at, field, rule) => problems.add(at, field, rule));
    const stored =
      options.storedVertices === undefined
        ? undefined
        : await storedReferences(records, bankId, options.storedVertices);
    const resolved = resolveBankExport(records, bankId, problems, stored, rejected.ids);
    problems.refuseIfAny();
    if (options.storedEdges !== undefined)
      await bookedMovementProblems(
        records,
        bankId,
        resolved.edges,
        options.storedEdges,
        (at, field, rule) => problems.add(at, field, rule),
      );
    problems.refuseIfAny();
    return {
      vertices: resolved.vertices,
      edges: resolved.edges,
      summary: {
        source: 'bank',
        format: `bank-exchange/${BANK_EXCHANGE_VERSION}`,
        bankId,
        files: summaryFiles,
        vertices: resolved.vertices.length,
        edges: resolved.edges.length,
        groundTruth: 0,
        roundedAmounts: 0,
        notes: resolved.notes,
        records: counts,
        externalAccounts: resolved.externalAccounts,
        cashPoints: resolved.cashPoints,
      },
    };
  } catch (error) {
    if (error instanceof StopReading) problems.refuseIfAny();
    throw error;
  }
}

/**
 * An import run over a bank export, in the shape of the other importers (iterate it for
 * chunks; its return value is the summary), so that the seeder's sinks write it. The whole
 * export is validated before the first chunk: a refused export yields nothing.
 */
export async function* importBankExport(
  files: readonly BankExportFile[] | (() => Promise<readonly BankExportFile[]>),
  options: BankImportOptions = {},
): ImportRun<BankImportSummary> {
  const list = typeof files === 'function' ? await files() : files;
  const parsed = await parseBankExport(list, options);
  const buffer = new ChunkBuffer(options.chunkSize);
  // Every vertex before any edge: a sink never writes an edge whose ends are missing.
  for (const vertex of parsed.vertices) {
    buffer.addVertex(vertex, vertex.uid, undefined);
    if (buffer.full) yield buffer.take();
  }
  for (const edge of parsed.edges) {
    buffer.addEdge(edge, edge.eid, undefined);
    if (buffer.full) yield buffer.take();
  }
  if (!buffer.isEmpty) yield buffer.take();
  return parsed.summary;
}

/** `importBankExport` over the `*.csv` / `*.jsonl` files of a folder (other files are ignored and noted). */
export async function* importBankExportFolder(
  dir: string,
  options: BankImportOptions = {},
): ImportRun<BankImportSummary> {
  const { files, ignored } = await bankExportFolder(dir);
  const summary = yield* importBankExport(files, options);
  if (ignored.length > 0)
    summary.notes.push(`files ignored (not .csv or .jsonl): ${ignored.join(', ')}`);
  return summary;
}
