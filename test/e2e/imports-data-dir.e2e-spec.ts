import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { generateBank, JsonlSink, writeDataset } from '@app/generators';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings, seederSettings } from '@app/settings';
import type { GraphEdge } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';

const CSV_DIR = join(__dirname, '..', '..', 'examples', 'bank-export');

/** Data rows of a sample CSV file (header and blank lines excluded). */
function csvRows(name: string): string[][] {
  return readFileSync(join(CSV_DIR, name), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(','));
}

/** Boots the API the way main.ts does, with seeding on start left on and APP_DATA_DIR set. */
async function boot(store: GraphStore, dataDir: string): Promise<INestApplication> {
  const defaults = loadAllSettings({ APP_DATA_DIR: dataDir });
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: true, logLevel: 'silent' })
    .overrideProvider(seederSettings.KEY)
    .useValue({ ...defaults.seeder, profile: 'tiny' })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

describe('API started on a dataset folder (APP_DATA_DIR, e2e)', () => {
  it('loads the folder instead of the synthetic bank and serves it', async () => {
    const store = new MemoryGraphStore();
    const app = await boot(store, CSV_DIR);
    try {
      const server = app.getHttpServer() as Server;
      await request(server).get('/health/ready').expect(200);
      const counts = await store.counts();
      // Only the sample's people: the synthetic bank (hundreds of persons) was not seeded.
      expect(counts.vertices.Person).toBe(csvRows('persons.csv').length);
      expect(counts.edges.TRANSFERRED).toBe(csvRows('movements.csv').length);
      const [personId, personName] = csvRows('persons.csv')[0] ?? [];
      const person = await request(server)
        .get(`/api/v1/entities/person:bank:${personId}`)
        .set('X-API-Key', 'dev-analyst-key')
        .expect(200);
      expect(JSON.stringify(person.body)).toContain(personName);
    } finally {
      await app.close();
    }
  });

  it('loads a graph dataset written by the generator (JSON lines of vertices and edges)', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'app-data-dir-graph-'));
    const dir = join(parent, 'tiny');
    try {
      const defaults = loadAllSettings({});
      const sink = await JsonlSink.open({ directory: dir });
      const summary = await writeDataset(
        generateBank({
          profile: 'tiny',
          seed: 7,
          referenceTime: defaults.seeder.referenceTime,
          days: defaults.seeder.days,
        }),
        sink,
      );
      const store = new MemoryGraphStore();
      const app = await boot(store, dir);
      try {
        const counts = await store.counts();
        const total = (byLabel: Record<string, number>): number =>
          Object.values(byLabel).reduce((a, b) => a + b, 0);
        expect(total(counts.vertices)).toBe(total(summary.vertices));
        expect(total(counts.edges)).toBe(total(summary.edges));
        // The very movements of the folder (amounts and times depend on the generator's seed).
        const movement = readFileSync(join(dir, 'edges.jsonl'), 'utf8')
          .split('\n')
          .map((line) => (line.trim() === '' ? undefined : (JSON.parse(line) as GraphEdge)))
          .find((edge) => edge?.label === 'TRANSFERRED');
        expect(movement).toBeDefined();
        expect(await store.getEdge(movement?.eid ?? '')).toEqual(movement);
      } finally {
        await app.close();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('refuses to start on a folder with a bad row, naming file, line, field and rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-data-dir-'));
    try {
      for (const name of readdirSync(CSV_DIR)) copyFileSync(join(CSV_DIR, name), join(dir, name));
      const lines = readFileSync(join(CSV_DIR, 'movements.csv'), 'utf8').split('\n');
      const cells = (lines[4] ?? '').split(',');
      cells[3] = 'DOLLARS';
      lines[4] = cells.join(',');
      writeFileSync(join(dir, 'movements.csv'), lines.join('\n'));

      const store = new MemoryGraphStore();
      await expect(boot(store, dir)).rejects.toMatchObject({
        message: expect.stringMatching(
          /APP_DATA_DIR=.*movements\.csv line 5: currency/s,
        ) as unknown,
      });
      expect((await store.counts()).vertices.Person).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
