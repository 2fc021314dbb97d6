import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { serveWebApp } from './web-app';

async function appServing(directory: string): Promise<NestExpressApplication> {
  const moduleRef = await Test.createTestingModule({}).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  serveWebApp(app, directory);
  await app.init();
  return app;
}

describe('serveWebApp', () => {
  let directory: string;
  let app: NestExpressApplication | undefined;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'web-app-'));
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(directory, { recursive: true, force: true });
  });

  it('answers 503 with the error shape and how to build the app when there is no build', async () => {
    app = await appServing(join(directory, 'missing'));
    const answer = await request(app.getHttpServer()).get('/app/alerts').expect(503);
    const body = answer.body as { error: string; message: string; correlationId: string };
    expect(body.error).toBe('web_app_not_built');
    expect(body.message).toContain('npm run build');
    expect(body.correlationId).not.toBe('');
  });

  it('serves the built files, and index.html for the pages of the app', async () => {
    mkdirSync(join(directory, 'assets'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html><title>workbench</title>');
    writeFileSync(join(directory, 'assets', 'app.js'), 'console.log("app");');
    app = await appServing(directory);
    const http = app.getHttpServer();

    const script = await request(http).get('/app/assets/app.js').expect(200);
    expect(script.headers['content-type']).toContain('javascript');
    const page = await request(http).get('/app/alerts/alert:x:1').expect(200);
    expect(page.text).toContain('<title>workbench</title>');
    const root = await request(http).get('/app/').expect(200);
    expect(root.text).toContain('<title>workbench</title>');
    // Other paths and methods are not the web app's.
    await request(http).post('/app/alerts').expect(404);
    await request(http).get('/application').expect(404);
  });
});
