import { Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StreamingConfig, streamingSettings } from '@app/settings';
import { createMessageBroker } from './broker.factory';
import { MessageBroker } from './message-broker.port';
import { StreamingHealthIndicator } from './streaming.health';

/** Closes the broker when the application shuts down (after `beforeApplicationShutdown`). */
@Injectable()
export class StreamingLifecycle implements OnApplicationShutdown {
  constructor(private readonly broker: MessageBroker) {}

  async onApplicationShutdown(): Promise<void> {
    await this.broker.close();
  }
}

/**
 * Provides the `MessageBroker` port (global) chosen by the `streaming` settings, and its health
 * indicator. Needs the global `SettingsModule`. Consumers that must finish work before the
 * broker closes do it in `beforeApplicationShutdown`; the broker closes in
 * `onApplicationShutdown`.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: MessageBroker,
      inject: [streamingSettings.KEY],
      useFactory: (config: StreamingConfig) =>
        createMessageBroker(config, { logger: new Logger('MessageBroker') }),
    },
    StreamingHealthIndicator,
    StreamingLifecycle,
  ],
  exports: [MessageBroker, StreamingHealthIndicator],
})
export class StreamingModule {}
