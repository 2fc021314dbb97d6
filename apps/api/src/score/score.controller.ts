import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AccountEvent, Activity, DetectedAlert } from '@app/detectors';
import {
  ForbiddenError,
  InvalidInputError,
  movementEdge,
  toMinorUnits,
  validateEdge,
  validateVertex,
} from '@app/vocabulary';
import type { FieldProblem, GraphVertex, Movement } from '@app/vocabulary';
import type { RequestWithPrincipal } from '../auth/principal';
import { MinimumRole } from '../auth/roles.decorator';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { MAX_CLOCK_SKEW_TEXT } from './activity-time';
import { RealTimeScoringService } from './real-time-scoring.service';
import type { ScoreItem, ScoreOutcome } from './real-time-scoring.service';
import {
  AccountEventInputDto,
  ScoreEventBodyDto,
  ScoreEventsBodyDto,
} from './score-event.body.dto';
import {
  MovementInputDto,
  ScoreMovementBodyDto,
  ScoreMovementsBodyDto,
} from './score-movement.body.dto';
import { ScoreBatchResultDto, ScoredAlertDto, ScoreResultDto } from './score-result.dto';

const MOVEMENT_EXAMPLE = {
  movementId: 'mv:core:2025-000123',
  fromAccount: 'cash:SYNB:branch-7',
  toAccount: 'account:SYNB:3080006234',
  amount: '9500.00',
  currency: 'USD',
  timestamp: '2025-01-06T10:15:00Z',
  channel: 'cash',
};

const EVENT_EXAMPLE = {
  eventId: 'event:core:login-88412',
  accountId: 'account:SYNB:3080006234',
  kind: 'login',
  timestamp: '2025-01-06T10:14:00Z',
  country: 'US',
  identifierUid: 'ip:203.0.113.7',
};

/**
 * The error answers particular to the scoring routes (the controller adds the ones of every
 * protected route: 401, 429...). Decorates a method with all of them.
 */
function ScoreErrors(): MethodDecorator {
  return ApiErrorResponses({
    badRequest: `A field is missing or wrong (each problem names the field and the rule), an unknown field was sent, an account is not in the store, a batch is not in time order, or a timestamp is more than ${MAX_CLOCK_SKEW_TEXT} ahead of the server's clock (the clock skew allowed between systems).`,
    forbidden: 'Scoring needs the analyst role; record: true needs admin.',
    conflict:
      'The activity is not after the latest one the real-time engine has read (it takes activities in time order; details.problems names the timestamp field); score history with POST /api/v1/alerts/scan.',
    payloadTooLarge: 'The body is over BODY_LIMIT.',
    serviceUnavailable: 'The store is unreachable, or too many scoring requests are waiting.',
  });
}

function fieldOf(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** Decimal text to minor units; problems are collected for one 400 naming every field. */
function minorOf(
  amount: string,
  currency: string,
  field: string,
  problems: FieldProblem[],
): number {
  try {
    const minor = toMinorUnits(amount, currency);
    if (minor < 1) problems.push({ field, rule: 'must be greater than zero' });
    return minor;
  } catch (error) {
    problems.push({
      field,
      rule: error instanceof RangeError ? error.message : 'must be a decimal amount',
    });
    return 0;
  }
}

function movementOf(dto: MovementInputDto, prefix: string, problems: FieldProblem[]): Movement {
  const movement: Movement = {
    movementId: dto.movementId,
    fromAccount: dto.fromAccount,
    toAccount: dto.toAccount,
    amountMinor: minorOf(dto.amount, dto.currency, fieldOf(prefix, 'amount'), problems),
    currency: dto.currency,
    timestamp: Date.parse(dto.timestamp),
    channel: dto.channel,
  };
  if (dto.receivedAmount !== undefined) {
    // The amount received is in receivedCurrency, or in currency when that is left out.
    movement.receivedCurrency = dto.receivedCurrency ?? dto.currency;
    movement.receivedAmountMinor = minorOf(
      dto.receivedAmount,
      movement.receivedCurrency,
      fieldOf(prefix, 'receivedAmount'),
      problems,
    );
  } else if (dto.receivedCurrency !== undefined) {
    problems.push({
      field: fieldOf(prefix, 'receivedAmount'),
      rule: 'is required with receivedCurrency',
    });
  }
  if (dto.identifierUid !== undefined) movement.identifierUid = dto.identifierUid;
  if (dto.country !== undefined) movement.country = dto.country;
  if (dto.latitude !== undefined) movement.latitude = dto.latitude;
  if (dto.longitude !== undefined) movement.longitude = dto.longitude;
  if (dto.reference !== undefined) movement.reference = dto.reference;
  if (problems.length === 0) problems.push(...vocabularyProblems(movement, prefix));
  return movement;
}

/** Request fields by the graph's property names, where they differ. */
const REQUEST_FIELD: Readonly<Record<string, string>> = {
  eid: 'movementId',
  from: 'fromAccount',
  to: 'toAccount',
  uid: 'eventId',
  'props.amountMinor': 'amount',
  'props.receivedAmountMinor': 'receivedAmount',
};

/**
 * What the graph's vocabulary refuses in a movement or an event (a currency not in use, a name
 * with control characters, a latitude without its longitude), named by the request's fields:
 * a scored activity is held to the rules of a stored one, with or without `record`.
 */
function vocabularyProblems(activity: Movement | AccountEvent, prefix: string): FieldProblem[] {
  const found =
    'movementId' in activity
      ? validateEdge(movementEdge(activity))
      : validateVertex(eventVertexOf(activity));
  return found.map(({ field, rule }) => ({
    field: fieldOf(prefix, REQUEST_FIELD[field] ?? field.replace(/^props\./, '')),
    rule,
  }));
}

function eventVertexOf({ eventId, accountId: _account, ...props }: AccountEvent): GraphVertex {
  return { label: 'Event', uid: eventId, props };
}

/** The id form of each recorded kind: what a bank import stores for the bank's own id. */
const RECORDED_ID_FORMS = {
  movement: { field: 'movementId', prefix: 'mv', example: 'mv:core:2025-000123' },
  event: { field: 'eventId', prefix: 'event', example: 'event:core:login-88412' },
} as const;

/**
 * A recorded movement or event is stored under its id as sent. A bank import stores the bank's
 * `movement_id` X of bank B as `mv:B:X` (an event's `event_id` as `event:B:X`), and so does the
 * stream's producer side by convention; a recorded `X` would be a second copy of the movement
 * once the day's file brings it, counted twice by every rule. So a recorded id must have that
 * form: prefix, source (the bank id) and key, none empty.
 */
function recordedIdProblems(items: readonly ScoreItem[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const { activity, field } of items) {
    const form = RECORDED_ID_FORMS[activity.type];
    const id = activity.type === 'movement' ? activity.movement.movementId : activity.event.eventId;
    const [prefix, source, ...key] = id.split(':');
    if (prefix === form.prefix && source !== undefined && source !== '' && key.join(':') !== '')
      continue;
    problems.push({
      field: field === '' ? form.field : `${field}.${form.field}`,
      rule: `must be written ${form.prefix}:<bankId>:<id> to be recorded (e.g. ${form.example}), the id a bank import gives the bank's own ${form.field === 'movementId' ? 'movement_id' : 'event_id'}, so that the same ${activity.type} in a later import is stored once (was "${id}")`,
    });
  }
  return problems;
}

function eventItem(dto: AccountEventInputDto, field: string): ScoreItem {
  const { eventId, accountId, kind, timestamp, country, latitude, longitude, identifierUid } = dto;
  const event = {
    eventId,
    accountId,
    kind,
    timestamp: Date.parse(timestamp),
    ...(country === undefined ? {} : { country }),
    ...(latitude === undefined ? {} : { latitude }),
    ...(longitude === undefined ? {} : { longitude }),
    ...(identifierUid === undefined ? {} : { identifierUid }),
  };
  const problems = vocabularyProblems(event, field);
  if (problems.length > 0) {
    throw new InvalidInputError(
      `The request is invalid: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      problems,
    );
  }
  return { activity: { type: 'event', event }, field };
}

function movementItems(
  dtos: readonly MovementInputDto[],
  field: (index: number) => string,
): ScoreItem[] {
  const problems: FieldProblem[] = [];
  const firstOf = new Map<string, number>();
  const items = dtos.map((dto, index): ScoreItem => {
    const activity: Activity = {
      type: 'movement',
      movement: movementOf(dto, field(index), problems),
    };
    const first = firstOf.get(dto.movementId);
    if (first === undefined) firstOf.set(dto.movementId, index);
    else
      problems.push({
        field: `${field(index)}.movementId`,
        rule: `must differ from ${field(first)}.movementId: the movements of a request are distinct`,
      });
    return { activity, field: field(index) };
  });
  if (problems.length > 0) {
    throw new InvalidInputError(
      `The request is invalid: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      problems,
    );
  }
  return items;
}

/**
 * Evidence ids an answer lists per alert: a pattern that grows with every movement of a batch
 * (a fan with hundreds of legs) would otherwise repeat its whole evidence in each result, and
 * the answer grow with the square of the batch (outside load review: 6.1 MB for a 94 KB batch).
 */
const EVIDENCE_IDS = 50;

const latestIds = (ids: readonly string[]): string[] => ids.slice(-EVIDENCE_IDS);

function alertView(alert: DetectedAlert): ScoredAlertDto {
  const events = alert.events ?? [];
  return {
    alertId: alert.alertId,
    ruleId: alert.ruleId,
    ruleVersion: alert.ruleVersion,
    typology: alert.typology,
    score: alert.score,
    severity: alert.severity,
    explanation: alert.explanation,
    subject: alert.subject,
    windowStart: new Date(alert.windowStart).toISOString(),
    windowEnd: new Date(alert.windowEnd).toISOString(),
    movementIds: latestIds(alert.movements.map((m) => m.movementId)),
    movementCount: alert.movements.length,
    eventIds: latestIds(events.map((e) => e.eventId)),
    eventCount: events.length,
    parties: alert.parties.map((p) => ({ uid: p.uid, role: p.role })),
    ...(alert.risk ? { risk: alert.risk } : {}),
  };
}

function resultsOf(outcome: ScoreOutcome): ScoreResultDto[] {
  return outcome.results.map((result) => ({
    id: result.id,
    decision: result.alerts.length > 0 ? 'alert' : 'pass',
    evaluatedRules: outcome.evaluatedRules,
    recorded: outcome.recorded,
    alerts: result.alerts.map(alertView),
    ...(result.risk ? { risk: result.risk } : {}),
  }));
}

/**
 * Real-time decisions: a movement or account event scored by the per-event rules against the
 * current state, answered with the alerts it raises. Thin HTTP layer over
 * RealTimeScoringService.
 */
@ApiTags('score')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@MinimumRole('analyst')
@Controller(`${API_V1}/score`)
export class ScoreController {
  constructor(private readonly scoring: RealTimeScoringService) {}

  @Post('movement')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Score one money movement against the current state: the alerts it would raise (or raises, with record: true) and a decision.',
    description: `Amounts are decimal text in major units of the currency ("9500.00"). Movements must come in time order, and no more than ${MAX_CLOCK_SKEW_TEXT} ahead of the server's clock. Without record (the default) nothing is stored and the rules keep no trace of the movement; record: true (admin) writes it to the store, keeps it in the rules' windows and saves the alerts.`,
  })
  @ApiBody({ type: ScoreMovementBodyDto, examples: { cash: { value: MOVEMENT_EXAMPLE } } })
  @ApiOkResponse({ type: ScoreResultDto, description: 'The decision and the alerts raised.' })
  @ScoreErrors()
  async movement(
    @Body() body: ScoreMovementBodyDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<ScoreResultDto> {
    const record = this.mayRecord(body.record, request);
    const { record: _record, ...movement } = body;
    return (
      await this.scoreItems(
        movementItems([movement], () => ''),
        record,
      )
    )[0];
  }

  @Post('movements')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Score up to 500 movements in time order as one sequence (each sees the ones before it); one result per movement, in order.',
  })
  @ApiBody({
    type: ScoreMovementsBodyDto,
    examples: {
      two: {
        value: {
          movements: [
            MOVEMENT_EXAMPLE,
            {
              ...MOVEMENT_EXAMPLE,
              movementId: 'mv:core:2025-000124',
              timestamp: '2025-01-06T15:40:00Z',
            },
          ],
        },
      },
    },
  })
  @ApiOkResponse({
    type: ScoreBatchResultDto,
    description: 'One decision per item, in the order sent.',
  })
  @ScoreErrors()
  async movements(
    @Body() body: ScoreMovementsBodyDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<ScoreBatchResultDto> {
    const record = this.mayRecord(body.record, request);
    const items = movementItems(body.movements, (index) => `movements.${index}`);
    return { results: await this.scoreItems(items, record) };
  }

  @Post('event')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Score one account event (login, credential, contact or device change) against the current state.',
  })
  @ApiBody({ type: ScoreEventBodyDto, examples: { login: { value: EVENT_EXAMPLE } } })
  @ApiOkResponse({ type: ScoreResultDto, description: 'The decision and the alerts raised.' })
  @ScoreErrors()
  async event(
    @Body() body: ScoreEventBodyDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<ScoreResultDto> {
    const record = this.mayRecord(body.record, request);
    const { record: _record, ...event } = body;
    return (await this.scoreItems([eventItem(event, '')], record))[0];
  }

  @Post('events')
  @HttpCode(200)
  @ApiOperation({ summary: 'Score up to 500 account events in time order as one sequence.' })
  @ApiBody({ type: ScoreEventsBodyDto, examples: { one: { value: { events: [EVENT_EXAMPLE] } } } })
  @ApiOkResponse({
    type: ScoreBatchResultDto,
    description: 'One decision per item, in the order sent.',
  })
  @ScoreErrors()
  async events(
    @Body() body: ScoreEventsBodyDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<ScoreBatchResultDto> {
    const record = this.mayRecord(body.record, request);
    const items = body.events.map((event, index) => eventItem(event, `events.${index}`));
    return { results: await this.scoreItems(items, record) };
  }

  /** `score` with `record`; recorded ids are checked first (see `recordedIdProblems`). */
  private async scoreItems(items: ScoreItem[], record: boolean): Promise<ScoreResultDto[]> {
    if (record) {
      const problems = recordedIdProblems(items);
      if (problems.length > 0) {
        throw new InvalidInputError(
          `Nothing was recorded: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
          problems,
        );
      }
    }
    return resultsOf(await this.scoring.score(items, record));
  }

  /**
   * Recording writes to the store, as an import does: admin only. Scoring without record
   * changes nothing, so analysts may do it.
   */
  private mayRecord(record: boolean | undefined, request: RequestWithPrincipal): boolean {
    if (record !== true) return false;
    if (request.principal?.role !== 'admin') {
      throw new ForbiddenError(
        `record: true writes to the store and needs the admin role; your key has the ${request.principal?.role ?? 'no'} role. Send record: false (the default) to score only.`,
      );
    }
    return true;
  }
}
