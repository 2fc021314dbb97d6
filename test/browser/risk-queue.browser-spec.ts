import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  DEFAULT_BOOSTING,
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  RISK_MODEL_FORMAT,
  RISK_MODEL_FORMAT_VERSION,
  serializeRiskModel,
} from '@app/risk-model';
import type { RiskModelFile } from '@app/risk-model';
import {
  apiGet,
  BROWSER_PATHS_TEXT,
  browserAvailability,
  launchChromium,
  scanAlerts,
  signInWithKey,
  startSeededApi,
  waitUntil,
} from './browser-harness';
import type { RunningApi } from './browser-harness';

// The alert queue's Risk column in a real browser: the API runs with a learned risk model over
// the seeded bank; fan alerts are scored by it, fraud-ring alerts (no movements) are not.
interface AlertRow {
  alertId: string;
  risk: { score: number; modelVersion: string } | null;
}

/** One tree over how many distinct accounts paid the beneficiary in the week before. */
function payersModel(): RiskModelFile {
  const feature = FEATURE_NAMES.indexOf('receiverInDistinct7d');
  const leaf = (value: number) => ({ feature: -1, threshold: 0, left: -1, right: -1, value });
  return {
    format: RISK_MODEL_FORMAT,
    formatVersion: RISK_MODEL_FORMAT_VERSION,
    modelVersion: 'risk-browser',
    featureSet: { version: FEATURE_SET_VERSION, names: [...FEATURE_NAMES] },
    seed: 1,
    threshold: 0.5,
    training: {
      fingerprint: 'browser',
      facts: {},
      split: { spanStart: '', validationFrom: '', testFrom: '', end: '' },
      rows: { train: 0, trainPositives: 0, negativeSampleRate: 1 },
      params: DEFAULT_BOOSTING,
    },
    metrics: {},
    model: {
      baseMargin: -2,
      trees: [
        [
          { feature, threshold: 2.5, left: 1, right: 2, value: 0 },
          leaf(-1),
          { feature, threshold: 5.5, left: 3, right: 4, value: 0 },
          leaf(1.5),
          leaf(4),
        ],
      ],
    },
  };
}

const availability = browserAvailability();

if (!availability.available && availability.ci) {
  describe('Alert queue Risk column in a real browser', () => {
    it(`needs Chromium or Chrome at ${BROWSER_PATHS_TEXT} (CI=true: install it, as .ci/run does)`, () => {
      throw new Error(`CI=true but there is no browser at ${BROWSER_PATHS_TEXT}.`);
    });
  });
} else if (!availability.available) {
  describe.skip(`Alert queue Risk column in a real browser (skipped: no browser at ${BROWSER_PATHS_TEXT}; apt-get install chromium)`, () => {
    it('is skipped', () => undefined);
  });
} else {
  describe('Alert queue Risk column in a real browser', () => {
    jest.setTimeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'risk-queue-browser-'));
    let api: RunningApi;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      const file = join(dir, 'model.json');
      writeFileSync(file, serializeRiskModel(payersModel()));
      api = await startSeededApi(file);
      await scanAlerts(api, ['aml.fan-in', 'aml.fan-out', 'fraud.ring']);
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await api?.app.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('sorts the whole queue by the model risk from the column header, unscored alerts last', async () => {
      const all = await apiGet<{ items: AlertRow[] }>(
        api,
        '/alerts?sort=risk&direction=desc&limit=500',
        'dev-analyst-key',
      );
      const scored = all.items.filter((a) => a.risk !== null);
      const unscored = all.items.filter((a) => a.risk === null);
      // The seeded bank gives both kinds and more than one risk value.
      expect(scored.length).toBeGreaterThan(10);
      expect(unscored.length).toBeGreaterThan(0);
      expect(new Set(scored.map((a) => a.risk?.score)).size).toBeGreaterThan(1);
      expect(all.items.slice(-unscored.length).every((a) => a.risk === null)).toBe(true);
      const ascending = await apiGet<{ items: AlertRow[] }>(
        api,
        '/alerts?sort=risk&direction=asc&limit=10',
        'dev-analyst-key',
      );

      // One read of all rows at once: reading row by row races with a re-render to fewer rows.
      // A string evaluated once through the browser's debugging protocol is allowed by the app's
      // Content Security Policy (see waitUntil).
      const shown = (): Promise<{ id: string; risk: string }[]> =>
        page.evaluate<{ id: string; risk: string }[]>(
          "[...document.querySelectorAll('[data-testid=alert-table] tbody tr')].map((row) => ({ id: row.getAttribute('data-alert-id') ?? '', risk: row.querySelector('td[data-risk]')?.getAttribute('data-risk') ?? '' }))",
        );
      const showing = async (expected: AlertRow[]): Promise<void> => {
        await waitUntil(
          'the table to show the expected alerts in risk order',
          shown,
          (seen) =>
            JSON.stringify(seen) ===
            JSON.stringify(
              expected.map((a) => ({ id: a.alertId, risk: a.risk ? String(a.risk.score) : '' })),
            ),
        );
      };

      await signInWithKey(page, api, 'dev-analyst-key');
      await page.locator('[data-testid=alert-table] tbody tr').first().waitFor();
      await page.getByLabel('Alerts per page').selectOption('10');
      const header = page.locator('th', { has: page.getByTestId('sort-risk') });
      expect(await header.getAttribute('aria-sort')).toBe('none');
      // First click: highest risk first, as the API orders the whole queue.
      await page.getByTestId('sort-risk').click();
      await showing(all.items.slice(0, 10));
      expect(await header.getAttribute('aria-sort')).toBe('descending');
      const riskShown = (await shown()).map((row) => Number(row.risk));
      expect(riskShown).toEqual([...riskShown].sort((a, b) => b - a));
      // Second click: lowest first; still scored alerts before unscored ones.
      await page.getByTestId('sort-risk').click();
      await showing(ascending.items);
      expect(await header.getAttribute('aria-sort')).toBe('ascending');
      // Through the pages, highest first: the last one ends with the unscored alerts, as a dash.
      await page.getByLabel('Sort the whole queue by').selectOption('risk:desc');
      await showing(all.items.slice(0, 10));
      // Page after page continues the order of the whole queue.
      for (let at = 10; at < all.items.length; at += 10) {
        await page.getByRole('button', { name: 'Next page' }).click();
        await showing(all.items.slice(at, at + 10));
      }
      const cell = page.locator(
        `tr[data-alert-id="${unscored[unscored.length - 1].alertId}"] td[data-risk]`,
      );
      expect(await cell.textContent()).toBe('–');
    });
  });
}
