import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { GraphStoreHealthIndicator } from '@app/graph-store';
import { BUILD_INFO, BuildInfo } from '@app/observability';
import { AuditHealthIndicator } from '../audit/audit.health';
import { Public } from '../auth/roles.decorator';
import { BuildInfoResponse } from './health.responses';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly graph: GraphStoreHealthIndicator,
    private readonly audit: AuditHealthIndicator,
  ) {}

  @Get('version')
  @ApiOperation({ summary: 'What is running: project name, release version and Node.js version.' })
  @ApiOkResponse({ type: BuildInfoResponse, description: 'What is running.' })
  version(): BuildInfo {
    return BUILD_INFO;
  }

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'The process is up (no dependency checked).' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Ready to serve: 503 while the graph store is unreachable, its schema is missing or incomplete, or audit entries cannot be stored.',
  })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.graph.isHealthy('graph'),
      () => this.audit.isHealthy('audit'),
    ]);
  }
}
