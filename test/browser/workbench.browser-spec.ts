import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  addWideOwnership,
  apiGet,
  BROWSER_PATHS_TEXT,
  browserAvailability,
  launchChromium,
  scanAlerts,
  startSeededApi,
  waitUntil,
} from './browser-harness';
import type { RunningApi } from './browser-harness';

// The analyst web app in a real browser (Debian's Chromium through playwright-core) against the
// whole API in this process over the seeded default bank. Render times are printed, not asserted.
// Fresh screenshots go to out/ (not tracked); copy them to docs/screenshots to update the README.
const SCREENSHOTS = resolve(__dirname, '..', '..', 'out', 'screenshots');
const SCANNED_RULES = ['aml.fan-out', 'aml.fan-in', 'aml.cycle', 'aml.structuring'];

interface AlertRow {
  alertId: string;
  typology: string;
  score?: number;
  movements?: { fromAccount: string; toAccount: string }[];
}
interface NetworkAnswer {
  nodes: { id: string }[];
  edges: { inCycle: boolean }[];
}

const availability = browserAvailability();

async function signIn(page: Page, api: RunningApi, key: string): Promise<void> {
  await page.goto(`${api.baseUrl}/app/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('role').waitFor();
}

async function graphCount(page: Page, attribute: 'node' | 'edge'): Promise<number> {
  return Number(await page.getByTestId('graph').getAttribute(`data-${attribute}-count`));
}

/** Waits until the page's graph draws more than `count` nodes. */
async function moreNodesThan(page: Page, count: number): Promise<void> {
  await waitUntil(
    `the graph to draw more than ${count} nodes`,
    () => graphCount(page, 'node'),
    (drawn) => drawn > count,
  );
}

interface OwnershipSurvey {
  circular: { uid: string; network: NetworkAnswer };
  largest: { uid: string; network: NetworkAnswer };
}

/** Through the UBO API: a company whose ownership is circular, and the largest ownership chart. */
async function surveyOwnership(api: RunningApi): Promise<OwnershipSurvey> {
  const companies = await apiGet<{ items: { uid: string }[] }>(
    api,
    '/entities?label=Company&limit=500',
    'dev-analyst-key',
  );
  let circular: OwnershipSurvey['circular'] | undefined;
  let largest: OwnershipSurvey['largest'] | undefined;
  for (let at = 0; at < companies.items.length; at += 25) {
    const batch = companies.items.slice(at, at + 25);
    const networks = await Promise.all(
      batch.map((company) =>
        apiGet<NetworkAnswer>(
          api,
          `/ubo/${encodeURIComponent(company.uid)}/network`,
          'dev-analyst-key',
        ),
      ),
    );
    networks.forEach((network, index) => {
      const uid = batch[index].uid;
      if (circular === undefined && network.edges.some((edge) => edge.inCycle)) {
        circular = { uid, network };
      }
      if (largest === undefined || network.nodes.length > largest.network.nodes.length) {
        largest = { uid, network };
      }
    });
  }
  if (circular === undefined || largest === undefined) {
    throw new Error('The seeded bank has no circular ownership structure.');
  }
  return { circular, largest };
}

if (!availability.available && availability.ci) {
  describe('Analyst web app in a real browser', () => {
    it(`needs Chromium or Chrome at ${BROWSER_PATHS_TEXT} (CI=true: install it, as .ci/run does)`, () => {
      throw new Error(
        `CI=true but there is no browser at ${BROWSER_PATHS_TEXT}; \`apt-get install chromium\` (see .ci/run).`,
      );
    });
  });
} else if (!availability.available) {
  describe.skip(`Analyst web app in a real browser (skipped: no browser at ${BROWSER_PATHS_TEXT}; apt-get install chromium)`, () => {
    it('is skipped', () => undefined);
  });
} else {
  describe('Analyst web app in a real browser', () => {
    // A real browser over a seeded bank: steps take seconds on a busy machine.
    jest.setTimeout(60_000);
    let api: RunningApi;
    let browser: Browser;
    let page: Page;
    const cspProblems: string[] = [];

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      api = await startSeededApi();
      await scanAlerts(api, SCANNED_RULES);
      browser = await launchChromium();
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await api?.app.close();
    });

    beforeEach(async () => {
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) cspProblems.push(message.text());
      });
    });

    afterEach(async () => {
      await page.close();
    });

    it('refuses a wrong key with a message, and signs an analyst in to the alert queue', async () => {
      await page.goto(`${api.baseUrl}/app/`);
      await page.getByLabel('API key').fill('not-a-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');

      await page.getByLabel('API key').fill('dev-analyst-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('role').textContent()).resolves.toContain('analyst');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Alert queue',
      );
      expect(cspProblems).toEqual([]);
    });

    it('lists the scanned alerts and filters them by typology', async () => {
      const listed = await apiGet<{ items: AlertRow[] }>(
        api,
        '/alerts?limit=50',
        'dev-analyst-key',
      );
      expect(listed.items.length).toBeGreaterThan(0);

      await signIn(page, api, 'dev-analyst-key');
      const rows = page.locator('[data-testid=alert-table] tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(listed.items.length);
      const renderMs = await page.getByTestId('alert-table').getAttribute('data-render-ms');
      console.log(
        `Alert queue: ${listed.items.length} rows rendered ${renderMs} ms after the request`,
      );
      await page.screenshot({ path: resolve(SCREENSHOTS, 'alert-queue.png') });

      const cycles = await apiGet<{ items: AlertRow[] }>(
        api,
        '/alerts?typology=cycle&limit=50',
        'dev-analyst-key',
      );
      expect(cycles.items.length).toBeGreaterThan(0);
      await page.getByLabel('Typology').selectOption('cycle');
      await waitUntil(
        `${cycles.items.length} cycle alerts in the table`,
        () => rows.count(),
        (count) => count === cycles.items.length,
      );
      const typologies: (string | null)[] = [];
      for (const row of await rows.all()) typologies.push(await row.getAttribute('data-typology'));
      expect(new Set(typologies)).toEqual(new Set(['cycle']));

      // Keyboard: the first alert link takes focus and the arrow key moves to the next one.
      await rows.first().locator('a').focus();
      await page.keyboard.press('ArrowDown');
      const focused: unknown = await page.evaluate("document.activeElement?.getAttribute('href')");
      expect(focused).toBe(await rows.nth(1).locator('a').getAttribute('href'));
    });

    it("draws an alert's money flow and expands an account by one hop", async () => {
      const [first] = (
        await apiGet<{ items: AlertRow[] }>(
          api,
          '/alerts?typology=fan-out&limit=1',
          'dev-analyst-key',
        )
      ).items;
      const detail = await apiGet<AlertRow>(
        api,
        `/alerts/${encodeURIComponent(first.alertId)}`,
        'dev-analyst-key',
      );
      const accounts = new Set(
        (detail.movements ?? []).flatMap((m) => [m.fromAccount, m.toAccount]),
      );

      await signIn(page, api, 'dev-analyst-key');
      await page.goto(`${api.baseUrl}/app/alerts/${encodeURIComponent(first.alertId)}`);
      await page.locator('[data-testid=graph][data-node-count]').waitFor();
      expect(await graphCount(page, 'node')).toBe(accounts.size);
      expect(await graphCount(page, 'edge')).toBe(detail.movements?.length);
      const movementRows = page.locator('table.movements tbody tr');
      expect(await movementRows.count()).toBe(detail.movements?.length);
      await page.screenshot({ path: resolve(SCREENSHOTS, 'alert.png'), fullPage: true });

      const before = await graphCount(page, 'node');
      const account = [...accounts][0];
      await page.getByLabel('Account to expand').selectOption(account);
      await page.getByRole('button', { name: 'Expand one hop' }).click();
      await moreNodesThan(page, before);
      expect(await graphCount(page, 'node')).toBeGreaterThan(before);
    });

    it('marks the cycle in the ownership chart of a circular structure', async () => {
      const survey = await surveyOwnership(api);
      const { uid, network } = survey.circular;
      await signIn(page, api, 'dev-analyst-key');
      await page.goto(`${api.baseUrl}/app/ownership?company=${encodeURIComponent(uid)}`);
      await page.locator('[data-testid=graph][data-node-count]').waitFor();
      expect(await graphCount(page, 'node')).toBe(network.nodes.length);
      expect(await graphCount(page, 'edge')).toBe(network.edges.length);
      const cycleLinks = network.edges.filter((edge) => edge.inCycle).length;
      await expect(page.getByTestId('cycle-badge').textContent()).resolves.toContain(
        `${cycleLinks} links in a cycle`,
      );
      const renderMs = await page.getByTestId('graph').getAttribute('data-render-ms');
      console.log(
        `Ownership chart of ${uid}: ${network.nodes.length} nodes laid out (Cytoscape init and dagre layout) in ${renderMs} ms`,
      );
      await page.screenshot({ path: resolve(SCREENSHOTS, 'ownership.png'), fullPage: true });

      // The largest ownership structure of the seeded bank, for its render time.
      await page.goto(
        `${api.baseUrl}/app/ownership?company=${encodeURIComponent(survey.largest.uid)}`,
      );
      await page.locator('[data-testid=graph][data-node-count]').waitFor();
      expect(await graphCount(page, 'node')).toBe(survey.largest.network.nodes.length);
      expect(await page.getByTestId('graph').getAttribute('data-ranker')).toBe('network-simplex');
      console.log(
        `Largest ownership chart of the seeded bank (${survey.largest.uid}): ${survey.largest.network.nodes.length} nodes laid out in ${await page.getByTestId('graph').getAttribute('data-render-ms')} ms`,
      );

      // A wide structure of 501 nodes (the seeded bank has none this large), for its render time.
      const wide = await addWideOwnership(api, 20, 24);
      const wideNetwork = await apiGet<NetworkAnswer>(
        api,
        `/ubo/${encodeURIComponent(wide)}/network`,
        'dev-analyst-key',
      );
      expect(wideNetwork.nodes).toHaveLength(501);
      await page.goto(`${api.baseUrl}/app/ownership?company=${encodeURIComponent(wide)}`);
      await page.locator('[data-testid=graph][data-node-count="501"]').waitFor();
      expect(await graphCount(page, 'node')).toBe(501);
      // Large charts are ranked by longest path (network simplex alone took over a second here).
      expect(await page.getByTestId('graph').getAttribute('data-ranker')).toBe('longest-path');
      console.log(
        `Ownership chart of 501 nodes (${wide}): laid out in ${await page.getByTestId('graph').getAttribute('data-render-ms')} ms, of which the dagre layout ${await page.getByTestId('graph').getAttribute('data-layout-ms')} ms`,
      );
      await page.goto(
        `${api.baseUrl}/app/ownership?company=${encodeURIComponent(survey.largest.uid)}`,
      );
      await page.locator('[data-testid=graph][data-node-count]').waitFor();

      // Another regime redraws from the API with that regime.
      await page.getByLabel('Regime').selectOption('uk');
      await page.locator('p.hint', { hasText: 'under the UK regime' }).waitFor();
      await page.getByLabel('Regime').selectOption('custom');
      await page.getByLabel('Threshold (%)').fill('10');
      await page.locator('p.hint', { hasText: 'Threshold 10% under the CUSTOM regime' }).waitFor();

      // Exports: the chart as PNG (drawn in the browser), the answer as BODS (from the API).
      const [png] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export PNG' }).click(),
      ]);
      expect(png.suggestedFilename()).toMatch(/\.png$/);
      const [bods] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export BODS' }).click(),
      ]);
      expect(bods.suggestedFilename()).toMatch(/\.bods\.json$/);
      const statements: unknown = JSON.parse(readFileSync(await bods.path(), 'utf8'));
      expect(Array.isArray(statements) && statements.length > 0).toBe(true);
    });

    it('shows each role only what it may do', async () => {
      await signIn(page, api, 'dev-viewer-key');
      await expect(page.getByTestId('role').textContent()).resolves.toContain('viewer');
      expect(await page.getByRole('link', { name: 'Alert queue' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Scan for alerts' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Sign out' }).click();

      await signIn(page, api, 'dev-analyst-key');
      await page.locator('[data-testid=alert-table] tbody tr').first().waitFor();
      expect(await page.getByRole('button', { name: 'Scan for alerts' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Sign out' }).click();

      await signIn(page, api, 'dev-admin-key');
      await expect(page.getByTestId('role').textContent()).resolves.toContain('admin');
      expect(await page.getByRole('button', { name: 'Scan for alerts' }).count()).toBe(1);
    });

    it('lists fraud rings with their members and shared identifiers', async () => {
      const { rings } = await apiGet<{ rings: { members: string[] }[] }>(
        api,
        '/fraud/rings?limit=50',
        'dev-analyst-key',
      );
      await signIn(page, api, 'dev-analyst-key');
      await page.getByRole('link', { name: 'Fraud rings' }).click();
      await page.getByRole('heading', { name: 'Fraud rings', level: 1 }).waitFor();
      expect(await page.locator('article.ring').count()).toBe(rings.length);
      if (rings.length > 0) {
        await expect(page.locator('article.ring').first().textContent()).resolves.toContain(
          rings[0].members[0],
        );
      }
    });

    it('sorts the whole queue by score on the server, across two pages, from the column header', async () => {
      const pageOf = async (query: string): Promise<{ items: AlertRow[]; nextCursor?: string }> =>
        apiGet(api, `/alerts?${query}`, 'dev-analyst-key');
      const firstDesc = await pageOf('sort=score&direction=desc&limit=10');
      expect(firstDesc.nextCursor).toBeDefined();
      const secondDesc = await pageOf(
        `sort=score&direction=desc&limit=10&cursor=${encodeURIComponent(firstDesc.nextCursor ?? '')}`,
      );
      const firstAsc = await pageOf('sort=score&direction=asc&limit=10');
      const ids = (answer: { items: AlertRow[] }): string[] => answer.items.map((a) => a.alertId);
      // One read of all rows at once (reading row by row races with a re-render to fewer rows).
      // A string evaluated once through the browser's debugging protocol is allowed by the
      // app's Content Security Policy; only in-page polling of strings is refused.
      const shown = (): Promise<string[]> =>
        page.evaluate<string[]>(
          "[...document.querySelectorAll('[data-testid=alert-table] tbody tr')].map((row) => row.getAttribute('data-alert-id') ?? '')",
        );
      const showing = async (expected: string[]): Promise<void> => {
        await waitUntil(
          'the table to show the expected alerts in order',
          shown,
          (seen) => JSON.stringify(seen) === JSON.stringify(expected),
        );
      };

      await signIn(page, api, 'dev-analyst-key');
      await page.locator('[data-testid=alert-table] tbody tr').first().waitFor();
      await page.getByLabel('Alerts per page').selectOption('10');
      // Score, highest first, is the queue's default order.
      await showing(ids(firstDesc));
      const header = page.locator('th', { has: page.getByTestId('sort-score') });
      expect(await header.getAttribute('aria-sort')).toBe('descending');
      // The header flips the direction: lowest scores of the whole queue first.
      await page.getByTestId('sort-score').click();
      await showing(ids(firstAsc));
      expect(await header.getAttribute('aria-sort')).toBe('ascending');
      await page.getByTestId('sort-score').click();
      await showing(ids(firstDesc));
      // Page 2 continues the order of page 1 across the whole queue.
      await page.getByRole('button', { name: 'Next page' }).click();
      await showing(ids(secondDesc));
      const scores = [...firstDesc.items, ...secondDesc.items].map((a) => a.score ?? 0);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(new Set([...ids(firstDesc), ...(await shown())]).size).toBe(20);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await showing(ids(firstDesc));
    });

    it('finds a company by part of its name on the server, draws it and exports the chart as SVG', async () => {
      const survey = await surveyOwnership(api);
      const target = survey.circular.uid;
      const entity = await apiGet<{ entity: { props: { name?: string } } }>(
        api,
        `/entities/${encodeURIComponent(target)}?depth=0`,
        'dev-analyst-key',
      );
      const name = entity.entity.props.name ?? '';
      // A piece from inside the name, in another case: "Holding" for "Nordic Holding AS".
      const words = name.split(' ').filter((word) => word.length >= 4);
      const piece = (words[1] ?? words[0] ?? name).slice(0, 5).toUpperCase();
      const searched: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/api/v1/companies/search')) searched.push(request.url());
      });

      await signIn(page, api, 'dev-analyst-key');
      await page.getByRole('link', { name: 'Ownership' }).click();
      await page.getByLabel('Company name or id').fill(piece);
      // The button of a match names the company and its id in brackets.
      const choice = page.getByRole('button', { name: `(${target})` });
      await page.locator('#company-search-status', { hasNotText: 'Searching' }).waitFor();
      // Short pages are followed; if the company is further on, ask for more.
      for (let guard = 0; guard < 20 && (await choice.count()) === 0; guard += 1) {
        await page.getByRole('button', { name: 'More companies' }).click();
        await page.locator('#company-search-status', { hasNotText: 'Searching' }).waitFor();
      }
      expect(searched.length).toBeGreaterThan(0);
      expect(searched.every((url) => url.includes(`q=${encodeURIComponent(piece)}`))).toBe(true);
      // No request for the whole company list any more.
      await choice.click();
      await page.locator('[data-testid=graph][data-node-count]').waitFor();
      const nodes = await graphCount(page, 'node');
      const edges = await graphCount(page, 'edge');
      expect(nodes).toBe(survey.circular.network.nodes.length);
      await page.screenshot({ path: resolve(SCREENSHOTS, 'ownership-search.png'), fullPage: true });

      const [svg] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export SVG' }).click(),
      ]);
      expect(svg.suggestedFilename()).toMatch(/\.svg$/);
      const text = readFileSync(await svg.path(), 'utf8');
      // Parsed by the browser's own XML parser: well-formed, one shape per node and edge.
      const parsed = await page.evaluate<{
        errors: number;
        root: string;
        title: string;
        nodes: number;
        edges: number;
        texts: string[];
      }>(
        `(() => {
        const doc = new DOMParser().parseFromString(${JSON.stringify(text)}, 'image/svg+xml');
        return {
          errors: doc.getElementsByTagName('parsererror').length,
          root: doc.documentElement.nodeName,
          title: doc.querySelector('title')?.textContent ?? '',
          nodes: doc.querySelectorAll('g.node').length,
          edges: doc.querySelectorAll('g.edge').length,
          texts: [...doc.querySelectorAll('g.node text')].map((t) => t.textContent ?? ''),
        };
      })()`,
      );
      expect(parsed).toMatchObject({ errors: 0, root: 'svg', nodes, edges });
      expect(parsed.title).toContain('Ownership chart of');
      expect(parsed.texts.some((t) => t.includes(name))).toBe(true);
    });

    it('draws the evidence movements of an alert over time, loading the chart only then', async () => {
      const [first] = (
        await apiGet<{ items: AlertRow[] }>(
          api,
          '/alerts?typology=fan-out&limit=1',
          'dev-analyst-key',
        )
      ).items;
      const detail = await apiGet<AlertRow>(
        api,
        `/alerts/${encodeURIComponent(first.alertId)}`,
        'dev-analyst-key',
      );
      const scripts: { url: string; bytes: number }[] = [];
      page.on('response', (response) => {
        // Script files only (redirects and failures have no body to measure).
        if (response.url().endsWith('.js') && response.status() === 200) {
          response
            .body()
            .then((body) => scripts.push({ url: response.url(), bytes: body.length }))
            .catch(() => undefined);
        }
      });
      await signIn(page, api, 'dev-analyst-key');
      await page.locator('[data-testid=alert-table] tbody tr').first().waitFor();
      const initial = [...scripts];
      const initialBytes = initial.reduce((sum, s) => sum + s.bytes, 0);
      console.log(
        `Initial JavaScript of the queue: ${initial.length} file(s), ${(initialBytes / 1000).toFixed(1)} kB (${initial.map((s) => s.url.split('/').pop()).join(', ')})`,
      );
      expect(initialBytes).toBeLessThan(400_000);
      expect(initial.some((s) => /graph-view|movements-chart/.test(s.url))).toBe(false);

      await page.goto(`${api.baseUrl}/app/alerts/${encodeURIComponent(first.alertId)}`);
      const chart = page.locator('[data-testid=movements-chart][data-points]');
      await chart.waitFor();
      expect(Number(await chart.getAttribute('data-points'))).toBe(detail.movements?.length);
      expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
      await expect(chart.textContent()).resolves.toContain('Running total');
      console.log(
        `Movements chart: ${detail.movements?.length} points drawn in ${await chart.getAttribute('data-render-ms')} ms`,
      );
      await page.screenshot({ path: resolve(SCREENSHOTS, 'alert-over-time.png'), fullPage: true });
    });

    it('serves index.html for any page under /app, so pages can be reloaded', async () => {
      const response = await page.goto(`${api.baseUrl}/app/some/unknown/page`);
      expect(response?.status()).toBe(200);
      await page.getByLabel('API key').waitFor();
      expect(cspProblems).toEqual([]);
    });
  });
}
