import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { SettingsModule, StreamingConfig, streamingSettings } from '@app/settings';
import { createMessageBroker, MessageBroker } from '@app/streaming';

/** The broker of `replay-dlq`: always the Pulsar of the settings (an embedded one holds nothing). */
export const REPLAY_BROKER = Symbol('REPLAY_BROKER');

/** Closes the replay broker with the application context. */
@Injectable()
export class ReplayBrokerLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REPLAY_BROKER) private readonly broker: MessageBroker) {}

  async onApplicationShutdown(): Promise<void> {
    await this.broker.close();
  }
}

/**
 * The application context of the ingest CLI commands: typed settings and a broker on the Pulsar
 * of the settings, whatever STREAMING_BACKEND says (dead letters live on Pulsar; the embedded
 * memory broker of a fresh process would hold none).
 */
@Module({
  imports: [SettingsModule],
  providers: [
    {
      provide: REPLAY_BROKER,
      inject: [streamingSettings.KEY],
      useFactory: (config: StreamingConfig): MessageBroker =>
        createMessageBroker(
          { ...config, backend: 'pulsar' },
          { logger: new Logger('MessageBroker') },
        ),
    },
    ReplayBrokerLifecycle,
  ],
  exports: [REPLAY_BROKER],
})
export class ReplayModule {}
