import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { REPORT_FORMATS } from './case-report';
import type { ReportFormat } from './case-report';

/** `?format=` of the report endpoints (GET /cases/{id}/report, GET /alerts/{id}/report). */
export class ReportFormatQueryDto {
  /** html (a printable page) or json (the same content as data). */
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'html' })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `format must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: ReportFormat;
}
