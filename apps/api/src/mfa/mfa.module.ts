import { Logger, Module } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import { SecurityConfig, securitySettings } from '@app/settings';
import { AuthModule } from '../auth/auth.module';
import { GraphTotpEnrolments } from './graph.totp-enrolments';
import { MfaController } from './mfa.controller';
import { TotpEnrolments } from './totp-enrolments';
import { TotpSecretCipher, totpEncryptionKeyOf } from './totp-secret.cipher';
import { TotpService } from './totp.service';

/**
 * The cipher of the TOTP secrets: under TOTP_ENCRYPTION_KEY, or (outside production only: the
 * settings require the key there) under a random key of this process, with a warning.
 */
export function totpSecretCipherOf(
  security: SecurityConfig,
  logger: Pick<Logger, 'warn'> = new Logger('Mfa'),
): TotpSecretCipher {
  if (security.totpEncryptionKey !== undefined) {
    return new TotpSecretCipher(totpEncryptionKeyOf(security.totpEncryptionKey));
  }
  logger.warn(
    'TOTP_ENCRYPTION_KEY is not set: TOTP secrets are encrypted under a random key of this process, so authenticator enrolments will not survive a restart and are not readable by other replicas. Set TOTP_ENCRYPTION_KEY (e.g. `openssl rand -base64 32`) to keep them.',
  );
  return TotpSecretCipher.random();
}

/**
 * The built-in second factor (TOTP enrolment and step-up). Enrolments are TotpEnrolment
 * vertices in the graph store (durable on JanusGraph, shared by every replica), their secrets
 * encrypted under TOTP_ENCRYPTION_KEY; it relies on the global GraphStoreModule that ApiModule
 * imports. See docs/security.md.
 */
@Module({
  imports: [AuthModule],
  controllers: [MfaController],
  providers: [
    {
      provide: TotpEnrolments,
      useFactory: (store: GraphStore, security: SecurityConfig) =>
        new GraphTotpEnrolments(store, totpSecretCipherOf(security)),
      inject: [GraphStore, securitySettings.KEY],
    },
    TotpService,
  ],
})
export class MfaModule {}
