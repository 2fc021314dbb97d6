import {
  AUDIT_CHAIN_GENESIS,
  AuditChain,
  ChainedAuditEntry,
  describeAuditChainReport,
  verifyAuditChain,
  withoutLink,
} from './audit-chain';
import type { AuditEntry } from './audit-log';

const T0 = Date.UTC(2025, 2, 1, 8, 0, 0);

function entry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: new Date(T0 + n * 1000).toISOString(),
    principal: 'key-analyst',
    role: 'analyst',
    method: 'GET',
    route: '/api/v1/entities/:uid',
    path: `/api/v1/entities/person:chain:${n}`,
    resources: { uid: `person:chain:${n}` },
    status: 200,
    correlationId: `corr-${n}`,
    ...overrides,
  };
}

function chainOf(chainId: string, entries: AuditEntry[]): ChainedAuditEntry[] {
  const chain = new AuditChain(chainId);
  return entries.map((one) => ({ ...one, ...chain.seal(one) }));
}

const five = (): ChainedAuditEntry[] =>
  chainOf(
    'abc',
    [1, 2, 3, 4, 5].map((n) => entry(n)),
  );

describe('audit hash chain', () => {
  it('links the first entry to the genesis value and each next one to the hash before it', () => {
    const chain = five();
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(chain[0]?.prevHash).toBe(AUDIT_CHAIN_GENESIS);
    for (let i = 1; i < chain.length; i += 1) {
      expect(chain[i]?.prevHash).toBe(chain[i - 1]?.hash);
    }
    expect(new Set(chain.map((e) => e.hash)).size).toBe(5);
  });

  it('verifies an untouched chain, in whatever order the entries are read', () => {
    const chain = five();
    const report = verifyAuditChain([...chain].reverse());
    expect(report).toEqual({
      ok: true,
      checked: 5,
      unchained: 0,
      chains: [{ chainId: 'abc', entries: 5, lastSeq: 5, lastHash: chain[4]?.hash }],
    });
    expect(describeAuditChainReport(report)).toContain('OK: 5 audit entries in 1 chain verified');
  });

  it.each<[string, (e: ChainedAuditEntry) => ChainedAuditEntry]>([
    ['the principal', (e) => ({ ...e, principal: 'key-someone-else' })],
    ['the status', (e) => ({ ...e, status: 404 })],
    ['a path parameter', (e) => ({ ...e, resources: { uid: 'person:chain:99' } })],
    ['the time', (e) => ({ ...e, at: new Date(T0).toISOString() })],
    ['the note', (e) => ({ ...e, note: 'added later' })],
  ])('names the seq of an entry whose %s was changed', (_field, tamper) => {
    const chain = five();
    const tampered = chain.map((e) => (e.seq === 3 ? tamper(e) : e));
    const report = verifyAuditChain(tampered);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({
      chainId: 'abc',
      seq: 3,
      problem: 'hash',
      found: chain[2]?.hash,
    });
    expect(report.broken?.expected).not.toBe(chain[2]?.hash);
    expect(describeAuditChainReport(report)).toContain('BROKEN: Chain abc: the entry at seq 3');
  });

  it('names the next entry when a changed entry was given a fresh hash', () => {
    const chain = five();
    const forged = chainOf(
      'abc',
      [1, 2, 3].map((n) => entry(n, n === 3 ? { status: 500 } : {})),
    );
    const tampered = [...forged, ...chain.slice(3)];
    expect(verifyAuditChain(tampered).broken).toMatchObject({
      seq: 4,
      problem: 'link',
      expected: forged[2]?.hash,
      found: chain[2]?.hash,
    });
  });

  it('reports a gap where an entry was removed', () => {
    const chain = five().filter((e) => e.seq !== 2);
    expect(verifyAuditChain(chain).broken).toMatchObject({
      chainId: 'abc',
      seq: 2,
      problem: 'gap',
      expected: 'seq 2',
      found: 'seq 3',
    });
    const many = five().filter((e) => e.seq === 1 || e.seq === 5);
    expect(verifyAuditChain(many).broken?.message).toContain('seq 2 to 4 are not there');
  });

  it('reports a chain whose first entries were removed', () => {
    expect(verifyAuditChain(five().slice(1)).broken).toMatchObject({ seq: 1, problem: 'gap' });
  });

  it('reports entries put in another order (their seq swapped)', () => {
    const chain = five();
    const second = chain[1];
    const third = chain[2];
    const swapped = [chain[0], { ...third, seq: 2 }, { ...second, seq: 3 }, chain[3], chain[4]];
    const report = verifyAuditChain(swapped.filter((e): e is ChainedAuditEntry => !!e));
    expect(report.broken).toMatchObject({ seq: 2, problem: 'link' });
  });

  it('reports two entries at the same place', () => {
    const chain = five();
    const copy = { ...chain[3], correlationId: 'copy' };
    expect(verifyAuditChain([...chain, copy]).broken).toMatchObject({
      seq: 4,
      problem: 'duplicate',
    });
  });

  it('chains summaries of refused requests like any entry, their count included', () => {
    const summary = entry(3, { status: 401, principal: 'unauthenticated', count: 1200 });
    const chain = chainOf('abc', [entry(1), entry(2), summary, entry(4)]);
    expect(verifyAuditChain(chain).ok).toBe(true);
    const lowered = chain.map((e) => (e.seq === 3 ? { ...e, count: 3 } : e));
    expect(verifyAuditChain(lowered).broken).toMatchObject({ seq: 3, problem: 'hash' });
  });

  it('checks each process chain on its own and reports the first break by chain id', () => {
    const a = chainOf('aaa', [entry(1), entry(2)]);
    const b = chainOf('bbb', [entry(1), entry(2), entry(3)]);
    const report = verifyAuditChain([...b, ...a]);
    expect(report.ok).toBe(true);
    expect(report.chains.map((c) => [c.chainId, c.lastSeq])).toEqual([
      ['aaa', 2],
      ['bbb', 3],
    ]);
    const broken = verifyAuditChain([...a, ...b.filter((e) => e.seq !== 2)]);
    expect(broken.broken).toMatchObject({ chainId: 'bbb', seq: 2, problem: 'gap' });
  });

  it('counts entries without a link apart (written before the chain existed)', () => {
    const report = verifyAuditChain([entry(0), ...five().map((e) => e)]);
    expect(report).toMatchObject({ ok: true, checked: 5, unchained: 1 });
    expect(withoutLink(five()[0])).toEqual(entry(1));
  });
});
