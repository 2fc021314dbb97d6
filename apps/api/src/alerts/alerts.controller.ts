import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AlertRepository, BASE_MONEY, DetectionService } from '@app/detectors';
import type { AlertSort, RuleDescription } from '@app/detectors';
import { Clock, InvalidInputError } from '@app/vocabulary';
import type { BaseMoney } from '@app/vocabulary';
import type { RequestWithAuditNote } from '../audit/audit-log';
import type { RequestWithPrincipal } from '../auth/principal';
import { MinimumRole } from '../auth/roles.decorator';
import { RequiresStepUp, whenClosingAlert } from '../auth/step-up.decorator';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { STEP_UP_REQUIRED_ANSWER } from '../mfa/mfa.responses';
import { asDownload } from '../presentation/download';
import { ExportFormatQueryDto } from '../presentation/export-format.query.dto';
import { textContent } from '../presentation/analyst-format.responses';
import { PartyDirectory } from '../presentation/party-directory.service';
import { alertReport } from '../cases/case-report';
import { InvestigationReportResponse } from '../cases/case.responses';
import { reportDownload } from '../cases/report-download';
import { ReportFormatQueryDto } from '../cases/report-format.query.dto';
import { alertCsv } from './alert-export';
import {
  AlertDetailResponse,
  AlertPageResponse,
  AlertResponse,
  RuleResponse,
  ScanJobResponse,
} from './alert.responses';
import { accountsOf, alertDetailView, alertPageView, alertView } from './alert.view';
import type { AlertDetailView, AlertPageView, AlertView } from './alert.view';
import { ListAlertsQueryDto } from './list-alerts.query.dto';
import { ScanAlertsBodyDto } from './scan-alerts.body.dto';
import { scanJobView } from './scan-job.view';
import type { ScanJobView } from './scan-job.view';
import { ScanJobs } from './scan-jobs.service';
import { AssignAlertsBodyDto, UpdateAlertBodyDto } from './update-alert.body.dto';

const JOB_ID = {
  name: 'jobId',
  description: 'Scan job id, as POST /api/v1/alerts/scan answered it.',
};

const ALERT_ID = {
  name: 'alertId',
  description: 'Alert id, e.g. alert:aml.structuring:3f2a… (URL-encode it).',
};

const instant = (iso: string | undefined): number | undefined =>
  iso === undefined ? undefined : Date.parse(iso);

/** AML and fraud alerts: thin HTTP layer over DetectionService and AlertRepository (libs/detectors). */
@ApiTags('alerts')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@ApiExtraModels(AlertDetailResponse, InvestigationReportResponse)
@MinimumRole('analyst')
@Controller(`${API_V1}/alerts`)
export class AlertsController {
  constructor(
    private readonly detection: DetectionService,
    private readonly alerts: AlertRepository,
    private readonly jobs: ScanJobs,
    private readonly parties: PartyDirectory,
    @Inject(BASE_MONEY) private readonly money: BaseMoney,
    private readonly clock: Clock,
  ) {}

  @Post('scan')
  @HttpCode(202)
  @MinimumRole('admin')
  @ApiOperation({
    summary:
      'Start a scan in the background: rules over a window of the graph (all or chosen rules, parameter overrides); new alerts are stored, grown patterns update their alert. Answers 202 with the job at once; follow it with GET /alerts/scan/{jobId}.',
  })
  @ApiBody({
    type: ScanAlertsBodyDto,
    examples: {
      twoRules: {
        summary: 'Two rules over a quarter, with an override',
        value: {
          rules: ['aml.structuring', 'aml.fan-out'],
          from: '2024-10-01T00:00:00Z',
          to: '2025-01-01T00:00:00Z',
          parameters: { 'aml.fan-out': { minCounterparties: 8 } },
        },
      },
      dryRun: {
        summary: 'Every rule, nothing stored',
        value: { from: '2024-10-01T00:00:00Z', to: '2025-01-01T00:00:00Z', persist: false },
      },
    },
  })
  @ApiAcceptedResponse({
    type: ScanJobResponse,
    description: 'The queued job, with its id and href (also in the Location header).',
  })
  @ApiErrorResponses({
    badRequest:
      'Unknown rule, bad parameter or empty window (checked before the job starts); details.problems names each field and rule.',
    conflict: 'A scan is already running (one at a time); details.runningJobIds names it.',
    payloadTooLarge: true,
  })
  scan(
    @Body() body: ScanAlertsBodyDto,
    @Res({ passthrough: true }) response: Response,
  ): ScanJobView {
    const job = scanJobView(
      this.jobs.start({
        rules: body.rules,
        from: Date.parse(body.from),
        to: Date.parse(body.to),
        parameters: body.parameters,
        persist: body.persist,
      }),
    );
    response.setHeader('Location', job.href);
    return job;
  }

  @Get('scan')
  @MinimumRole('admin')
  @ApiOperation({
    summary:
      'Scan jobs this API process still holds (running ones and the last finished ones), newest first.',
  })
  @ApiOkResponse({ type: [ScanJobResponse], description: 'The jobs, newest first.' })
  scanJobs(): ScanJobView[] {
    return this.jobs.list().map(scanJobView);
  }

  @Get('scan/:jobId')
  @MinimumRole('admin')
  @ApiOperation({
    summary:
      'One scan job: status (queued, running, succeeded, failed, cancelled), progress (rules done of total, movements read), times, and the report once it succeeded.',
  })
  @ApiParam(JOB_ID)
  @ApiOkResponse({ type: ScanJobResponse, description: 'The job.' })
  @ApiErrorResponses({
    notFound:
      'Unknown job id, or a job forgotten (the API keeps the last 100 finished jobs, in memory).',
  })
  scanJob(@Param('jobId') jobId: string): ScanJobView {
    return scanJobView(this.jobs.get(jobId));
  }

  @Delete('scan/:jobId')
  @MinimumRole('admin')
  @ApiOperation({
    summary:
      'Cancel a queued or running scan: it stops at its next read of the graph and stores nothing (cancelRequested is true until it has stopped).',
  })
  @ApiParam(JOB_ID)
  @ApiOkResponse({ type: ScanJobResponse, description: 'The job, with cancelRequested true.' })
  @ApiErrorResponses({
    notFound: 'Unknown or forgotten job id.',
    conflict: 'The job has already finished.',
  })
  cancelScan(@Param('jobId') jobId: string): ScanJobView {
    return scanJobView(this.jobs.cancel(jobId));
  }

  @Get('rules')
  @ApiOperation({
    summary: 'Every rule: id, typology, source, version and parameters with their defaults.',
  })
  @ApiOkResponse({ type: [RuleResponse], description: 'The rule catalogue.' })
  rules(): RuleDescription[] {
    return this.detection.rules();
  }

  /**
   * A rule filter that matched nothing and names no rule of the catalogue is most likely a typo:
   * refused with the known ids rather than answered with an empty list. A rule id that stored
   * alerts carry (a retired rule, another deployment's) is listed like any other.
   */
  private async assertKnownRule(rule: string): Promise<void> {
    const known = this.detection.rules().map((description) => description.id);
    if (known.includes(rule)) return;
    // Other filters may have emptied the page: an alert of this rule anywhere makes it known.
    if ((await this.alerts.list({ ruleId: rule }, 1)).items.length > 0) return;
    throw new InvalidInputError(`No rule has the id "${rule}" and no alert names it`, [
      {
        field: 'rule',
        rule: `must be a rule id of GET /api/v1/alerts/rules (${known.join(', ')})`,
      },
    ]);
  }

  @Get()
  @ApiOperation({
    summary:
      'Alerts page by page, filtered by status, typology, rule, flagged account, window, assignee, severity and minimum score, in alert id order or sorted across all pages by score or raisedAt (ties by alert id).',
  })
  @ApiOkResponse({ type: AlertPageResponse, description: 'One page of alerts.' })
  @ApiErrorResponses({
    badRequest:
      'A filter, sort or direction out of its range, a rule id that neither the catalogue nor any alert has, from after to, direction without sort, or a cursor of another listing (filters aside, a cursor only works with the sort and direction it came from); details.problems names each field and rule.',
  })
  async list(@Query() query: ListAlertsQueryDto): Promise<AlertPageView> {
    if (query.direction !== undefined && query.sort === undefined) {
      throw new InvalidInputError('direction needs sort', [
        { field: 'direction', rule: 'is only allowed with sort (score or raisedAt)' },
      ]);
    }
    const [from, to] = [instant(query.from), instant(query.to)];
    if (from !== undefined && to !== undefined && from > to) {
      // The two swapped, most likely: refused like a scan's window, not answered with nothing.
      throw new InvalidInputError(`from (${query.from}) is after to (${query.to})`, [
        { field: 'from', rule: `must not be after to (${query.to})` },
      ]);
    }
    const sort: AlertSort | undefined =
      query.sort === undefined
        ? undefined
        : { by: query.sort, direction: query.direction ?? 'desc' };
    const page = await this.alerts.list(
      {
        status: query.status,
        typology: query.typology,
        ruleId: query.rule,
        accountId: query.account,
        from,
        to,
        assignee: query.assignee,
        severity: query.severity,
        minScore: query.minScore,
      },
      query.limit,
      query.cursor,
      sort,
    );
    if (page.items.length === 0 && query.rule !== undefined && query.cursor === undefined)
      await this.assertKnownRule(query.rule);
    return alertPageView(page);
  }

  @Post('assign')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Give many alerts to one assignee (an empty assignee takes them off theirs), all or nothing: an unknown alert id changes nothing.',
  })
  @ApiBody({
    type: AssignAlertsBodyDto,
    examples: {
      assign: {
        value: {
          alertIds: ['alert:aml.structuring:3f2a9c1e', 'alert:aml.fan-out:9b1c2d3e'],
          assignee: 'user:alice',
        },
      },
      unassign: { value: { alertIds: ['alert:aml.structuring:3f2a9c1e'], assignee: '' } },
    },
  })
  @ApiOkResponse({ type: [AlertResponse], description: 'The alerts with their new assignee.' })
  @ApiErrorResponses({
    badRequest: 'alertIds is not a non-empty list of strings, or assignee is missing.',
    notFound: 'An alert id is unknown (the message names it); nothing was changed.',
    payloadTooLarge: true,
  })
  async assign(
    @Body() body: AssignAlertsBodyDto,
    @Req() request: RequestWithAuditNote,
  ): Promise<AlertView[]> {
    const assigned = await this.alerts.assign(body.alertIds, body.assignee || undefined);
    request.auditNote = `assignee ${body.assignee || '(none)'} for ${assigned.map((a) => a.alertId).join(', ')}`;
    return assigned.map(alertView);
  }

  @Get(':alertId')
  @ApiOperation({
    summary: 'One alert with its evidence: parties, movements in time order, and status history.',
  })
  @ApiParam(ALERT_ID)
  @ApiOkResponse({ type: AlertDetailResponse, description: 'The alert with its evidence.' })
  @ApiErrorResponses({ notFound: 'No alert has this id.' })
  get(@Param('alertId') alertId: string): Promise<AlertDetailView> {
    return this.detailView(alertId);
  }

  @RequiresStepUp()
  @Get(':alertId/export')
  @ApiOperation({
    summary:
      "Download an alert with its evidence: json (the detail answer) or csv (one row per evidence movement, the alert on every row; ISO times, amounts in major units, customers by name; the learned model's risk score, threshold, model version and reasons, empty when no model scored the alert).",
  })
  @ApiParam(ALERT_ID)
  @ApiOkResponse({
    description: 'A file download (Content-Disposition: attachment).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AlertDetailResponse) } },
      ...textContent(
        'text/csv',
        'One row per evidence movement, the alert on every row; a header row names the columns.',
      ),
    },
  })
  @ApiErrorResponses({
    notFound: 'No alert has this id.',
    badRequest: 'format is not json or csv.',
    forbidden: `The API key does not have the role this route needs. ${STEP_UP_REQUIRED_ANSWER}`,
  })
  async export(
    @Param('alertId') alertId: string,
    @Query() query: ExportFormatQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const detail = await this.detailView(alertId);
    if (query.format === 'csv') {
      asDownload(response, 'text/csv; charset=utf-8', `${alertId}.csv`);
      return alertCsv(detail);
    }
    asDownload(response, 'application/json; charset=utf-8', `${alertId}.json`);
    return JSON.stringify(detail, null, 2);
  }

  @RequiresStepUp()
  @Get(':alertId/report')
  @ApiOperation({
    summary:
      'Download the report of an alert: html (a printable page, inline CSS, no script) or json (the same content): the alert with its explanation, evidence movements (named parties, amounts in major units and in the base currency) and status history, when and by whom it was generated.',
  })
  @ApiParam(ALERT_ID)
  @ApiOkResponse({
    description: 'A file download (Content-Disposition: attachment).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(InvestigationReportResponse) } },
      ...textContent('text/html', 'The same report as one self-contained, printable HTML page.'),
    },
  })
  @ApiErrorResponses({
    notFound: 'No alert has this id.',
    badRequest: 'format is not html or json.',
    forbidden: `The API key does not have the role this route needs. ${STEP_UP_REQUIRED_ANSWER}`,
  })
  async report(
    @Param('alertId') alertId: string,
    @Query() query: ReportFormatQueryDto,
    @Req() request: RequestWithPrincipal & RequestWithAuditNote,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const report = alertReport(await this.detailView(alertId), {
      at: this.clock.now(),
      by: request.principal?.id ?? 'anonymous',
    });
    request.auditNote = `report of alert ${alertId} (${query.format ?? 'html'})`;
    return reportDownload(response, report, alertId, query.format);
  }

  @RequiresStepUp(whenClosingAlert)
  @Patch(':alertId')
  @ApiOperation({
    summary:
      'Change the status of an alert (with a note kept in its history), its assignee (an empty string takes it off), or both.',
  })
  @ApiParam(ALERT_ID)
  @ApiBody({
    type: UpdateAlertBodyDto,
    examples: {
      investigate: { value: { status: 'investigating', note: 'Branch CCTV requested' } },
      assign: { value: { assignee: 'user:alice' } },
      close: {
        value: {
          status: 'closed-false-positive',
          note: 'Deposits match the documented sale of a car (invoice on file).',
        },
      },
    },
  })
  @ApiOkResponse({ type: AlertResponse, description: 'The alert with its new status.' })
  @ApiErrorResponses({
    badRequest:
      'Nothing to change, status is not an alert status, a status without a note, or note or assignee empty or too long.',
    forbidden: `The API key does not have the role this route needs. ${STEP_UP_REQUIRED_ANSWER}`,
    notFound: 'No alert has this id.',
    conflict: 'The change is not allowed from the current status.',
    payloadTooLarge: true,
  })
  async update(
    @Param('alertId') alertId: string,
    @Body() body: UpdateAlertBodyDto,
    @Req() request: RequestWithPrincipal & RequestWithAuditNote,
  ): Promise<AlertView> {
    if (body.status === undefined && body.assignee === undefined) {
      throw new InvalidInputError('Nothing to change: give status (with a note) or assignee', [
        { field: 'status', rule: 'status or assignee is required' },
      ]);
    }
    if (body.status !== undefined && body.note === undefined) {
      throw new InvalidInputError('A status change needs a note', [
        { field: 'note', rule: 'is required with status' },
      ]);
    }
    // A refused status change throws before the assignee is touched.
    let alert = await this.alerts.get(alertId);
    if (body.status !== undefined) {
      alert = await this.alerts.changeStatus(
        alertId,
        body.status,
        body.note ?? '',
        request.principal?.id ?? 'anonymous',
      );
    }
    if (body.assignee !== undefined) {
      [alert] = (await this.alerts.assign([alertId], body.assignee || undefined)) as [typeof alert];
      request.auditNote = `assignee ${body.assignee || '(none)'}`;
    }
    return alertView(alert);
  }

  /** The detail with named parties, amounts in major units and ISO times (2 more reads). */
  private async detailView(alertId: string): Promise<AlertDetailView> {
    const detail = await this.alerts.detail(alertId);
    const accounts = await this.parties.accounts(accountsOf(detail));
    return alertDetailView(detail, accounts, this.money);
  }
}
