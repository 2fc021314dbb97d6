import type { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { GraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings, modelSettings, securitySettings } from '@app/settings';
import type { CompanyVertex, OwnsEdge, PersonVertex } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { ScanJobs } from '../../apps/api/src/alerts/scan-jobs.service';
import { configureApi } from '../../apps/api/src/configure-api';

/**
 * Where the browser is looked for, in order: Debian's Chromium (`.ci/run` installs it), then
 * Google Chrome (hosted CI runners have it). The test tool never downloads a browser.
 */
export const BROWSER_PATHS: readonly string[] = ['/usr/bin/chromium', '/usr/bin/google-chrome'];

/** The first browser of BROWSER_PATHS on this machine, if any. */
export const CHROMIUM_PATH: string | undefined = BROWSER_PATHS.find((path) => existsSync(path));

/** Names the places looked in, for the skip and failure messages. */
export const BROWSER_PATHS_TEXT = BROWSER_PATHS.join(' or ');

export interface BrowserAvailability {
  available: boolean;
  /** With CI=true a missing browser fails the run instead of skipping. */
  ci: boolean;
}

export function browserAvailability(): BrowserAvailability {
  return { available: CHROMIUM_PATH !== undefined, ci: loadAllSettings().app.ci };
}

export function launchChromium(): Promise<Browser> {
  if (CHROMIUM_PATH === undefined) {
    throw new Error(`No browser at ${BROWSER_PATHS_TEXT}: apt-get install chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export interface RunningApi {
  app: INestApplication;
  baseUrl: string;
}

/**
 * The whole API in this process over the seeded default bank (as `npm start` serves it), on a
 * free loopback port, with the web app under /app. Rate limits are off: the tests click faster
 * than an analyst. With `riskModelFile`, the learned risk model of that file scores movements and alerts.
 */
export async function startSeededApi(riskModelFile?: string): Promise<RunningApi> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: true, logLevel: 'silent' })
    .overrideProvider(securitySettings.KEY)
    .useValue({ ...defaults.security, rateLimitEnabled: false })
    .overrideProvider(modelSettings.KEY)
    .useValue({ ...defaults.model, riskModelFile })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.listen(0, '127.0.0.1');
  const server: Server = app.getHttpServer();
  const { port } = server.address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/** Calls the API as a client would, with an API key. */
export async function apiGet<T>(api: RunningApi, path: string, key: string): Promise<T> {
  const response = await fetch(`${api.baseUrl}/api/v1${path}`, { headers: { 'X-API-Key': key } });
  if (!response.ok)
    throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Starts an alert scan over HTTP as an admin and waits for the job itself to settle. */
export async function scanAlerts(api: RunningApi, rules: string[]): Promise<void> {
  const response = await fetch(`${api.baseUrl}/api/v1/alerts/scan`, {
    method: 'POST',
    headers: { 'X-API-Key': 'dev-admin-key', 'Content-Type': 'application/json' },
    body: JSON.stringify({ rules, from: '2020-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' }),
  });
  if (response.status !== 202) throw new Error(`The scan did not start: ${await response.text()}`);
  const { jobId } = (await response.json()) as { jobId: string };
  await api.app.get(ScanJobs).settled(jobId);
}

/**
 * Waits until `condition` (read from Node through locators) holds, polling every 50 ms, for up to
 * `timeoutMs`. The app's Content Security Policy forbids evaluating strings in the page, which is
 * how `page.waitForFunction` polls, so the tests poll from Node instead. On time-out the error says
 * what was awaited and what was last seen.
 */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  condition: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!condition(last)) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
}

/** Opens the web app and signs in with an API key (the tab's first sign-in). */
export async function signInWithKey(page: Page, api: RunningApi, key: string): Promise<void> {
  await page.goto(`${api.baseUrl}/app/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('role').waitFor();
}

/**
 * Adds a wide ownership structure to the API's store, for the render time of a large chart: one
 * company held in equal parts by `holdings` holding companies, each held in equal parts by
 * `ownersPerHolding` persons (1 + holdings + holdings × ownersPerHolding nodes). Answers the
 * company's uid.
 */
export async function addWideOwnership(
  api: RunningApi,
  holdings: number,
  ownersPerHolding: number,
): Promise<string> {
  const company = (uid: string, name: string): CompanyVertex => ({
    label: 'Company',
    uid,
    props: {
      name,
      jurisdiction: 'LU',
      companyType: 'company',
      isShell: false,
      isNominee: false,
      hasBearerShares: false,
      isSanctioned: false,
    },
  });
  const owns = (from: string, to: string, parts: number): OwnsEdge => {
    const bp = Math.floor(10_000 / parts);
    return {
      label: 'OWNS',
      eid: `owns:${from}->${to}`,
      from,
      to,
      props: {
        interestType: 'shareholding',
        shareMinBp: bp,
        shareMaxBp: bp,
        shareMinExclusive: false,
        shareMaxExclusive: false,
        directOrIndirect: 'direct',
        beneficialOwnershipOrControl: false,
      },
    };
  };
  const top = 'company:wide:top';
  const companies: CompanyVertex[] = [company(top, 'Wide Top Holding S.A.')];
  const persons: PersonVertex[] = [];
  const edges: OwnsEdge[] = [];
  for (let h = 0; h < holdings; h += 1) {
    const holding = `company:wide:h${h}`;
    companies.push(company(holding, `Wide Holding ${h} S.a r.l.`));
    edges.push(owns(holding, top, holdings));
    for (let o = 0; o < ownersPerHolding; o += 1) {
      const person = `person:wide:h${h}:o${o}`;
      persons.push({
        label: 'Person',
        uid: person,
        props: { name: `Owner ${h}-${o}`, isPep: false, isSanctioned: false },
      });
      edges.push(owns(person, holding, ownersPerHolding));
    }
  }
  const store = api.app.get(GraphStore);
  await store.upsertVertices([...companies, ...persons]);
  await store.upsertEdges(edges);
  return top;
}
