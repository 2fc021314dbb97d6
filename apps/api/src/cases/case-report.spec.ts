import type { AlertDetail } from '@app/detectors';
import type { BaseMoney } from '@app/vocabulary';
import { alertDetailView } from '../alerts/alert.view';
import type { AccountParty } from '../presentation/party-directory.service';
import type { CaseRecord } from './case';
import { alertReport, caseReport, escapeHtml, reportHtml } from './case-report';

const T0 = Date.UTC(2025, 0, 6, 10);
const HOUR = 3_600_000;

/** EUR is the base; 1 USD is 0.5 EUR, to tell base amounts from paid ones. */
const money: BaseMoney = {
  currency: 'EUR',
  of: (amount) => Math.round(amount.amountMinor / 2),
  convert: (minor) => Math.round(minor / 2),
};

const accounts = new Map<string, AccountParty>([
  [
    'account:t:1',
    {
      uid: 'account:t:1',
      label: 'Account',
      name: '1',
      businessId: '1',
      holders: [{ uid: 'person:ann', label: 'Person', name: 'Ann <Admin> & Co' }],
    },
  ],
  [
    'account:t:2',
    {
      uid: 'account:t:2',
      label: 'Account',
      name: '2',
      businessId: '2',
      holders: [{ uid: 'company:b', label: 'Company', name: 'Bolt Ltd', businessId: 'HRB 9' }],
    },
  ],
]);

function alert(): AlertDetail {
  return {
    alertId: 'alert:aml.fan-out:1',
    ruleId: 'aml.fan-out',
    ruleVersion: '1.0.0',
    typology: 'fan-out',
    score: 0.8,
    severity: 'high',
    status: 'open',
    explanation: 'Account 1 paid 2 accounts in "one" afternoon',
    fingerprint: 'f',
    createdAt: T0,
    updatedAt: T0,
    windowStart: T0,
    windowEnd: T0 + 2 * HOUR,
    movementIds: ['mv:2', 'mv:1'],
    parties: [],
    // Out of time order on purpose: the report sorts them.
    movements: [
      {
        movementId: 'mv:2',
        fromAccount: 'account:t:1',
        toAccount: 'account:t:2',
        amountMinor: 300_00,
        currency: 'USD',
        timestamp: T0 + HOUR,
        channel: 'wire',
      },
      {
        movementId: 'mv:1',
        fromAccount: 'account:t:1',
        toAccount: 'account:t:2',
        amountMinor: 1_234_56,
        currency: 'USD',
        timestamp: T0,
        channel: 'wire',
        reference: 'INV-1',
      },
    ],
    history: [
      {
        alertId: 'alert:aml.fan-out:1',
        from: null,
        to: 'open',
        at: T0,
        note: 'raised',
        actor: 'detector',
      },
    ],
  };
}

function record(): CaseRecord {
  return {
    caseId: 'case:20250106T100000Z-x',
    title: 'Fan-out <b>of</b> account 1',
    status: 'reported',
    assignee: 'user:alice',
    createdBy: 'key-a',
    createdAt: T0,
    updatedAt: T0 + 3 * HOUR,
    alertIds: ['alert:aml.fan-out:1'],
    notes: [
      {
        noteId: 'n1',
        text: '<script>alert(1)</script>',
        author: 'key-a',
        at: T0 + HOUR,
        attachments: [{ name: 'invoice "117".pdf', uri: 'https://dms.example.org/117?a=1&b=2' }],
      },
    ],
    history: [
      { from: null, to: 'open', at: T0, actor: 'key-a' },
      { from: 'open', to: 'investigating', at: T0 + HOUR, actor: 'key-a', note: 'calling' },
    ],
  };
}

const origin = { at: T0 + 5 * HOUR, by: 'key-reporter' };

describe('case report', () => {
  const detail = alertDetailView(alert(), accounts, money);

  it('holds the case, its notes and history, and each alert with its evidence in time order', () => {
    const report = caseReport(record(), [detail], origin);
    expect(report.kind).toBe('case');
    expect(report.generatedAtIso).toBe('2025-01-06T15:00:00.000Z');
    expect(report.generatedBy).toBe('key-reporter');
    expect(report.case?.status).toBe('reported');
    expect(report.case?.notes[0]?.attachments[0]?.uri).toBe('https://dms.example.org/117?a=1&b=2');
    expect(report.case?.history.map((h) => h.to)).toEqual(['open', 'investigating']);
    const [first, second] = report.alerts[0]?.movements ?? [];
    expect(first).toMatchObject({
      movementId: 'mv:1',
      amount: '1234.56',
      currency: 'USD',
      baseAmount: '617.28',
      baseCurrency: 'EUR',
      reference: 'INV-1',
      from: { account: '1', names: ['Ann <Admin> & Co'] },
      to: { account: '2', names: ['Bolt Ltd (HRB 9)'] },
    });
    expect(second?.movementId).toBe('mv:2');
  });

  it('escapes every value in the HTML page and has no script', () => {
    const page = reportHtml(caseReport(record(), [detail], origin));
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script');
    expect(page).toContain('Fan-out &lt;b&gt;of&lt;/b&gt; account 1');
    expect(page).toContain('Ann &lt;Admin&gt; &amp; Co');
    expect(page).toContain('invoice &quot;117&quot;.pdf');
    expect(page).toContain('https://dms.example.org/117?a=1&amp;b=2');
    expect(page).toContain('Account 1 paid 2 accounts in &quot;one&quot; afternoon');
    expect(page).toContain('1234.56 USD');
    expect(page).toContain('617.28 EUR');
    expect(page).toContain('Generated 2025-01-06T15:00:00.000Z by key-reporter');
    expect(page).not.toMatch(/<link|<img|src=|@import/);
  });

  it('reports one alert with its history and no case part', () => {
    const report = alertReport(detail, origin);
    expect(report.kind).toBe('alert');
    expect(report.case).toBeUndefined();
    expect(report.alerts[0]?.history).toEqual([
      {
        atIso: '2025-01-06T10:00:00.000Z',
        from: null,
        to: 'open',
        actor: 'detector',
        note: 'raised',
      },
    ]);
    const page = reportHtml(report);
    expect(page).toContain('Status history of the alert');
    expect(page).not.toContain('Status history of the case');
  });

  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    expect(escapeHtml(undefined)).toBe('');
  });
});
