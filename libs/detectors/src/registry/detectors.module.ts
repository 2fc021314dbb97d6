import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { Clock, SystemClock } from '@app/vocabulary';
import { AlertRepository } from '../alerts/alert.repository';
import { AlertStatusHistory } from '../alerts/alert-status-history';
import { GraphAlertStatusHistory } from '../alerts/graph.alert-status-history';
import type { Detector } from '../core/detector';
import { AccountRiskService } from '../services/account-risk.service';
import { DetectionService } from '../services/detection.service';
import { FraudRingService } from '../services/fraud-ring.service';
import { StreamDetectionService } from '../services/stream-detection.service';
import { ALL_DETECTORS } from './all-detectors';
import { BASE_MONEY_PROVIDER } from './base-money.provider';
import { DetectorRegistry } from './detector.registry';
import { BASE_MONEY, DETECTORS } from './detectors.tokens';

const SERVICES = [
  DetectorRegistry,
  AlertRepository,
  DetectionService,
  FraudRingService,
  AccountRiskService,
  StreamDetectionService,
];

/**
 * AML and fraud detection: every rule under the `DETECTORS` multi-token, the registry, the
 * alert repository (alerts and their status histories in the graph) and the scan, stream, ring
 * and risk services. Needs the global `SettingsModule` (detectors settings) and
 * `GraphStoreModule` (GraphStore port). Rules compare amounts in the base currency of the `money`
 * settings (FX_RATES_FILE, BASE_CURRENCY), provided as `BASE_MONEY`; an invalid FX table stops the boot.
 */
@Module({
  providers: [
    { provide: DETECTORS, useValue: ALL_DETECTORS },
    { provide: Clock, useClass: SystemClock },
    BASE_MONEY_PROVIDER,
    { provide: AlertStatusHistory, useClass: GraphAlertStatusHistory },
    ...SERVICES,
  ],
  exports: [DETECTORS, BASE_MONEY, AlertStatusHistory, ...SERVICES],
})
export class DetectorsModule {
  /** The module with another set of rules (e.g. the built-in ones plus a bank's own). */
  static withDetectors(detectors: readonly Detector[]): DynamicModule {
    return {
      module: DetectorsModule,
      providers: [{ provide: DETECTORS, useValue: detectors }],
    };
  }
}
