import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { AlertRepository, DetectionService } from '@app/detectors';
import type {
  AlertDetail,
  AlertPage,
  RuleDescription,
  ScanReport,
  StoredAlert,
} from '@app/detectors';
import type { RequestWithPrincipal } from '../auth/principal';
import { MinimumRole } from '../auth/roles.decorator';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';
import { ListAlertsQueryDto } from './list-alerts.query.dto';
import { ScanAlertsBodyDto } from './scan-alerts.body.dto';
import { UpdateAlertBodyDto } from './update-alert.body.dto';

const ALERT_ID = {
  name: 'alertId',
  description: 'Alert id, e.g. alert:aml.structuring:3f2a… (URL-encode it).',
};

const instant = (iso: string | undefined): number | undefined =>
  iso === undefined ? undefined : Date.parse(iso);

/** AML and fraud alerts: thin HTTP layer over DetectionService and AlertRepository (libs/detectors). */
@ApiTags('alerts')
@ApiSecurity('api-key')
@MinimumRole('analyst')
@Controller(`${API_V1}/alerts`)
export class AlertsController {
  constructor(
    private readonly detection: DetectionService,
    private readonly alerts: AlertRepository,
  ) {}

  @Post('scan')
  @HttpCode(200)
  @MinimumRole('admin')
  @ApiOperation({
    summary:
      'Run rules over a window of the graph (all or chosen rules, parameter overrides); new alerts are stored, grown patterns update their alert.',
  })
  @ApiBadRequestResponse({
    type: ErrorBody,
    description: 'Unknown rule, bad parameter or empty window.',
  })
  scan(@Body() body: ScanAlertsBodyDto): Promise<ScanReport> {
    return this.detection.scan({
      rules: body.rules,
      from: Date.parse(body.from),
      to: Date.parse(body.to),
      parameters: body.parameters,
      persist: body.persist,
    });
  }

  @Get('rules')
  @ApiOperation({
    summary: 'Every rule: id, typology, source, version and parameters with their defaults.',
  })
  rules(): RuleDescription[] {
    return this.detection.rules();
  }

  @Get()
  @ApiOperation({
    summary: 'Alerts page by page, filtered by status, typology, rule, flagged account and window.',
  })
  @ApiBadRequestResponse({ type: ErrorBody })
  list(@Query() query: ListAlertsQueryDto): Promise<AlertPage> {
    return this.alerts.list(
      {
        status: query.status,
        typology: query.typology,
        ruleId: query.rule,
        accountId: query.account,
        from: instant(query.from),
        to: instant(query.to),
      },
      query.limit,
      query.cursor,
    );
  }

  @Get(':alertId')
  @ApiOperation({
    summary: 'One alert with its evidence: parties, movements in time order, and status history.',
  })
  @ApiParam(ALERT_ID)
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('alertId') alertId: string): Promise<AlertDetail> {
    return this.alerts.detail(alertId);
  }

  @Patch(':alertId')
  @ApiOperation({ summary: 'Change the status of an alert, with a note kept in its history.' })
  @ApiParam(ALERT_ID)
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({
    type: ErrorBody,
    description: 'The change is not allowed from the current status.',
  })
  update(
    @Param('alertId') alertId: string,
    @Body() body: UpdateAlertBodyDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<StoredAlert> {
    return this.alerts.changeStatus(
      alertId,
      body.status,
      body.note,
      request.principal?.id ?? 'anonymous',
    );
  }
}
