import {
  Body,
  Controller,
  Delete,
  Get,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AlertRepository, BASE_MONEY } from '@app/detectors';
import { Clock, InvalidInputError } from '@app/vocabulary';
import type { BaseMoney } from '@app/vocabulary';
import { accountsOf, alertDetailView } from '../alerts/alert.view';
import type { AlertDetailView } from '../alerts/alert.view';
import type { RequestWithAuditNote } from '../audit/audit-log';
import type { RequestWithPrincipal } from '../auth/principal';
import { MinimumRole, ROLES } from '../auth/roles.decorator';
import { RequiresStepUp } from '../auth/step-up.decorator';
import type { StepUpCondition } from '../auth/step-up.decorator';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { STEP_UP_REQUIRED_ANSWER } from '../mfa/mfa.responses';
import { textContent } from '../presentation/analyst-format.responses';
import { PartyDirectory } from '../presentation/party-directory.service';
import {
  AddCaseNoteBodyDto,
  CaseAlertsBodyDto,
  CreateCaseBodyDto,
  ListCasesQueryDto,
  UpdateCaseBodyDto,
} from './case.dto';
import {
  CaseDetailResponse,
  CasePageResponse,
  InvestigationReportResponse,
} from './case.responses';
import { caseReport } from './case-report';
import type { CaseRecord } from './case';
import { casePageView, caseDetailView } from './case.view';
import type { CaseDetailView, CasePageView } from './case.view';
import { SENSITIVE_CASE_STATUSES } from './case-workflow';
import { ALERT_STATUS_WHEN_CASE_CLOSES, CasesService } from './cases.service';
import { ReportFormatQueryDto } from './report-format.query.dto';
import { reportDownload } from './report-download';

const CASE_ID = {
  name: 'caseId',
  description: 'Case id, e.g. case:20250107T100000Z-5b0f6c1e-… (URL-encode it).',
};

type CaseRequest = RequestWithPrincipal & RequestWithAuditNote;

/** A status change that reports or closes a case (`PATCH /cases/{id}`): it needs a step-up. */
export const whenReportingOrClosingCase: StepUpCondition = (request) => {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return false;
  const status: unknown = (body as Record<string, unknown>).status;
  return typeof status === 'string' && (SENSITIVE_CASE_STATUSES as string[]).includes(status);
};

function actorOf(request: CaseRequest): string {
  return request.principal?.id ?? 'anonymous';
}

/**
 * True when the caller may see alert contents (analyst or above). A viewer reads cases but sees
 * no alerts, and a caller without a principal counts as a viewer.
 */
function seesAlerts(request: RequestWithPrincipal): boolean {
  const role = request.principal?.role ?? 'viewer';
  return ROLES.indexOf(role) >= ROLES.indexOf('analyst');
}

/**
 * Investigation cases: alerts gathered into a case, assigned, annotated and moved through the
 * workflow. Viewers read, without alert contents; analysts create and change; reporting or closing
 * needs a step-up; a reported case's alerts and a closed case are frozen until it is reopened.
 * Every call is in the audit trail; changes add a note saying what changed.
 */
@ApiTags('cases')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@ApiExtraModels(InvestigationReportResponse)
@Controller(`${API_V1}/cases`)
export class CasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly alerts: AlertRepository,
    private readonly parties: PartyDirectory,
    @Inject(BASE_MONEY) private readonly money: BaseMoney,
    private readonly clock: Clock,
  ) {}

  @Post()
  @MinimumRole('analyst')
  @ApiOperation({
    summary:
      'Open a case, optionally with alerts (each alert may be in one open case only) and an assignee.',
  })
  @ApiBody({
    type: CreateCaseBodyDto,
    examples: {
      fromAlerts: {
        summary: 'A case from two alerts',
        value: {
          title: 'Cash structuring around account 3080006234',
          alertIds: ['alert:aml.structuring:3f2a9c1e', 'alert:aml.fan-out:9b1c2d3e'],
          assignee: 'user:alice',
        },
      },
      empty: { summary: 'An empty case', value: { title: 'Tip-off from branch 12' } },
    },
  })
  @ApiCreatedResponse({
    type: CaseDetailResponse,
    description: 'The new case (its href is in the Location header).',
  })
  @ApiErrorResponses({
    badRequest: 'title missing or too long, or alertIds not a list of strings.',
    notFound: 'An alert id is unknown; the message names it.',
    conflict: 'An alert is already in another open case; the message names the alert and case.',
    payloadTooLarge: true,
  })
  async create(
    @Body() body: CreateCaseBodyDto,
    @Req() request: CaseRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CaseDetailView> {
    const record = await this.cases.create(body, actorOf(request));
    request.auditNote = `case ${record.caseId} opened with ${record.alertIds.length} alert(s)${record.alertIds.length > 0 ? `: ${record.alertIds.join(', ')}` : ''}`;
    response.setHeader('Location', `/${API_V1}/cases/${encodeURIComponent(record.caseId)}`);
    return this.detailFor(record.caseId, request);
  }

  @Get()
  @ApiOperation({ summary: 'Cases page by page, oldest first, filtered by status and assignee.' })
  @ApiOkResponse({ type: CasePageResponse, description: 'One page of cases.' })
  @ApiErrorResponses({ badRequest: true })
  async list(@Query() query: ListCasesQueryDto): Promise<CasePageView> {
    return casePageView(
      await this.cases.list(
        { status: query.status, assignee: query.assignee },
        query.limit,
        query.cursor,
      ),
    );
  }

  @Get(':caseId')
  @ApiOperation({
    summary: 'One case with its alerts, notes, attachment references and status history.',
    description:
      'A viewer reads the case but sees no alerts: `alerts` is empty and `alertIds` names the alerts in the case (their contents need the analyst role, as on GET /alerts).',
  })
  @ApiParam(CASE_ID)
  @ApiOkResponse({ type: CaseDetailResponse, description: 'The case.' })
  @ApiErrorResponses({ notFound: 'No case has this id.' })
  async get(@Param('caseId') caseId: string, @Req() request: CaseRequest): Promise<CaseDetailView> {
    return this.detailFor(caseId, request);
  }

  @Patch(':caseId')
  @MinimumRole('analyst')
  @RequiresStepUp(whenReportingOrClosingCase)
  @ApiOperation({
    summary:
      "Change the title, the assignee (an empty string takes it off) or the status: open → investigating → escalated → reported → closed; closed needs closeReason; closed reopens to investigating. Moving to reported or closed needs a step-up (X-Step-Up-Token). Closing as false-positive or reported also closes the case's alerts still open the same way (closed-false-positive, closed-reported), each with a status change naming the case; reopening the case does not reopen them.",
  })
  @ApiParam(CASE_ID)
  @ApiBody({
    type: UpdateCaseBodyDto,
    examples: {
      assign: { summary: 'Assign', value: { assignee: 'user:bob' } },
      investigate: {
        summary: 'Start investigating',
        value: { status: 'investigating', note: 'Calling the customer.' },
      },
      close: {
        summary: 'Close (needs a step-up)',
        value: {
          status: 'closed',
          closeReason: 'false-positive',
          note: 'Deposits match the documented sale of a car.',
        },
      },
      reopen: { summary: 'Reopen', value: { status: 'investigating', note: 'New deposits.' } },
    },
  })
  @ApiOkResponse({ type: CaseDetailResponse, description: 'The case after the change.' })
  @ApiErrorResponses({
    badRequest:
      'Nothing to change, a bad field, closing without closeReason, or a closeReason without closing; details.problems names the field.',
    notFound: 'No case has this id.',
    forbidden: `The key does not have the analyst role. ${STEP_UP_REQUIRED_ANSWER} (Only when reporting or closing.)`,
    conflict:
      'The move is not allowed from the current status (the message names from, to and the allowed next states), a reopened case holds an alert now in another open case, or the title or assignee of a closed case is changed without reopening it (status investigating).',
    payloadTooLarge: true,
  })
  async update(
    @Param('caseId') caseId: string,
    @Body() body: UpdateCaseBodyDto,
    @Req() request: CaseRequest,
  ): Promise<CaseDetailView> {
    if (
      body.title === undefined &&
      body.assignee === undefined &&
      body.status === undefined &&
      body.closeReason === undefined
    ) {
      throw new InvalidInputError('Nothing to change: give title, assignee or status', [
        { field: 'status', rule: 'one of title, assignee or status is required' },
      ]);
    }
    const before = await this.cases.get(caseId);
    const after = await this.cases.update(
      caseId,
      { ...body, ...(body.assignee === '' ? { assignee: null } : {}) },
      actorOf(request),
    );
    request.auditNote = changeNote(before, body, after);
    return this.detailFor(caseId, request);
  }

  @Post(':caseId/alerts')
  @MinimumRole('analyst')
  @ApiOperation({
    summary:
      'Add alerts to a case under way (each alert may be in one open case only); a reported or closed case keeps its alerts.',
  })
  @ApiParam(CASE_ID)
  @ApiBody({
    type: CaseAlertsBodyDto,
    examples: { one: { value: { alertIds: ['alert:aml.fan-out:9b1c2d3e'] } } },
  })
  @ApiCreatedResponse({ type: CaseDetailResponse, description: 'The case with the alerts.' })
  @ApiErrorResponses({
    badRequest: 'alertIds is not a non-empty list of strings.',
    notFound: 'No case has this id, or an alert id is unknown (the message names it).',
    conflict:
      'An alert is already in another open case (the message names it), or the case is reported (its alerts are the ones filed) or closed; the message names the status and the way to reopen.',
    payloadTooLarge: true,
  })
  async addAlerts(
    @Param('caseId') caseId: string,
    @Body() body: CaseAlertsBodyDto,
    @Req() request: CaseRequest,
  ): Promise<CaseDetailView> {
    await this.cases.addAlerts(caseId, body.alertIds);
    request.auditNote = `alerts added: ${body.alertIds.join(', ')}`;
    return this.detailFor(caseId, request);
  }

  @Delete(':caseId/alerts/:alertId')
  @MinimumRole('analyst')
  @ApiOperation({
    summary: 'Take an alert out of a case under way (not a reported or closed one).',
  })
  @ApiParam(CASE_ID)
  @ApiParam({ name: 'alertId', description: 'The alert to take out (URL-encode it).' })
  @ApiOkResponse({ type: CaseDetailResponse, description: 'The case without the alert.' })
  @ApiErrorResponses({
    notFound: 'No case has this id, or the alert is not in the case.',
    conflict:
      'The case is reported (its alerts are the ones filed) or closed; the message names the status and the way to reopen.',
  })
  async removeAlert(
    @Param('caseId') caseId: string,
    @Param('alertId') alertId: string,
    @Req() request: CaseRequest,
  ): Promise<CaseDetailView> {
    await this.cases.removeAlert(caseId, alertId);
    request.auditNote = `alert removed: ${alertId}`;
    return this.detailFor(caseId, request);
  }

  @Post(':caseId/notes')
  @MinimumRole('analyst')
  @ApiOperation({
    summary:
      'Add a note to a case, with optional references to attachments kept elsewhere (name, uri or reference, sha256). A closed case takes no notes: reopen it (status investigating) first.',
  })
  @ApiParam(CASE_ID)
  @ApiBody({
    type: AddCaseNoteBodyDto,
    examples: {
      text: { summary: 'A note', value: { text: 'Customer called back; explanation pending.' } },
      withAttachment: {
        summary: 'A note with an attachment reference',
        value: {
          text: 'Invoice received.',
          attachments: [
            {
              name: 'invoice-2024-117.pdf',
              uri: 'https://dms.example.org/docs/117',
              sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
            },
          ],
        },
      },
    },
  })
  @ApiCreatedResponse({ type: CaseDetailResponse, description: 'The case with the note.' })
  @ApiErrorResponses({
    badRequest:
      'text empty or too long, or an attachment without name, without uri or reference, or with a bad sha256.',
    notFound: 'No case has this id.',
    conflict: 'The case is closed; reopen it (status investigating) first.',
    payloadTooLarge: true,
  })
  async addNote(
    @Param('caseId') caseId: string,
    @Body() body: AddCaseNoteBodyDto,
    @Req() request: CaseRequest,
  ): Promise<CaseDetailView> {
    const record = await this.cases.addNote(caseId, body, actorOf(request));
    const note = record.notes[record.notes.length - 1];
    request.auditNote = `note ${note?.noteId ?? ''} added with ${body.attachments?.length ?? 0} attachment reference(s)`;
    return this.detailFor(caseId, request);
  }

  @Get(':caseId/report')
  @MinimumRole('analyst')
  @RequiresStepUp()
  @ApiOperation({
    summary:
      'Download the report of a case: html (a printable page, inline CSS, no script) or json (the same content): summary, alerts with their explanation and evidence movements (named parties, amounts in major units and in the base currency), notes with attachment references, status history, when and by whom it was generated. Needs a step-up (X-Step-Up-Token).',
  })
  @ApiParam(CASE_ID)
  @ApiOkResponse({
    description: 'A file download (Content-Disposition: attachment).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(InvestigationReportResponse) } },
      ...textContent('text/html', 'The same report as one self-contained, printable HTML page.'),
    },
  })
  @ApiErrorResponses({
    notFound: 'No case has this id.',
    badRequest: 'format is not html or json.',
    forbidden: `The key does not have the analyst role. ${STEP_UP_REQUIRED_ANSWER}`,
  })
  async report(
    @Param('caseId') caseId: string,
    @Query() query: ReportFormatQueryDto,
    @Req() request: CaseRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { record, alerts } = await this.cases.detail(caseId);
    const details: AlertDetailView[] = [];
    for (const alert of alerts) details.push(await this.alertDetail(alert.alertId));
    const report = caseReport(record, details, { at: this.clock.now(), by: actorOf(request) });
    request.auditNote = `report of case ${caseId} (${query.format ?? 'html'})`;
    return reportDownload(response, report, caseId, query.format);
  }

  /** The case as the caller may see it: alert contents only for analysts and admins. */
  private async detailFor(caseId: string, request: CaseRequest): Promise<CaseDetailView> {
    return caseDetailView(await this.cases.detail(caseId), seesAlerts(request));
  }

  /** An alert with named parties, amounts in major units and ISO times (as GET /alerts/{id}). */
  private async alertDetail(alertId: string): Promise<AlertDetailView> {
    const detail = await this.alerts.detail(alertId);
    return alertDetailView(detail, await this.parties.accounts(accountsOf(detail)), this.money);
  }
}

/** What a PATCH changed, for the audit trail (the status move, and which fields, old -> new). */
function changeNote(before: CaseRecord, body: UpdateCaseBodyDto, after: CaseRecord): string {
  const parts: string[] = [];
  if (body.status !== undefined) {
    parts.push(
      `status ${before.status} -> ${after.status}${body.closeReason === undefined ? '' : ` (${body.closeReason})`}`,
    );
  }
  const alertsClosedAs =
    body.closeReason === undefined ? undefined : ALERT_STATUS_WHEN_CASE_CLOSES[body.closeReason];
  if (before.status !== 'closed' && after.status === 'closed' && alertsClosedAs !== undefined) {
    parts.push(`its open alerts closed as ${alertsClosedAs}`);
  }
  if (body.assignee !== undefined) parts.push(`assignee ${body.assignee || '(none)'}`);
  if (body.title !== undefined) {
    parts.push(`title ${JSON.stringify(before.title)} -> ${JSON.stringify(after.title)}`);
  }
  return parts.join('; ');
}
