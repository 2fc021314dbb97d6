import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class CreateImportQueryDto {
  /**
   * This bank's id, part of every business id written (`account:<bankId>:<account_id>`).
   * Import one bank always with the same id, so that a second import updates instead of
   * duplicating.
   */
  @ApiPropertyOptional({ example: 'bank', default: 'bank' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._@/+#-]{0,99}$/, {
    message:
      'must be 1-100 letters, digits or . _ @ + # / - (no colon), starting with a letter or digit',
  })
  bankId?: string;
}
