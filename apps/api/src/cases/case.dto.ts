import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CASE_CLOSE_REASONS, CASE_STATUSES } from '@app/vocabulary';
import type { CaseCloseReason, CaseStatus } from '@app/vocabulary';
import {
  HasNoControlCharacters,
  IsNotBlank,
  objectsMessage,
  QueryNumber,
} from '../common/strict-input.decorators';

/*
 * Bodies and queries of the case routes (cases.controller.ts).
 */

const MAX_ALERTS = 500;

export class CreateCaseBodyDto {
  /** A short name for the investigation. */
  @ApiProperty({ example: 'Cash structuring around account 3080006234', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  title!: string;

  /** What the case is about. */
  @ApiPropertyOptional({ example: 'Deposits just under the reporting threshold, 3 branches.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  @HasNoControlCharacters()
  description?: string;

  /** Alerts to gather into the case (each may be in one open case only). */
  @ApiPropertyOptional({
    type: [String],
    example: ['alert:aml.structuring:3f2a9c1e'],
    maxItems: MAX_ALERTS,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ALERTS)
  @IsString({ each: true })
  alertIds?: string[];

  /** Who works the case (a principal id or a name the team uses). */
  @ApiPropertyOptional({ example: 'user:alice', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  assignee?: string;
}

export class UpdateCaseBodyDto {
  @ApiPropertyOptional({ example: 'Structuring ring, 3 branches', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  title?: string;

  /** The new assignee, or an empty string to take the case off its assignee. */
  @ApiPropertyOptional({ example: 'user:bob', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  assignee?: string;

  /**
   * The next status: open → investigating → escalated → reported → closed; closed needs
   * closeReason; a closed case reopens to investigating. Moving to reported or closed needs a
   * step-up (X-Step-Up-Token).
   */
  @ApiPropertyOptional({ enum: CASE_STATUSES, enumName: 'CaseStatus', example: 'investigating' })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  /** Why the case is closed; required with status closed, refused otherwise. */
  @ApiPropertyOptional({ enum: CASE_CLOSE_REASONS, enumName: 'CaseCloseReason' })
  @IsOptional()
  @IsIn(CASE_CLOSE_REASONS)
  closeReason?: CaseCloseReason;

  /** Why the status changes, kept in the case's status history. */
  @ApiPropertyOptional({ example: 'Customer could not explain the deposits.', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @IsNotBlank()
  @HasNoControlCharacters()
  note?: string;
}

export class ListCasesQueryDto {
  @ApiPropertyOptional({ enum: CASE_STATUSES, enumName: 'CaseStatus' })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  /** Only cases of this assignee. */
  @ApiPropertyOptional({ example: 'user:alice' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  assignee?: string;

  /** nextCursor of the previous page. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  cursor?: string;

  /** Page size. */
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @QueryNumber()
  @Min(1)
  @Max(500)
  limit: number = 50;
}

export class CaseAlertsBodyDto {
  /** Alerts to add (each may be in one open case only); alerts already in the case are kept. */
  @ApiProperty({ type: [String], example: ['alert:aml.fan-out:9b1c2d3e'], maxItems: MAX_ALERTS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALERTS)
  @IsString({ each: true })
  alertIds!: string[];
}

export class AttachmentRefDto {
  @ApiProperty({ example: 'invoice-2024-117.pdf', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  name!: string;

  /** Where the file is (a URI); give uri or reference. */
  @ApiPropertyOptional({ example: 'https://dms.example.org/docs/117', maxLength: 2000 })
  @ValidateIf((ref: AttachmentRefDto) => ref.uri !== undefined || ref.reference === undefined)
  @IsDefined({ message: 'uri is required when there is no reference: give uri or reference' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @IsNotBlank()
  @HasNoControlCharacters()
  uri?: string;

  /** An identifier in another system (a ticket or document number); give uri or reference. */
  @ApiPropertyOptional({ example: 'DMS-117', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  reference?: string;

  @ApiPropertyOptional({
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: 'SHA-256 of the file, 64 lowercase hex digits.',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex digits' })
  sha256?: string;
}

export class AddCaseNoteBodyDto {
  @ApiProperty({ example: 'Customer says the cash is from a car sale; invoice requested.' })
  @IsString()
  @MinLength(1)
  @MaxLength(10_000)
  @IsNotBlank()
  @HasNoControlCharacters()
  text!: string;

  @ApiPropertyOptional({ type: [AttachmentRefDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true, message: objectsMessage })
  @ValidateNested({ each: true })
  @Type(() => AttachmentRefDto)
  attachments?: AttachmentRefDto[];
}
