import {
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { EnvVar } from '../env-var.decorator';

/** Defaults of AML and fraud rules; each can be overridden per scan (namespace `detectors`). */
export class DetectorsSettings {
  @EnvVar({
    name: 'DETECTORS_CASH_REPORTING_THRESHOLD',
    kind: 'string',
    default: '10000.00',
    description: 'Cash reporting threshold (CTR, 31 CFR 1010.311) in major units, exact decimal.',
  })
  @Matches(/^\d+(\.\d{1,2})?$/, { message: 'must be a decimal amount such as 10000.00' })
  cashReportingThreshold!: string;

  @EnvVar({
    name: 'DETECTORS_STRUCTURING_BAND_PERCENT',
    kind: 'integer',
    default: '10',
    description: 'Cash within this percent below the threshold counts as structuring-suspect.',
  })
  @IsInt({ message: 'must be a whole percent' })
  @Min(1, { message: 'must be between 1 and 50' })
  @Max(50, { message: 'must be between 1 and 50' })
  structuringBandPercent!: number;

  @EnvVar({
    name: 'DETECTORS_FAN_MIN_COUNTERPARTIES',
    kind: 'integer',
    default: '5',
    description:
      'Fan-in/fan-out fires at this many distinct counterparties or more in the window (more than 4).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(2, { message: 'must be at least 2' })
  fanMinCounterparties!: number;

  @EnvVar({
    name: 'DETECTORS_WINDOW_DAYS',
    kind: 'integer',
    default: '30',
    description: 'Default look-back window of the rules in days.',
  })
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1, { message: 'must be at least 1 day' })
  windowDays!: number;

  @EnvVar({
    name: 'DETECTORS_DORMANT_DAYS',
    kind: 'integer',
    default: '360',
    description: 'Inactivity that makes an account dormant.',
  })
  @IsInt({ message: 'must be a whole number of days' })
  @Min(30, { message: 'must be at least 30 days' })
  dormantDays!: number;

  @EnvVar({
    name: 'DETECTORS_VELOCITY_PER_DAY',
    kind: 'integer',
    default: '100',
    description: 'Transactions per account per day that count as a velocity burst.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(2, { message: 'must be at least 2' })
  velocityPerDay!: number;

  @EnvVar({
    name: 'DETECTORS_CYCLE_MAX_LENGTH',
    kind: 'integer',
    default: '12',
    description: 'Longest money cycle searched (hops).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(2, { message: 'must be at least 2' })
  @Max(24, { message: 'must be at most 24' })
  cycleMaxLength!: number;

  @EnvVar({
    name: 'DETECTORS_CYCLE_MIN_RETAINED',
    kind: 'number',
    default: '0.5',
    description:
      'Smallest share of the first amount a cycle must bring back (hops may keep a margin).',
  })
  @IsNumber({}, { message: 'must be a number between 0 and 1' })
  @Min(0, { message: 'must be between 0 and 1' })
  @Max(1, { message: 'must be between 0 and 1' })
  cycleMinRetained!: number;

  @EnvVar({
    name: 'DETECTORS_RING_HUB_CAP',
    kind: 'integer',
    default: '10',
    description:
      'Identifiers shared by more accounts than this are ignored as hubs (public Wi-Fi, call centres). At most 1000: a ring search links every pair of accounts sharing an identifier, so its work grows with the square of this.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(2, { message: 'must be at least 2' })
  @Max(1000, {
    message:
      'must be at most 1000: an identifier used by more accounts is a hub, and a ring search links every pair of accounts sharing one (its work grows with the square of this)',
  })
  ringHubCap!: number;

  @EnvVar({
    name: 'DETECTORS_HIGH_RISK_JURISDICTIONS',
    kind: 'list',
    default: 'KP,IR,MM',
    description: 'ISO country codes treated as high-risk (FATF call for action, list dated below).',
  })
  @Matches(/^[A-Z]{2}$/, {
    each: true,
    message: 'each entry must be a two-letter ISO country code in capitals',
  })
  highRiskJurisdictions!: string[];

  @EnvVar({
    name: 'DETECTORS_HIGH_RISK_LIST_DATE',
    kind: 'string',
    default: '2025-10-24',
    description: 'Date of the high-risk jurisdiction list in use.',
  })
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date such as 2025-10-24' })
  highRiskListDate!: string;

  @EnvVar({
    name: 'DETECTORS_TIMEZONE',
    kind: 'string',
    default: 'UTC',
    description: 'Time zone that defines business days for cash aggregation.',
  })
  @IsString()
  timezone!: string;

  @EnvVar({
    name: 'DETECTORS_PARAMETERS_FILE',
    kind: 'string',
    description:
      "Rule parameters file written by `seeder tune`; its values replace the rules' defaults (a scan's own parameters still win). Unset = defaults. A missing or invalid file stops the start.",
  })
  @IsOptional()
  @IsString()
  parametersFile?: string;
}
