import { Module } from '@nestjs/common';
import { BASE_MONEY, BASE_MONEY_PROVIDER } from '@app/detectors';
import { PartyDirectory } from './party-directory.service';

/**
 * What answers written for analysts need: the party directory (names and business ids of
 * accounts and holders) and the base money of the `money` settings (BASE_MONEY), for amounts
 * in the base currency. Relies on the global GraphStoreModule and SettingsModule.
 */
@Module({
  providers: [PartyDirectory, BASE_MONEY_PROVIDER],
  exports: [PartyDirectory, BASE_MONEY],
})
export class PresentationModule {}
