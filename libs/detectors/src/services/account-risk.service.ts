import { Inject, Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import { detectorsSettings } from '@app/settings';
import type { DetectorsConfig } from '@app/settings';
import { EntityNotFoundError } from '@app/vocabulary';
import type { AlertStatus, Severity } from '@app/vocabulary';
import { AlertRepository } from '../alerts/alert.repository';
import type { StoredAlert } from '../alerts/alert.repository';
import { roundScore, severityOf } from '../core/scoring';
import type { FraudRing } from '../fraud/fraud-ring.detector';
import { FraudRingService } from './fraud-ring.service';

export const ACTIVE_ALERT_STATUSES: readonly AlertStatus[] = ['open', 'investigating', 'escalated'];

export interface AccountRisk {
  accountId: string;
  /** 1 − Π(1 − score) over active alerts: 0 without any, near 1 with several strong ones. */
  riskScore: number;
  riskLevel: Severity | 'none';
  activeAlerts: number;
  totalAlerts: number;
  byTypology: Record<string, number>;
  byStatus: Partial<Record<AlertStatus, number>>;
  highRiskCountry: boolean;
  country: string;
  rings: FraudRing[];
  /** The ten most recently updated alerts. */
  recentAlerts: StoredAlert[];
}

const MAX_ALERTS = 1000;

/** A risk summary of one account from its alerts, its country and its fraud rings. */
@Injectable()
export class AccountRiskService {
  constructor(
    private readonly store: GraphStore,
    private readonly alerts: AlertRepository,
    private readonly rings: FraudRingService,
    @Inject(detectorsSettings.KEY) private readonly config: DetectorsConfig,
  ) {}

  async risk(accountId: string): Promise<AccountRisk> {
    const vertex = await this.store.getVertex(accountId);
    if (!vertex || vertex.label !== 'Account') throw new EntityNotFoundError('Account', accountId);
    const all: StoredAlert[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.alerts.list({ accountId }, 200, cursor);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined && all.length < MAX_ALERTS);
    const active = all.filter((a) => ACTIVE_ALERT_STATUSES.includes(a.status));
    const riskScore = roundScore(1 - active.reduce((keep, a) => keep * (1 - a.score), 1));
    const byTypology: Record<string, number> = {};
    const byStatus: Partial<Record<AlertStatus, number>> = {};
    for (const a of all) {
      byTypology[a.typology] = (byTypology[a.typology] ?? 0) + 1;
      byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    }
    const { rings } = await this.rings.findRings({ accountIds: [accountId] });
    return {
      accountId,
      riskScore,
      riskLevel: active.length === 0 ? 'none' : severityOf(riskScore),
      activeAlerts: active.length,
      totalAlerts: all.length,
      byTypology,
      byStatus,
      highRiskCountry: this.config.highRiskJurisdictions.includes(vertex.props.country),
      country: vertex.props.country,
      rings,
      recentAlerts: [...all]
        .sort((a, b) => b.updatedAt - a.updatedAt || (a.alertId < b.alertId ? -1 : 1))
        .slice(0, 10),
    };
  }
}
