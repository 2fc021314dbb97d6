import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { seedGraphStore } from '@app/generators';
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
import { toMinorUnits } from '@app/vocabulary';

/**
 * The embedded default: with the memory graph and APP_SEED_ON_START=true, the API generates a
 * synthetic bank (SEEDER_PROFILE, SEEDER_SEED) before it starts listening, so a fresh clone has
 * a bank to answer about. JanusGraph is never seeded implicitly: use the seeder for that.
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
}
