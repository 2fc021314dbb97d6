import { Module } from '@nestjs/common';
import { UboService } from './ubo.service';

/**
 * Provides UboService. Needs the global GraphStoreModule (the `GraphStore` port) and the
 * global SettingsModule (`ubo` and `detectors` settings); a `Clock` provider is optional.
 */
@Module({
  providers: [UboService],
  exports: [UboService],
})
export class UboModule {}
