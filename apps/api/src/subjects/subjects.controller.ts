import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequestWithAuditNote } from '../audit/audit-log';
import { MinimumRole } from '../auth/roles.decorator';
import { RequiresStepUp } from '../auth/step-up.decorator';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';
import { EraseSubjectBodyDto } from './erase-subject.body.dto';
import { ErasureResult, SubjectExport, SubjectsService } from './subjects.service';

/** The audit note of an erasure: the action, its reason and legal basis, and what it changed. */
export function erasureNote(body: EraseSubjectBodyDto, result?: ErasureResult): string {
  const parts = [
    'subject erasure',
    `reason: ${body.reason}`,
    ...(body.legalBasis === undefined ? [] : [`legal basis: ${body.legalBasis}`]),
  ];
  if (result !== undefined) {
    parts.push(
      result.changed
        ? `done: name pseudonymised, fields removed [${result.removedFields.join(', ')}], ` +
            `${result.pseudonymisedIdentifiers.length} identifiers pseudonymised, ` +
            `${result.sharedIdentifiersKept.length} shared ones kept`
        : 'done: nothing left to erase (erased before)',
    );
  }
  return parts.join('; ');
}

/**
 * Data subject rights (GDPR Art. 15 and 17) for a Person, within AML retention: everything held
 * about them, and erasure by pseudonymisation. Admins only; both are audited (the erasure with
 * its reason).
 */
@ApiTags('subjects')
@ApiSecurity('api-key')
@MinimumRole('admin')
@Controller(`${API_V1}/subjects`)
export class SubjectsController {
  constructor(private readonly subjects: SubjectsService) {}

  @RequiresStepUp()
  @Get(':personId/export')
  @ApiOperation({
    summary:
      'Everything held about a person (admin only): the Person, accounts held, identifiers, movements, alerts, ownership and audit entries.',
  })
  @ApiNotFoundResponse({ type: ErrorBody })
  export(@Param('personId') personId: string): Promise<SubjectExport> {
    return this.subjects.export(personId);
  }

  @RequiresStepUp()
  @Post(':personId/erase')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Erases a person by pseudonymisation (admin only): name, birth date, nationality, residence and contact identifiers; keeps what AML law retains. Idempotent; audited with its reason.',
  })
  @ApiNotFoundResponse({ type: ErrorBody })
  async erase(
    @Param('personId') personId: string,
    @Body() body: EraseSubjectBodyDto,
    @Req() request: RequestWithAuditNote,
  ): Promise<ErasureResult> {
    // Set first, so that a failed erasure is in the trail with its reason as well.
    request.auditNote = erasureNote(body);
    const result = await this.subjects.erase(personId);
    request.auditNote = erasureNote(body, result);
    return result;
  }
}
