import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AuditLog } from './audit-log';

/**
 * Readiness of the audit trail for `/health/ready`: `down` (503) while accepted entries wait too
 * long to be stored, or so many wait that the API refuses requests; reports where entries go
 * and how many wait. Costs no round trip (the audit log knows its own queue).
 */
@Injectable()
export class AuditHealthIndicator {
  constructor(
    private readonly audit: AuditLog,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string>(key: Key): HealthIndicatorResult<Key> {
    const indicator = this.health.check(key);
    const { ready, storage, pending, message } = this.audit.health();
    return ready
      ? indicator.up({ storage, pending })
      : indicator.down({ storage, pending, message });
  }
}
