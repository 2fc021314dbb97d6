import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ALL_SETTINGS } from './settings';

/**
 * The one settings module: loads `.env` (if present) and the environment, validates every
 * namespace with class-validator, and exposes typed namespaces for injection:
 * `@Inject(graphSettings.KEY) private readonly graph: GraphConfig`.
 */
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, cache: true, load: ALL_SETTINGS })],
  exports: [ConfigModule],
})
export class SettingsModule {}
