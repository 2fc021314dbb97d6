import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { readDatasetFolder, seedGraphStore } from '@app/generators';
import { GraphStore } from '@app/graph-store';
import {
  AppConfig,
  appSettings,
  DetectorsConfig,
  detectorsSettings,
  GraphConfig,
  graphSettings,
  SeederConfig,
  seederSettings,
} from '@app/settings';
import { DomainError, InvalidInputError, toMinorUnits } from '@app/vocabulary';
import { loadGraph, memoryStoreWarning, movementWindow } from '../imports/graph-loader';

/**
 * What the graph store holds when the API starts listening (this runs before it listens, so
 * nothing is served, and `/health/ready` cannot answer, until it is done):
 *
 * - with APP_DATA_DIR set, that folder is loaded (a bank export or a `seeder generate` /
 *   `seeder import` JSON-lines dataset), into whichever store is configured; the synthetic bank
 *   is not seeded. A folder with any bad row stops the start, naming file, line, field and rule;
 * - otherwise the embedded default: with the memory graph and APP_SEED_ON_START=true, the API
 *   generates a synthetic bank (SEEDER_PROFILE, SEEDER_SEED), so a fresh clone has a bank to
 *   answer about. JanusGraph is never seeded implicitly: use the seeder for that.
 */
@Injectable()
export class SeedOnStartService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly store: GraphStore,
    @Inject(appSettings.KEY) private readonly app: AppConfig,
    @Inject(graphSettings.KEY) private readonly graph: GraphConfig,
    @Inject(seederSettings.KEY) private readonly seeder: SeederConfig,
    @Inject(detectorsSettings.KEY) private readonly detectors: DetectorsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const dataDir = this.app.dataDir?.trim() ?? '';
    if (dataDir !== '') {
      await this.loadDataDir(dataDir);
      return;
    }
    if (!this.app.seedOnStart) return;
    // Decided by the store actually in use (not the setting), so a replaced store is honoured.
    if (this.store.backend !== 'memory') {
      this.logger.log(
        'APP_SEED_ON_START only seeds the embedded memory store; load JanusGraph with `npm run seed -- generate --sink graph`.',
      );
      return;
    }
    const started = performance.now();
    const result = await seedGraphStore(this.store, {
      profile: this.seeder.profile,
      seed: this.seeder.seed,
      referenceTime: this.seeder.referenceTime,
      days: this.seeder.days,
      batchSize: this.graph.batchSize,
      thresholds: {
        cashThresholdMinor: toMinorUnits(this.detectors.cashReportingThreshold, 'USD'),
        structuringBandPercent: this.detectors.structuringBandPercent,
        dormantDays: this.detectors.dormantDays,
        highRiskJurisdictions: this.detectors.highRiskJurisdictions,
      },
    });
    const counts = await this.store.counts();
    this.logger.log(
      {
        profile: this.seeder.profile,
        seed: this.seeder.seed,
        vertices: counts.vertices,
        edges: counts.edges,
        injectedInstances: result.groundTruth.length,
      },
      `Seeded a synthetic bank (profile ${this.seeder.profile}, seed ${this.seeder.seed}) in ${Math.round(performance.now() - started)} ms: ` +
        `${counts.vertices.Person} persons, ${counts.vertices.Company} companies, ${counts.vertices.Account} accounts, ` +
        `${counts.edges.TRANSFERRED} money movements, ${result.groundTruth.length} labelled pattern instances.`,
    );
  }

  /** Loads APP_DATA_DIR into the store; refuses the start when the folder is bad. */
  private async loadDataDir(dir: string): Promise<void> {
    const started = performance.now();
    let dataset: Awaited<ReturnType<typeof readDatasetFolder>>;
    try {
      dataset = await readDatasetFolder(dir);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const problems = error instanceof InvalidInputError ? error.problems : [];
      throw new InvalidInputError(
        `APP_DATA_DIR=${dir} cannot be loaded, so the API does not start. ${error.message}`,
        problems,
      );
    }
    const written = await loadGraph(this.store, dataset.vertices, dataset.edges, {
      batchSize: this.graph.batchSize,
      writeConcurrency: this.graph.writeConcurrency,
      outageWaitMs: this.graph.outageWaitMs,
      onOutageWait: (line) => this.logger.warn(`Loading APP_DATA_DIR=${dir}: ${line}`),
    });
    const window = movementWindow(dataset.edges);
    const counts = await this.store.counts();
    this.logger.log(
      {
        dataDir: dir,
        kind: dataset.kind,
        records: dataset.bank?.records,
        written,
        movementWindow: window,
        notes: dataset.notes,
      },
      `Loaded ${dir} (${dataset.kind === 'bank-export' ? 'bank export' : 'graph dataset'}) in ${Math.round(performance.now() - started)} ms: ` +
        `${dataset.vertices.length} vertices and ${dataset.edges.length} edges ` +
        `(${written.created} created, ${written.updated} updated, ${written.unchanged} unchanged); the store now holds ` +
        `${counts.vertices.Person} persons, ${counts.vertices.Company} companies, ${counts.vertices.Account} accounts, ` +
        `${counts.edges.TRANSFERRED} money movements.` +
        (window === undefined
          ? ''
          : ` Run the detectors over the movements with POST /api/v1/alerts/scan {"from":"${window.from}","to":"${window.to}"}.`),
    );
    const warning = memoryStoreWarning(
      this.store.backend,
      `what was loaded from ${dir} (and everything imported or changed through the API after it)`,
      false,
    );
    if (warning !== undefined) this.logger.warn(warning);
  }
}
