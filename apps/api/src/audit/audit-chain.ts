import { createHash } from 'node:crypto';
import type { AuditEntry } from './audit-log';

/**
 * The tamper-evident audit trail: every entry carries the SHA-256 of its own fields and of the
 * entry before it, so changing, removing or reordering a stored entry breaks the chain from
 * there on, and `verifyAuditChain` names the first place it breaks.
 *
 * Each API process writes its own chain (`chainId`, random per process start) numbered 1, 2,
 * 3… (`seq`); the first entry of a chain links to `AUDIT_CHAIN_GENESIS`. Several replicas
 * writing to one graph therefore make several chains, each complete on its own.
 */

/** What the first entry of every chain links to (64 zeros: no entry before it). */
export const AUDIT_CHAIN_GENESIS = '0'.repeat(64);

/** Names the serialisation the hash is taken over, so that it can change without ambiguity. */
const CANONICAL_VERSION = 'audit-chain/1';

/** An entry's place in its chain. */
export interface AuditChainLink {
  chainId: string;
  seq: number;
  prevHash: string;
  hash: string;
}

/** An audit entry as stored: its fields and its link. */
export type ChainedAuditEntry = AuditEntry & AuditChainLink;

/**
 * The exact text hashed: a JSON array of the fields in a fixed order (JSON of arrays is
 * deterministic; object key order is not relied on, path parameters are kept as pairs in the
 * order they were recorded). Absent optional fields are written as null.
 */
export function canonicalAuditEntry(
  entry: AuditEntry,
  link: Pick<AuditChainLink, 'chainId' | 'seq' | 'prevHash'>,
): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    link.chainId,
    link.seq,
    link.prevHash,
    entry.at,
    entry.principal,
    entry.role,
    entry.method,
    entry.route,
    entry.path,
    Object.entries(entry.resources),
    entry.status,
    entry.correlationId,
    entry.count ?? null,
    entry.note ?? null,
  ]);
}

export function hashAuditEntry(
  entry: AuditEntry,
  link: Pick<AuditChainLink, 'chainId' | 'seq' | 'prevHash'>,
): string {
  return createHash('sha256').update(canonicalAuditEntry(entry, link), 'utf8').digest('hex');
}

/** One process's chain: hands out the next link for each entry, in the order it is sealed. */
export class AuditChain {
  private seq = 0;
  private last = AUDIT_CHAIN_GENESIS;

  constructor(readonly chainId: string) {}

  /** Links an entry (in its stored form) to the previous one. */
  seal(entry: AuditEntry): AuditChainLink {
    this.seq += 1;
    const link = { chainId: this.chainId, seq: this.seq, prevHash: this.last };
    const hash = hashAuditEntry(entry, link);
    this.last = hash;
    return { ...link, hash };
  }
}

/** Removes the link, giving back the entry as it is listed. */
export function withoutLink(entry: AuditEntry | ChainedAuditEntry): AuditEntry {
  const {
    chainId: _c,
    seq: _s,
    prevHash: _p,
    hash: _h,
    ...rest
  } = entry as Partial<ChainedAuditEntry> & AuditEntry;
  return rest;
}

export function isChained(entry: AuditEntry | ChainedAuditEntry): entry is ChainedAuditEntry {
  const link = entry as Partial<AuditChainLink>;
  return (
    typeof link.chainId === 'string' &&
    typeof link.seq === 'number' &&
    typeof link.prevHash === 'string' &&
    typeof link.hash === 'string'
  );
}

/** Where a chain breaks first. */
export interface AuditChainBreak {
  chainId: string;
  /** The place in the chain where it breaks. */
  seq: number;
  /**
   * `gap`: entries are missing before this one (removed, or never stored);
   * `duplicate`: two entries claim this place;
   * `link`: the entry does not link to the hash of the entry before it (removed, reordered or
   * replaced entries);
   * `hash`: the entry's fields no longer give its hash (a field was changed).
   */
  problem: 'gap' | 'duplicate' | 'link' | 'hash';
  expected: string;
  found: string;
  /** The break in a sentence, for an operator. */
  message: string;
}

export interface AuditChainSummary {
  chainId: string;
  entries: number;
  lastSeq: number;
  lastHash: string;
}

export interface AuditChainReport {
  ok: boolean;
  /** Entries checked (entries written before the chain existed are counted apart). */
  checked: number;
  /** Entries without a link (written before the chain existed); they cannot be verified. */
  unchained: number;
  chains: AuditChainSummary[];
  /** The first broken link (chains in id order, each from seq 1); absent when `ok`. */
  broken?: AuditChainBreak;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Checks one chain, its entries sorted by seq; the first break, if any. */
function verifyOne(
  chainId: string,
  entries: readonly ChainedAuditEntry[],
): AuditChainBreak | undefined {
  let expectedSeq = 1;
  let prevHash = AUDIT_CHAIN_GENESIS;
  for (const entry of entries) {
    if (entry.seq < expectedSeq) {
      return {
        chainId,
        seq: entry.seq,
        problem: 'duplicate',
        expected: `one entry at seq ${entry.seq}`,
        found: 'two or more',
        message: `Chain ${chainId}: two entries claim seq ${entry.seq}.`,
      };
    }
    if (entry.seq > expectedSeq) {
      const missing =
        entry.seq - 1 === expectedSeq
          ? `seq ${expectedSeq} is`
          : `seq ${expectedSeq} to ${entry.seq - 1} are`;
      return {
        chainId,
        seq: expectedSeq,
        problem: 'gap',
        expected: `seq ${expectedSeq}`,
        found: `seq ${entry.seq}`,
        message: `Chain ${chainId}: entries are missing, ${missing} not there (removed, or never stored).`,
      };
    }
    if (entry.prevHash !== prevHash) {
      return {
        chainId,
        seq: entry.seq,
        problem: 'link',
        expected: prevHash,
        found: entry.prevHash,
        message: `Chain ${chainId}: the entry at seq ${entry.seq} does not link to the entry before it (an entry was replaced, removed or moved).`,
      };
    }
    const hash = hashAuditEntry(entry, entry);
    if (hash !== entry.hash) {
      return {
        chainId,
        seq: entry.seq,
        problem: 'hash',
        expected: hash,
        found: entry.hash,
        message: `Chain ${chainId}: the entry at seq ${entry.seq} was changed after it was written (its fields no longer give its hash).`,
      };
    }
    prevHash = entry.hash;
    expectedSeq += 1;
  }
  return undefined;
}

/**
 * Verifies audit entries in any order: groups them by chain, sorts each by seq, and checks that
 * every chain runs from seq 1 without gaps or repeats, that every entry links to the hash of
 * the one before (the first to the genesis value), and that every entry's fields still give its
 * hash. Reports the first broken link (chains in id order).
 *
 * What it cannot see: entries removed from the end of a chain (nothing links to them), and a
 * chain removed whole. Compare `chains[].lastSeq` with what the API reported to catch those.
 */
export function verifyAuditChain(
  entries: readonly (AuditEntry | ChainedAuditEntry)[],
): AuditChainReport {
  const byChain = new Map<string, ChainedAuditEntry[]>();
  let unchained = 0;
  for (const entry of entries) {
    if (!isChained(entry)) {
      unchained += 1;
      continue;
    }
    const chain = byChain.get(entry.chainId) ?? [];
    chain.push(entry);
    byChain.set(entry.chainId, chain);
  }
  const chains: AuditChainSummary[] = [];
  let broken: AuditChainBreak | undefined;
  for (const chainId of [...byChain.keys()].sort(compareStrings)) {
    const chain = (byChain.get(chainId) ?? []).sort((a, b) => a.seq - b.seq);
    const last = chain[chain.length - 1];
    chains.push({
      chainId,
      entries: chain.length,
      lastSeq: last?.seq ?? 0,
      lastHash: last?.hash ?? AUDIT_CHAIN_GENESIS,
    });
    broken ??= verifyOne(chainId, chain);
  }
  return {
    ok: broken === undefined,
    checked: entries.length - unchained,
    unchained,
    chains,
    ...(broken === undefined ? {} : { broken }),
  };
}

/** The report in a few lines, for the command line. */
export function describeAuditChainReport(report: AuditChainReport): string {
  const chains = `${report.chains.length} chain${report.chains.length === 1 ? '' : 's'}`;
  const unchained =
    report.unchained > 0
      ? ` (${report.unchained} older entries written before the chain existed were not checked)`
      : '';
  if (report.broken === undefined) {
    return `OK: ${report.checked} audit entries in ${chains} verified${unchained}.`;
  }
  const { broken } = report;
  return [
    `BROKEN: ${broken.message}`,
    `  chain:    ${broken.chainId}`,
    `  seq:      ${broken.seq}`,
    `  expected: ${broken.expected}`,
    `  found:    ${broken.found}`,
    `${report.checked} audit entries in ${chains} read${unchained}.`,
  ].join('\n');
}
