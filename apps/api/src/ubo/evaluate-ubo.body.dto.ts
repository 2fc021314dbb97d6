import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { objectMessage } from '../common/strict-input.decorators';
import { UboOptionsDto } from './get-ubo.query.dto';

/** Body of POST /api/v1/ubo/evaluate: BODS 0.4 statements evaluated without being stored. */
export class EvaluateUboBodyDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'BODS 0.4 statements (recordType person | entity | relationship); later statements of a recordId replace earlier ones.',
  })
  @IsArray({ message: 'statements must be an array of BODS statements' })
  @ArrayMinSize(1, { message: 'statements must hold at least one statement' })
  @ArrayMaxSize(50000, { message: 'statements must hold at most 50000 statements' })
  @IsObject({ each: true, message: 'each statement must be a JSON object' })
  statements!: Record<string, unknown>[];

  @ApiPropertyOptional({
    description:
      'recordId or statementId of the target entity; default: the single root of the statements.',
  })
  @IsOptional()
  @IsString({ message: 'companyId must be a string' })
  @MaxLength(200, { message: 'companyId must be at most 200 characters' })
  companyId?: string;

  @ApiPropertyOptional({ type: () => UboOptionsDto })
  @IsOptional()
  @IsObject({ message: objectMessage })
  @ValidateNested()
  @Type(() => UboOptionsDto)
  options?: UboOptionsDto;
}
