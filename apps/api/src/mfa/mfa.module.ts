import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MfaController } from './mfa.controller';
import { MemoryTotpEnrolments, TotpEnrolments } from './totp-enrolments';
import { TotpService } from './totp.service';

/**
 * The built-in second factor (TOTP enrolment and step-up). Enrolments are kept in memory: one
 * API replica only, and they are lost on restart (see docs/security.md).
 */
@Module({
  imports: [AuthModule],
  controllers: [MfaController],
  providers: [{ provide: TotpEnrolments, useClass: MemoryTotpEnrolments }, TotpService],
})
export class MfaModule {}
