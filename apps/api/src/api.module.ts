import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { GraphStoreModule } from '@app/graph-store';
import { LoggingModule } from '@app/observability';
import { RiskModelModule } from '@app/risk-model';
import { SettingsModule } from '@app/settings';
import { AccountsHttpModule } from './accounts/accounts-http.module';
import { AlertsHttpModule } from './alerts/alerts-http.module';
import { AuditModule } from './audit/audit.module';
import { CasesModule } from './cases/cases.module';
import { FraudHttpModule } from './fraud/fraud-http.module';
import { AuthModule } from './auth/auth.module';
import { ShutdownDrain } from './common/connection-drain';
import { DomainExceptionFilter } from './common/domain-exception.filter';
import { createValidationPipe } from './common/validation';
import { EntitiesModule } from './entities/entities.module';
import { HealthModule } from './health/health.module';
import { ImportsHttpModule } from './imports/imports-http.module';
import { MfaModule } from './mfa/mfa.module';
import { SeedModule } from './seed/seed.module';
import { SubjectsModule } from './subjects/subjects.module';
import { ScoreHttpModule } from './score/score-http.module';
import { UboHttpModule } from './ubo/ubo-http.module';
import { ApiMetricsModule } from './metrics/api-metrics';
import { MetricsController } from './metrics/metrics.controller';

@Module({
  imports: [
    SettingsModule,
    LoggingModule.forRoot(),
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
    ApiMetricsModule,
    GraphStoreModule,
    RiskModelModule,
    AuthModule,
    AuditModule,
    HealthModule,
    EntitiesModule,
    SeedModule,
    UboHttpModule,
    AlertsHttpModule,
    CasesModule,
    FraudHttpModule,
    AccountsHttpModule,
    ScoreHttpModule,
    ImportsHttpModule,
    MfaModule,
    SubjectsModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: DomainExceptionFilter },
    ShutdownDrain,
  ],
})
export class ApiModule {}
