import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../e2e/identity-step-up';
import {
  BROWSER_PATHS_TEXT,
  browserAvailability,
  launchChromium,
  scanAlerts,
  signInWithKey,
  startSeededApi,
} from './browser-harness';
import type { RunningApi } from './browser-harness';

// A case from the alert queue to its report in a real browser (Debian's Chromium through
// playwright-core), against the whole API over the seeded default bank: the step-up dialog,
// the Second factor page and the report download are the ones an analyst uses.
// Fresh screenshots go to out/ (not tracked); copy them to docs/screenshots to update the README.
const SCREENSHOTS = resolve(__dirname, '..', '..', 'out', 'screenshots');
const STEP_MS = 30_000;
const NOTE = 'Customer called <b>back</b> & sent the invoice';

const availability = browserAvailability();

async function statusIs(page: Page, text: string): Promise<void> {
  await page.getByTestId('case-status').filter({ hasText: text }).waitFor();
}

if (!availability.available && availability.ci) {
  describe('Cases in a real browser', () => {
    it(`needs Chromium or Chrome at ${BROWSER_PATHS_TEXT} (CI=true: install it, as .ci/run does)`, () => {
      throw new Error(
        `CI=true but there is no browser at ${BROWSER_PATHS_TEXT}; \`apt-get install chromium\` (see .ci/run).`,
      );
    });
  });
} else if (!availability.available) {
  describe.skip(`Cases in a real browser (skipped: no browser at ${BROWSER_PATHS_TEXT}; apt-get install chromium)`, () => {
    it('is skipped', () => undefined);
  });
} else {
  describe('Cases in a real browser', () => {
    // A real browser over a seeded bank: steps take seconds on a busy machine.
    jest.setTimeout(90_000);
    let api: RunningApi;
    let browser: Browser;
    let caseUrl = '';
    const cspProblems: string[] = [];

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      api = await startSeededApi();
      await scanAlerts(api, ['aml.fan-out', 'aml.fan-in', 'aml.structuring']);
      browser = await launchChromium();
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await api?.app.close();
    });

    it('takes a case from two queued alerts to a reported, closed case with its report', async () => {
      const page = await browser.newPage({
        viewport: { width: 1400, height: 1000 },
        acceptDownloads: true,
      });
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) cspProblems.push(message.text());
      });
      await signInWithKey(page, api, 'dev-analyst-key');

      // The queue: select two alerts, open a case with them.
      const boxes = page.getByTestId('alert-table').locator('tbody input[type=checkbox]');
      await boxes.nth(1).waitFor();
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      await page.getByTestId('selected-count').filter({ hasText: '2 selected' }).waitFor();
      await page.getByLabel('Case title').fill('Browser case: two fan-outs');
      await page.getByRole('button', { name: 'New case from selected' }).click();
      await page.getByRole('heading', { name: 'Browser case: two fan-outs' }).waitFor();
      caseUrl = page.url();
      expect(caseUrl).toContain('/app/cases/case%3A');
      await expect(page.getByTestId('case-alerts').locator('li').count()).resolves.toBe(2);
      await statusIs(page, 'open');

      // A note with an attachment reference.
      await page.getByLabel('Note', { exact: true }).fill(NOTE);
      await page.getByLabel('Attachment name (optional)').fill('invoice-117.pdf');
      await page.getByLabel('Attachment URI or reference').fill('https://dms.example.org/117');
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.getByTestId('case-notes').getByText(NOTE).waitFor();
      await page.getByText('invoice-117.pdf: https://dms.example.org/117').waitFor();

      // The workflow shows only the allowed next states.
      expect(await page.getByRole('button', { name: 'Move to reported' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Move to investigating' }).click();
      await statusIs(page, 'investigating');
      await page.getByRole('button', { name: 'Move to escalated' }).click();
      await statusIs(page, 'escalated');

      // Reporting needs a second factor: the dialog asks for a code and points to enrolment.
      await page.getByRole('button', { name: 'Move to reported' }).click();
      const dialog = page.getByRole('dialog', { name: 'Confirm with your second factor' });
      await dialog.waitFor();
      await expect(page.evaluate('document.activeElement.id')).resolves.toBe('step-up-code');
      await dialog.getByRole('link', { name: 'Enrol one on the Second factor page' }).click();
      await page.getByRole('heading', { name: 'Second factor' }).waitFor();
      await page.getByRole('button', { name: 'Enrol an authenticator app' }).click();
      const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
      expect(secret).toMatch(/^[A-Z2-7]+=*$/);
      await expect(page.getByTestId('totp-uri').textContent()).resolves.toContain('otpauth://');
      await page.getByLabel('Code from the app').fill(totpCode(secret, Date.now()));
      await page.getByRole('button', { name: 'Confirm the authenticator' }).click();
      await page.getByText('Your authenticator is confirmed').waitFor();

      // Back to the case: the move asks again, the code of the next step is accepted once.
      await page.getByRole('link', { name: 'Cases', exact: true }).click();
      await page.getByRole('link', { name: 'Browser case: two fan-outs' }).click();
      await statusIs(page, 'escalated');
      await page.getByRole('button', { name: 'Move to reported' }).click();
      await dialog.waitFor();
      await page.getByLabel('Authenticator code').fill(totpCode(secret, Date.now() + STEP_MS));
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await statusIs(page, 'reported');
      expect(await dialog.isVisible()).toBe(false);

      // The report downloads with the token kept for this tab, without asking again.
      const [html] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download report (HTML)' }).click(),
      ]);
      expect(html.suggestedFilename()).toMatch(/-report\.html$/);
      const report = readFileSync(await html.path(), 'utf8');
      expect(report).toContain('Customer called &lt;b&gt;back&lt;/b&gt; &amp; sent the invoice');
      expect(report).toContain('invoice-117.pdf');
      expect(report).toContain('Browser case: two fan-outs');
      expect(report).not.toContain('<script');

      // The printable report as PDF, through Chromium's own print-to-PDF (print styles applied).
      const printer = await browser.newPage();
      await printer.setContent(report);
      await printer.emulateMedia({ media: 'print' });
      const pdf = await printer.pdf({ format: 'A4', printBackground: true });
      await printer.close();
      writeFileSync(resolve(SCREENSHOTS, 'case-report.pdf'), pdf);
      const pdfText = pdf.toString('latin1');
      expect(pdfText.startsWith('%PDF-')).toBe(true);
      const pages = pdfText.split('/Type /Page').length - pdfText.split('/Type /Pages').length;
      expect(pages).toBeGreaterThanOrEqual(1);
      console.log(`Case report printed to PDF: ${pages} page(s), ${pdf.length} bytes`);

      // Closing needs a reason: the button waits for one.
      const close = page.getByRole('button', { name: 'Close case' });
      await expect(close.isDisabled()).resolves.toBe(true);
      await page.getByLabel('Close reason').selectOption('reported');
      await close.click();
      await statusIs(page, 'closed (reported)');
      await page.getByRole('button', { name: 'Reopen (investigating)' }).waitFor();
      await page.screenshot({ path: resolve(SCREENSHOTS, 'case.png'), fullPage: true });
      expect(cspProblems).toEqual([]);
      await page.close();
    });

    it('shows a viewer the case read-only: no workflow, notes form, assignment or reports', async () => {
      expect(caseUrl).not.toBe('');
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await signInWithKey(page, api, 'dev-viewer-key');
      await page.getByRole('link', { name: 'Cases', exact: true }).click();
      await page.getByRole('link', { name: 'Browser case: two fan-outs' }).click();
      await statusIs(page, 'closed');
      await page.getByTestId('case-notes').getByText(NOTE).waitFor();
      for (const name of [/^Move to/, /^Reopen/, 'Close case', 'Add note', 'Save assignment']) {
        expect(await page.getByRole('button', { name }).count()).toBe(0);
      }
      expect(await page.getByRole('button', { name: /Download report/ }).count()).toBe(0);
      expect(await page.getByTestId('case-alerts').getByRole('link').count()).toBe(0);
      // Alert contents need the analyst role: the viewer sees the case's alert ids only.
      await page.getByTestId('case-alert-ids').waitFor();
      expect(await page.getByTestId('case-alert-ids').getByRole('listitem').count()).toBe(2);
      await page.close();
    });
  });
}
