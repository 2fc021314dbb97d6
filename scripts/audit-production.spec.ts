import { advisoriesOf, allowListProblem, judgeAudit } from './audit-production';

/** The shape `npm audit --json` prints (npm 7 and later), cut down to what the audit reads. */
function report(severity: string, url = 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc') {
  return {
    vulnerabilities: {
      'left-pad': {
        name: 'left-pad',
        severity,
        via: [{ source: 1, name: 'left-pad', title: 'Prototype pollution', url, severity }],
      },
      'uses-left-pad': { name: 'uses-left-pad', severity, via: ['left-pad'] },
    },
  };
}

const entry = {
  advisory: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
  package: 'left-pad',
  reason: 'only reachable from a CLI flag we do not use',
  until: '2026-12-31',
};

describe('production dependency audit', () => {
  it('lists each advisory once, not once per package that pulls it in', () => {
    expect(advisoriesOf(report('high'))).toEqual([
      {
        package: 'left-pad',
        severity: 'high',
        title: 'Prototype pollution',
        url: entry.advisory,
      },
    ]);
  });

  it('fails on a high or critical advisory that is not accepted', () => {
    for (const severity of ['high', 'critical']) {
      const verdict = judgeAudit(report(severity), [], '2026-12-04');
      expect(verdict.ok).toBe(false);
      expect(verdict.lines[0]).toContain('FAIL');
      expect(verdict.lines[0]).toContain('left-pad');
    }
  });

  it('passes moderate advisories and counts them', () => {
    const verdict = judgeAudit(report('moderate'), [], '2026-12-04');
    expect(verdict.ok).toBe(true);
    expect(verdict.lines).toEqual([
      '0 high or critical and 1 lower advisories in production dependencies',
    ]);
  });

  it('accepts an allow-listed advisory until its date, and fails again after it', () => {
    expect(judgeAudit(report('critical'), [entry], '2026-12-31').ok).toBe(true);
    const expired = judgeAudit(report('critical'), [entry], '2027-01-01');
    expect(expired.ok).toBe(false);
    expect(expired.lines[0]).toContain('ended on 2026-12-31');
  });

  it('does not let an entry for another advisory accept this one', () => {
    const other = { ...entry, advisory: 'https://github.com/advisories/GHSA-zzzz-zzzz-zzzz' };
    expect(judgeAudit(report('high'), [other], '2026-12-04').ok).toBe(false);
  });

  it('refuses allow-list entries without a reason or a date', () => {
    expect(allowListProblem([entry])).toBeUndefined();
    expect(allowListProblem([{ ...entry, reason: ' ' }])).toContain('entry 0');
    expect(allowListProblem([{ ...entry, until: 'next year' }])).toContain('until');
    expect(allowListProblem({})).toContain('array');
  });
});
