import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ALERT_STATUSES } from '@app/vocabulary';
import type { AlertStatus } from '@app/vocabulary';

export class UpdateAlertBodyDto {
  /** The new status; allowed changes depend on the current one (e.g. closed alerts can be reopened). */
  @ApiProperty({ enum: ALERT_STATUSES, example: 'investigating' })
  @IsIn(ALERT_STATUSES)
  status!: AlertStatus;

  /** Why: kept in the alert's status history. */
  @ApiProperty({ example: 'Branch CCTV requested' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note!: string;
}
