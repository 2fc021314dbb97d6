import { ApiProperty } from '@nestjs/swagger';
import { FLAG_ROLES, SEVERITIES } from '@app/vocabulary';

export class ScoredPartyDto {
  @ApiProperty({ example: 'account:SYNB:3080006234' })
  uid!: string;

  @ApiProperty({ enum: FLAG_ROLES, example: 'subject' })
  role!: string;
}

export class RiskReasonDto {
  @ApiProperty({ example: 'receiverInDistinct7d' })
  feature!: string;

  @ApiProperty({ example: 1.42, description: "How much it raised the model's log-odds." })
  effect!: number;

  @ApiProperty({ example: '9 distinct accounts paid the beneficiary in the 7 days before' })
  text!: string;
}

/** The learned model's view of a movement (only when RISK_MODEL_FILE names a model). */
export class RiskDto {
  @ApiProperty({ example: 'risk-0d4c2379d300' })
  modelVersion!: string;

  @ApiProperty({ example: 0.91, minimum: 0, maximum: 1 })
  score!: number;

  @ApiProperty({
    example: 0.07,
    description: 'At or above it the model calls the movement suspicious.',
  })
  threshold!: number;

  @ApiProperty({ type: [RiskReasonDto], description: 'The features that raised the score most.' })
  reasons!: RiskReasonDto[];
}

/** An alert the scored activity raised (or grew): the same rule and explanation as a batch scan. */
export class ScoredAlertDto {
  @ApiProperty({ example: 'alert:aml.structuring:3f2a9c…' })
  alertId!: string;

  @ApiProperty({ example: 'aml.structuring' })
  ruleId!: string;

  @ApiProperty({ example: '2.1.0' })
  ruleVersion!: string;

  @ApiProperty({ example: 'structuring' })
  typology!: string;

  @ApiProperty({ example: 0.82, minimum: 0, maximum: 1 })
  score!: number;

  @ApiProperty({ enum: SEVERITIES, example: 'high' })
  severity!: string;

  @ApiProperty({
    example:
      'Account account:SYNB:3080006234 made 4 cash deposits of 9000.00 to 9999.99 USD within 3 days…',
  })
  explanation!: string;

  @ApiProperty({ example: 'account:SYNB:3080006234', description: 'What the alert is about.' })
  subject!: string;

  @ApiProperty({ example: '2025-01-03T09:00:00.000Z' })
  windowStart!: string;

  @ApiProperty({ example: '2025-01-06T10:15:00.000Z' })
  windowEnd!: string;

  @ApiProperty({
    type: [String],
    description:
      'Evidence movements, in time order: the latest 50 at most (see movementCount). GET /api/v1/alerts/{alertId} lists them all for a recorded activity.',
  })
  movementIds!: string[];

  @ApiProperty({ example: 4, description: 'How many evidence movements the alert has in all.' })
  movementCount!: number;

  @ApiProperty({
    type: [String],
    description: 'Evidence account events, in time order: the latest 50 at most (see eventCount).',
  })
  eventIds!: string[];

  @ApiProperty({
    example: 0,
    description: 'How many evidence account events the alert has in all.',
  })
  eventCount!: number;

  @ApiProperty({ type: [ScoredPartyDto] })
  parties!: ScoredPartyDto[];

  @ApiProperty({
    type: RiskDto,
    required: false,
    description: "The learned model's score of the movement that raised it (with a model only).",
  })
  risk?: RiskDto;
}

export class ScoreResultDto {
  @ApiProperty({ example: 'mv:core:2025-000123', description: 'The movement or event id.' })
  id!: string;

  @ApiProperty({
    enum: ['alert', 'pass'],
    description: 'alert: at least one rule fired on this activity; pass: none did.',
  })
  decision!: 'alert' | 'pass';

  @ApiProperty({ example: 20, description: 'Rules evaluated per activity (all per-event rules).' })
  evaluatedRules!: number;

  @ApiProperty({ description: 'Whether the activity was written to the store and kept.' })
  recorded!: boolean;

  @ApiProperty({ type: [ScoredAlertDto] })
  alerts!: ScoredAlertDto[];

  @ApiProperty({
    type: RiskDto,
    required: false,
    description:
      "The learned risk model's score of a movement and its top reasons; present only when RISK_MODEL_FILE names a model.",
  })
  risk?: RiskDto;
}

export class ScoreBatchResultDto {
  @ApiProperty({ type: [ScoreResultDto], description: 'One result per item, in the order sent.' })
  results!: ScoreResultDto[];
}
