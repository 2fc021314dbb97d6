import {
  ids,
  validateEdge,
  validateVertex,
  type AccountVertex,
  type GraphEdge,
  type GraphVertex,
  type UsesProps,
} from '@app/vocabulary';
import type {
  AccountRecord,
  BankRecords,
  Counterparty,
  MovementRecord,
} from './bank-export.records';
import type { ProblemCollector, SourceLine } from './bank-export.problems';

/** What the resolver produced: the whole graph of the export, checked against the vocabulary. */
export interface ResolvedBankExport {
  vertices: GraphVertex[];
  edges: GraphEdge[];
  externalAccounts: number;
  cashPoints: number;
  notes: string[];
}

interface AccountRef {
  uid: string;
  record?: AccountRecord;
}

/**
 * Accounts and parties of this bank that an earlier import stored, by the id the export uses:
 * a file of the day's movements may name them without listing them again. Undefined when the
 * import runs without a graph store (to a folder), where every reference must be in the files.
 */
export interface StoredReferences {
  accounts: ReadonlyMap<string, string>;
  /** Cash points (branches, ATMs) of this bank stored already, by the export's id. */
  cashPoints: ReadonlyMap<string, string>;
  parties: ReadonlyMap<string, { uid: string; label: 'Person' | 'Company' }>;
}

/**
 * Ids of rows refused for their own values (format, types, conversions). A reference to one of
 * them is not reported again: its row's problems say what to fix, and once it is fixed the
 * reference holds. Every other reference problem is reported in the same run as the format
 * problems, so that a bank fixes its export in one round rather than two.
 */
export interface RejectedIds {
  accounts: ReadonlySet<string>;
  /** person_id and company_id of refused persons and companies rows. */
  parties: ReadonlySet<string>;
  identifiers: ReadonlySet<string>;
  /** Kinds with rows that could not be read at all (a bad header, encoding or line): any id may be among them. */
  unread: ReadonlySet<RejectedKind>;
}

/** What a reference may name. */
export type RejectedKind = 'accounts' | 'parties' | 'identifiers';

/**
 * Cross-file checks and graph building, in one pass over the typed records: every reference
 * (holder -> account and party, movement -> accounts, use -> identifier ...) is looked up, ids
 * must be unique, external counterparties must be described the same way every time. Problems
 * go to `problems`; the caller refuses the export when there is any, so a half-resolved graph is
 * never written. Every vertex and edge built is checked with the vocabulary's validateVertex /
 * validateEdge and a failure is reported on the row it came from.
 */
export function resolveBankExport(
  records: BankRecords,
  bankId: string,
  problems: ProblemCollector,
  stored?: StoredReferences,
  rejected?: RejectedIds,
): ResolvedBankExport {
  return new Resolver(records, bankId, problems, stored, rejected).run();
}

class Resolver {
  private readonly vertices = new Map<string, GraphVertex>();
  private readonly edges = new Map<string, GraphEdge>();
  private readonly parties = new Map<
    string,
    { uid: string; label: 'Person' | 'Company'; at: SourceLine }
  >();
  private readonly accounts = new Map<string, AccountRef>();
  private readonly identifiers = new Map<string, string>();
  private readonly holdings = new Map<string, string[]>();
  private readonly external = new Map<string, { counterparty: Counterparty; at: SourceLine }>();
  private readonly cashPoints = new Map<string, string>();
  private readonly notes: string[] = [];

  constructor(
    private readonly records: BankRecords,
    private readonly bankId: string,
    private readonly problems: ProblemCollector,
    private readonly stored?: StoredReferences,
    private readonly rejected?: RejectedIds,
  ) {}

  run(): ResolvedBankExport {
    this.parties_();
    this.accounts_();
    this.holders_();
    this.ownership_();
    this.identifiers_();
    this.uses_();
    this.movements_();
    this.events_();
    return {
      vertices: [...this.vertices.values()],
      edges: [...this.edges.values()],
      externalAccounts:
        this.external.size +
        this.records.accounts.filter((a) => a.accountType === 'external').length,
      cashPoints: this.cashPoints.size,
      notes: this.notes,
    };
  }

  /** True when `id` may be a row refused for its own values (see `RejectedIds`). */
  private refused(kind: RejectedKind, id: string | undefined): boolean {
    if (this.rejected === undefined || id === undefined) return false;
    return this.rejected.unread.has(kind) || this.rejected[kind].has(id);
  }

  private problem(at: SourceLine, field: string, rule: string): void {
    this.problems.add(at, field, rule);
  }

  private addVertex(vertex: GraphVertex, at: SourceLine): void {
    for (const p of validateVertex(vertex)) {
      this.problem(at, p.field, `of the ${vertex.label} built from this row ${p.rule}`);
    }
    this.vertices.set(vertex.uid, vertex);
  }

  private addEdge(edge: GraphEdge, at: SourceLine): void {
    for (const p of validateEdge(edge)) {
      this.problem(at, p.field, `of the ${edge.label} edge built from this row ${p.rule}`);
    }
    this.edges.set(edge.eid, edge);
  }

  /** Remembers `key` and reports a duplicate with the line of the first one. */
  private unique(
    seen: Map<string, SourceLine>,
    key: string,
    at: SourceLine,
    field: string,
    what: string,
  ): boolean {
    const first = seen.get(key);
    if (first) {
      this.problem(
        at,
        field,
        `must be unique: ${what} "${key}" is already in ${first.file} line ${first.line}`,
      );
      return false;
    }
    seen.set(key, at);
    return true;
  }

  private parties_(): void {
    const seen = new Map<string, SourceLine>();
    for (const p of this.records.persons) {
      if (!this.unique(seen, p.id, p, 'person_id', 'the party id')) continue;
      const uid = ids.person(this.bankId, p.id);
      this.parties.set(p.id, { uid, label: 'Person', at: p });
      this.addVertex(
        {
          label: 'Person',
          uid,
          props: {
            name: p.name,
            isPep: p.isPep,
            isSanctioned: p.isSanctioned,
            ...(p.birthDate !== undefined ? { birthDate: p.birthDate } : {}),
            ...(p.nationality !== undefined ? { nationality: p.nationality } : {}),
            ...(p.residence !== undefined ? { residence: p.residence } : {}),
          },
        },
        p,
      );
    }
    for (const c of this.records.companies) {
      if (!this.unique(seen, c.id, c, 'company_id', 'the party id')) continue;
      const uid = ids.company(this.bankId, c.id);
      this.parties.set(c.id, { uid, label: 'Company', at: c });
      this.addVertex(
        {
          label: 'Company',
          uid,
          props: {
            name: c.name,
            jurisdiction: c.jurisdiction,
            companyType: c.companyType,
            isShell: c.isShell,
            isNominee: c.isNominee,
            hasBearerShares: c.hasBearerShares,
            isSanctioned: c.isSanctioned,
            ...(c.registrationNumber !== undefined
              ? { registrationNumber: c.registrationNumber }
              : {}),
          },
        },
        c,
      );
    }
  }

  private accounts_(): void {
    const seen = new Map<string, SourceLine>();
    for (const a of this.records.accounts) {
      if (!this.unique(seen, a.id, a, 'account_id', 'the account id')) continue;
      let bank = this.bankId;
      if (a.accountType === 'external') {
        if (a.bankId === undefined || a.bankId === this.bankId) {
          this.problem(
            a,
            'bank_id',
            `is required for an external account and must differ from this bank (${this.bankId})`,
          );
          continue;
        }
        bank = a.bankId;
      } else if (a.bankId !== undefined && a.bankId !== this.bankId) {
        this.problem(
          a,
          'bank_id',
          `must be empty or ${this.bankId} (this bank) unless account_type is external`,
        );
        continue;
      }
      const uid =
        a.accountType === 'cash-point' ? ids.cashPoint(bank, a.id) : ids.account(bank, a.id);
      this.accounts.set(a.id, { uid, record: a });
      if (a.accountType === 'cash-point') this.cashPoints.set(a.id, uid);
      this.addVertex(
        {
          label: 'Account',
          uid,
          props: {
            accountType: a.accountType,
            currency: a.currency,
            openedAt: a.openedAt,
            status: a.status,
            bankId: bank,
            country: a.country,
          },
        },
        a,
      );
    }
  }

  private account(at: SourceLine, field: string, id: string): AccountRef | undefined {
    const storedUid = this.stored?.accounts.get(id);
    const found =
      this.accounts.get(id) ?? (storedUid === undefined ? undefined : { uid: storedUid });
    if (!found && !this.refused('accounts', id))
      this.problem(
        at,
        field,
        this.stored === undefined
          ? `must name an account_id of accounts ("${id}" is not there)`
          : `must name an account_id of accounts or an account of bank ${this.bankId} already stored ("${id}" is in neither)`,
      );
    return found;
  }

  /** A party of the files, or one an earlier import of this bank stored. */
  private knownParty(id: string): { uid: string; label: 'Person' | 'Company' } | undefined {
    return this.parties.get(id) ?? this.stored?.parties.get(id);
  }

  private party(at: SourceLine, field: string, id: string) {
    const found = this.knownParty(id);
    if (!found && !this.refused('parties', id))
      this.problem(
        at,
        field,
        this.stored === undefined
          ? `must name a person_id of persons or a company_id of companies ("${id}" is in neither)`
          : `must name a person_id of persons, a company_id of companies or a party of bank ${this.bankId} already stored ("${id}" is in none)`,
      );
    return found;
  }

  private identifier(at: SourceLine, field: string, id: string): string | undefined {
    const found = this.identifiers.get(id);
    if (!found && !this.refused('identifiers', id))
      this.problem(at, field, `must name an identifier_id of identifiers ("${id}" is not there)`);
    return found;
  }

  private holders_(): void {
    const seen = new Map<string, SourceLine>();
    for (const h of this.records.holders) {
      const account = this.account(h, 'account_id', h.accountId);
      const party = this.party(h, 'party_id', h.partyId);
      if (!account || !party) continue;
      if (!this.unique(seen, `${h.partyId} -> ${h.accountId}`, h, 'party_id', 'the holding'))
        continue;
      const list = this.holdings.get(h.partyId) ?? [];
      list.push(account.uid);
      this.holdings.set(h.partyId, list);
      this.addEdge(
        {
          label: 'HOLDS',
          eid: ids.structural('HOLDS', party.uid, account.uid),
          from: party.uid,
          to: account.uid,
          props: { role: h.role, ...(h.since !== undefined ? { since: h.since } : {}) },
        },
        h,
      );
    }
  }

  private ownership_(): void {
    const seen = new Map<string, SourceLine>();
    for (const o of this.records.ownership) {
      if (!this.unique(seen, o.id, o, 'relation_id', 'the relation id')) continue;
      const owner = this.party(o, 'owner_id', o.ownerId);
      const company = this.knownParty(o.companyId);
      if (!company && this.refused('parties', o.companyId)) continue;
      if (!company || company.label !== 'Company') {
        this.problem(
          o,
          'company_id',
          `must name a company_id of companies ("${o.companyId}" is ${company ? 'a person' : 'not there'})`,
        );
        continue;
      }
      if (!owner) continue;
      if (o.ownerId === o.companyId) {
        this.problem(
          o,
          'owner_id',
          'must differ from company_id (a company cannot hold an interest in itself here)',
        );
        continue;
      }
      const common = {
        interestType: o.interestType,
        directOrIndirect: o.directOrIndirect,
        beneficialOwnershipOrControl: o.beneficial,
        source: 'bank-export',
        ...(o.startDate !== undefined ? { startDate: o.startDate } : {}),
        ...(o.endDate !== undefined ? { endDate: o.endDate } : {}),
      };
      const eid = ids.relation(this.bankId, o.id);
      if (o.interestType === 'shareholding') {
        this.addEdge(
          {
            label: 'OWNS',
            eid,
            from: owner.uid,
            to: company.uid,
            props: {
              ...common,
              shareMinBp: o.minBp ?? 0,
              shareMaxBp: o.maxBp ?? 10000,
              shareMinExclusive: o.minExclusive,
              shareMaxExclusive: o.maxExclusive,
            },
          },
          o,
        );
      } else {
        const hasShare = o.minBp !== undefined || o.maxBp !== undefined;
        this.addEdge(
          {
            label: 'CONTROLS',
            eid,
            from: owner.uid,
            to: company.uid,
            props: {
              ...common,
              ...(hasShare ? { shareMinBp: o.minBp ?? 0, shareMaxBp: o.maxBp ?? 10000 } : {}),
            },
          },
          o,
        );
      }
    }
  }

  private identifiers_(): void {
    const seen = new Map<string, SourceLine>();
    for (const i of this.records.identifiers) {
      if (!this.unique(seen, i.id, i, 'identifier_id', 'the identifier id')) continue;
      const uid = ids.identifier(i.kind, i.value);
      this.identifiers.set(i.id, uid);
      this.addVertex({ label: 'Identifier', uid, props: { kind: i.kind, value: i.value } }, i);
    }
  }

  private uses_(): void {
    let partiesWithoutAccounts = 0;
    for (const u of this.records['identifier-uses']) {
      const identifier = this.identifier(u, 'identifier_id', u.identifierId);
      let accounts: string[] = [];
      if (u.accountId !== undefined) {
        const account = this.account(u, 'account_id', u.accountId);
        if (account) accounts = [account.uid];
      } else if (u.partyId !== undefined) {
        if (this.party(u, 'party_id', u.partyId)) {
          accounts = this.holdings.get(u.partyId) ?? [];
          if (accounts.length === 0) partiesWithoutAccounts += 1;
        }
      }
      if (!identifier) continue;
      for (const account of accounts) {
        const eid = ids.structural('USES', account, identifier);
        const known = this.edges.get(eid);
        const props: UsesProps =
          known?.label === 'USES'
            ? {
                firstSeen: Math.min(known.props.firstSeen, u.firstSeen),
                lastSeen: Math.max(known.props.lastSeen, u.lastSeen),
              }
            : { firstSeen: u.firstSeen, lastSeen: u.lastSeen };
        this.addEdge({ label: 'USES', eid, from: account, to: identifier, props }, u);
      }
    }
    if (partiesWithoutAccounts > 0) {
      this.notes.push(
        `${partiesWithoutAccounts} identifier use(s) name a party that holds no account in holders; they were left out (identifier uses link accounts to identifiers)`,
      );
    }
  }

  private movements_(): void {
    const seen = new Map<string, SourceLine>();
    // External and cash-point accounts are dated by their first movement.
    const firstSeen = new Map<string, number>();
    for (const m of this.records.movements) {
      for (const key of [this.sideKey(m, 'from'), this.sideKey(m, 'to')]) {
        if (key !== undefined)
          firstSeen.set(key, Math.min(firstSeen.get(key) ?? m.timestamp, m.timestamp));
      }
    }
    for (const m of this.records.movements) {
      if (!this.unique(seen, m.id, m, 'movement_id', 'the movement id')) continue;
      const from = this.side(m, 'from', firstSeen);
      const to = this.side(m, 'to', firstSeen);
      const identifierUid =
        m.identifierId !== undefined
          ? this.identifier(m, 'identifier_id', m.identifierId)
          : undefined;
      if (from === undefined || to === undefined) continue;
      this.addEdge(
        {
          label: 'TRANSFERRED',
          eid: ids.movement(this.bankId, m.id),
          from,
          to,
          props: {
            amountMinor: m.amountMinor,
            currency: m.currency,
            timestamp: m.timestamp,
            channel: m.channel,
            ...(m.receivedAmountMinor !== undefined && m.receivedCurrency !== undefined
              ? { receivedAmountMinor: m.receivedAmountMinor, receivedCurrency: m.receivedCurrency }
              : {}),
            ...(identifierUid !== undefined ? { identifierUid } : {}),
            ...(m.country !== undefined ? { country: m.country } : {}),
            ...(m.reference !== undefined ? { reference: m.reference } : {}),
          },
        },
        m,
      );
    }
  }

  /** Key of the account on one side that is not in accounts (an inline counterparty or a cash point). */
  private sideKey(m: MovementRecord, side: 'from' | 'to'): string | undefined {
    if ((side === 'from' ? m.from : m.to) !== undefined) return undefined;
    if (m.counterparty) return `ext:${m.counterparty.bank}/${m.counterparty.account}`;
    if (m.cashPoint !== undefined) return `cash:${m.cashPoint}`;
    return undefined;
  }

  /** The account uid of one side of a movement, creating inline external and cash-point accounts. */
  private side(
    m: MovementRecord,
    side: 'from' | 'to',
    firstSeen: ReadonlyMap<string, number>,
  ): string | undefined {
    const id = side === 'from' ? m.from : m.to;
    const field = side === 'from' ? 'from_account' : 'to_account';
    if (id !== undefined) return this.account(m, field, id)?.uid;
    const key = this.sideKey(m, side) ?? '';
    const opened = firstSeen.get(key) ?? m.timestamp;
    const currency = side === 'to' ? (m.receivedCurrency ?? m.currency) : m.currency;
    if (m.counterparty) return this.externalAccount(m, m.counterparty, currency, opened);
    if (m.cashPoint !== undefined) return this.cashPoint(m, m.cashPoint, currency, opened, side);
    return undefined;
  }

  private externalAccount(
    m: MovementRecord,
    c: Counterparty,
    currency: string,
    opened: number,
  ): string | undefined {
    if (c.bank === this.bankId) {
      this.problem(
        m,
        'counterparty_bank',
        `must not be this bank (${this.bankId}): accounts of this bank go in accounts`,
      );
      return undefined;
    }
    const key = `${c.bank}/${c.account}`;
    const uid = ids.account(c.bank, c.account);
    const known = this.external.get(key);
    if (known) {
      const a = known.counterparty;
      const differs = (['country', 'name', 'type'] as const).find((f) => a[f] !== c[f]);
      if (differs !== undefined) {
        this.problem(
          m,
          `counterparty_${differs}`,
          `must be the same for every movement of counterparty account ${key}: ${known.at.file} line ${known.at.line} says "${a[differs] ?? ''}"`,
        );
        return undefined;
      }
      return uid;
    }
    this.external.set(key, { counterparty: c, at: m });
    const vertex: AccountVertex = {
      label: 'Account',
      uid,
      props: {
        accountType: 'external',
        currency,
        openedAt: opened,
        status: 'active',
        bankId: c.bank,
        country: c.country,
      },
    };
    this.addVertex(vertex, m);
    if (c.name !== undefined) {
      const holder =
        c.type === 'person' ? ids.person('external', key) : ids.company('external', key);
      this.addVertex(
        c.type === 'person'
          ? {
              label: 'Person',
              uid: holder,
              props: { name: c.name, residence: c.country, isPep: false, isSanctioned: false },
            }
          : {
              label: 'Company',
              uid: holder,
              props: {
                name: c.name,
                jurisdiction: c.country,
                companyType: 'company',
                isShell: false,
                isNominee: false,
                hasBearerShares: false,
                isSanctioned: false,
              },
            },
        m,
      );
      this.addEdge(
        {
          label: 'HOLDS',
          eid: ids.structural('HOLDS', holder, uid),
          from: holder,
          to: uid,
          props: { role: 'holder' },
        },
        m,
      );
    }
    return uid;
  }

  private cashPoint(
    m: MovementRecord,
    point: string,
    currency: string,
    opened: number,
    side: 'from' | 'to',
  ): string | undefined {
    const declared = this.accounts.get(point);
    if (declared) {
      if (declared.record?.accountType !== 'cash-point') {
        this.problem(
          m,
          'cash_point',
          `must name a cash point: account ${point} of accounts is ${declared.record?.accountType ?? 'not a cash point'}`,
        );
        return undefined;
      }
      return declared.uid;
    }
    const known = this.cashPoints.get(point) ?? this.stored?.cashPoints.get(point);
    if (known) {
      this.cashPoints.set(point, known);
      return known;
    }
    const customer = side === 'from' ? m.to : m.from;
    const country =
      m.country ??
      (customer !== undefined ? this.accounts.get(customer)?.record?.country : undefined);
    if (country === undefined) {
      // The customer's account (whose country it would take) may be a refused row.
      if (this.refused('accounts', customer) || this.refused('accounts', point)) return undefined;
      this.problem(
        m,
        'country',
        `is required for the first cash movement at cash point ${point} (or declare the cash point in accounts)`,
      );
      return undefined;
    }
    const uid = ids.cashPoint(this.bankId, point);
    this.cashPoints.set(point, uid);
    this.addVertex(
      {
        label: 'Account',
        uid,
        props: {
          accountType: 'cash-point',
          currency,
          openedAt: opened,
          status: 'active',
          bankId: this.bankId,
          country,
        },
      },
      m,
    );
    return uid;
  }

  private events_(): void {
    const seen = new Map<string, SourceLine>();
    for (const e of this.records.events) {
      if (!this.unique(seen, e.id, e, 'event_id', 'the event id')) continue;
      const account = this.account(e, 'account_id', e.accountId);
      const identifierUid =
        e.identifierId !== undefined
          ? this.identifier(e, 'identifier_id', e.identifierId)
          : undefined;
      if (!account) continue;
      const uid = ids.event(this.bankId, e.id);
      this.addVertex(
        {
          label: 'Event',
          uid,
          props: {
            kind: e.kind,
            timestamp: e.timestamp,
            ...(e.country !== undefined ? { country: e.country } : {}),
            ...(e.latitude !== undefined ? { latitude: e.latitude } : {}),
            ...(e.longitude !== undefined ? { longitude: e.longitude } : {}),
            ...(identifierUid !== undefined ? { identifierUid } : {}),
          },
        },
        e,
      );
      this.addEdge(
        {
          label: 'HAS_EVENT',
          eid: ids.structural('HAS_EVENT', account.uid, uid),
          from: account.uid,
          to: uid,
          props: {},
        },
        e,
      );
    }
  }
}
