import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

/** A current 6-digit code of the authenticator app (or, for step-up, an unused backup code). */
export class TotpCodeBodyDto {
  @ApiProperty({
    example: '492039',
    description:
      'The 6-digit code your authenticator app shows now, or a backup code (abcde-12345).',
  })
  @IsString()
  @Matches(/^(\d{6}|[0-9a-f]{5}-[0-9a-f]{5})$/, {
    message: 'code must be 6 digits, or a backup code such as abcde-12345',
  })
  code!: string;
}
