import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MinimumRole } from '../auth/roles.decorator';
import { ApiProtectedErrors } from '../common/api-errors.decorator';
import { API_V1 } from '../common/api-prefix';
import { AuditChainReport, verifyAuditChain } from './audit-chain';
import { AuditLog } from './audit-log';
import { AuditVerifyResponse } from './audit.responses';

/** Most entries one verification reads (the command line `npm run audit:verify` reads more). */
export const AUDIT_VERIFY_MAX_ENTRIES = 200_000;

export interface AuditVerifyAnswer extends AuditChainReport {
  /** True when the trail held more entries than one verification reads; only those were checked. */
  truncated: boolean;
  /** What could not be checked, in a sentence (absent when everything was). */
  note?: string;
}

/**
 * Reads the audit trail with its hash chain and reports the first broken link, if any. Entries
 * this API still holds in its queue are included; it tries to store them first.
 */
export async function verifyAuditLog(
  audit: AuditLog,
  max = AUDIT_VERIFY_MAX_ENTRIES,
): Promise<AuditVerifyAnswer> {
  try {
    await audit.flush();
  } catch {
    // The entries still queued are read from the queue instead.
  }
  const read = await audit.readChain(max);
  const report = verifyAuditChain(read.entries);
  const notes = [
    read.note,
    read.truncated
      ? `Only the first ${max} entries were checked; run npm run audit:verify to check them all.`
      : undefined,
  ].filter((note): note is string => note !== undefined);
  return {
    ...report,
    truncated: read.truncated,
    ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
  };
}

@ApiTags('audit')
@ApiSecurity('api-key')
@ApiProtectedErrors({ forbidden: 'The key is not an admin key.' })
@MinimumRole('admin')
@Controller(`${API_V1}/audit`)
export class AuditVerifyController {
  constructor(private readonly audit: AuditLog) {}

  @Get('verify')
  @ApiOperation({
    summary:
      'Verifies the hash chain of the audit trail (admin only): ok, or the first broken link (chain, seq, expected and found).',
  })
  @ApiOkResponse({
    type: AuditVerifyResponse,
    description:
      'The verification: ok, or the first broken link. A broken chain is answered with 200 too (ok false).',
  })
  verify(): Promise<AuditVerifyAnswer> {
    return verifyAuditLog(this.audit);
  }
}
