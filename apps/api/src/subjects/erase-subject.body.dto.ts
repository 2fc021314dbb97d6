import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { HasNoControlCharacters, IsNotBlank } from '../common/strict-input.decorators';

/** The shortest reason accepted: a few words a reviewer can follow up, not "x". */
export const ERASURE_REASON_MIN_LENGTH = 10;

export class EraseSubjectBodyDto {
  /**
   * Why the person's data is erased (e.g. the ticket of their request). Stored in the audit
   * trail with who erased and when; write no personal data into it.
   */
  @ApiProperty({ example: 'Art. 17 request, ticket DPO-2025-0173', minLength: 10 })
  @IsString()
  @MinLength(ERASURE_REASON_MIN_LENGTH)
  @MaxLength(1000)
  @IsNotBlank()
  @HasNoControlCharacters()
  reason!: string;

  /** The legal ground relied on, if the bank records one (e.g. "GDPR Art. 17(1)(a)"). */
  @ApiPropertyOptional({ example: 'GDPR Art. 17(1)(a)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  legalBasis?: string;
}
