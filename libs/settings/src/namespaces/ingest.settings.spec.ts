import { InvalidSettingsError } from '../settings.error';
import { loadAllSettings } from '../settings';
import { loadSettings } from '../load-settings';
import { IngestSettings } from './ingest.settings';

function problemsOf(env: Record<string, string>): string {
  try {
    loadAllSettings(env);
  } catch (error: unknown) {
    if (error instanceof InvalidSettingsError) return error.message;
    throw error;
  }
  throw new Error('expected InvalidSettingsError');
}

describe('ingest settings', () => {
  it('defaults to batches of 500 messages or 50 ms, a listener on 127.0.0.1:3001, outage retries from 0.5 s to 5 s and no extra wait for missing vertices', () => {
    expect(loadAllSettings({}).ingest).toEqual({
      batchSize: 500,
      batchWindowMs: 50,
      httpHost: '127.0.0.1',
      httpPort: 3001,
      outageRetryInitialMs: 500,
      outageRetryMaxMs: 5000,
      missingEntityWaitMs: 600000,
      writeConcurrency: 1,
      holdMissingMs: 5000,
      holdMaxMessages: 5000,
      stopTimeoutMs: 20000,
    });
  });

  it('reads typed values from the environment', () => {
    expect(
      loadSettings(IngestSettings, {
        INGEST_BATCH_SIZE: '500',
        INGEST_BATCH_WINDOW_MS: '0',
        INGEST_HTTP_HOST: '0.0.0.0',
        INGEST_HTTP_PORT: '0',
        INGEST_OUTAGE_RETRY_INITIAL_MS: '100',
        INGEST_OUTAGE_RETRY_MAX_MS: '30000',
        INGEST_MISSING_ENTITY_WAIT_MS: '120000',
        INGEST_WRITE_CONCURRENCY: '4',
        INGEST_HOLD_MISSING_MS: '0',
        INGEST_HOLD_MAX_MESSAGES: '50',
        INGEST_STOP_TIMEOUT_MS: '5000',
      }),
    ).toEqual({
      batchSize: 500,
      batchWindowMs: 0,
      httpHost: '0.0.0.0',
      httpPort: 0,
      outageRetryInitialMs: 100,
      outageRetryMaxMs: 30000,
      missingEntityWaitMs: 120000,
      writeConcurrency: 4,
      holdMissingMs: 0,
      holdMaxMessages: 50,
      stopTimeoutMs: 5000,
    });
  });

  it.each([
    ['INGEST_BATCH_SIZE', 'many', 'must be a whole number'],
    ['INGEST_WRITE_CONCURRENCY', '0', 'must be at least 1'],
    ['INGEST_WRITE_CONCURRENCY', '17', 'must be at most 16'],
    ['INGEST_HOLD_MISSING_MS', '-1', 'must be 0 or more'],
    ['INGEST_HOLD_MAX_MESSAGES', 'lots', 'must be a whole number'],
    ['INGEST_STOP_TIMEOUT_MS', '-1', 'must be 0 or more'],
    ['INGEST_STOP_TIMEOUT_MS', '600001', 'must be at most 600000 (ten minutes)'],
    ['INGEST_BATCH_SIZE', '2.5', 'must be a whole number'],
    ['INGEST_BATCH_SIZE', '0', 'must be at least 1'],
    ['INGEST_BATCH_SIZE', '5001', 'must be at most 5000'],
    ['INGEST_BATCH_WINDOW_MS', '50ms', 'must be a whole number of milliseconds'],
    ['INGEST_BATCH_WINDOW_MS', '-1', 'must be 0 or more'],
    ['INGEST_BATCH_WINDOW_MS', '60001', 'must be at most 60000 (one minute)'],
    ['INGEST_HTTP_PORT', 'http', 'must be a whole number (a TCP port, or 0 for none)'],
    ['INGEST_HTTP_PORT', '-1', 'must be a TCP port between 1 and 65535, or 0 for none'],
    ['INGEST_HTTP_PORT', '65536', 'must be a TCP port between 1 and 65535, or 0 for none'],
    ['INGEST_HTTP_HOST', '', 'must not be empty (use 0.0.0.0 to listen on every interface)'],
    ['INGEST_OUTAGE_RETRY_INITIAL_MS', '0', 'must be at least 1'],
    ['INGEST_OUTAGE_RETRY_MAX_MS', 'later', 'must be a whole number of milliseconds'],
    ['INGEST_MISSING_ENTITY_WAIT_MS', '-5', 'must be 0 or more'],
    ['PULSAR_SUBSCRIPTION_TYPE', 'Exclusive', 'must be one of Key_Shared, Shared'],
  ])('refuses %s=%j naming the variable, the value and the rule', (variable, value, rule) => {
    const message = problemsOf({ [variable]: value });
    expect(message).toContain(`${variable}=${JSON.stringify(value)}: ${rule}`);
    expect(message).toContain('(1 problem)');
  });

  it('reports every bad ingest variable at once, with problems of other namespaces', () => {
    const message = problemsOf({
      INGEST_BATCH_SIZE: '0',
      INGEST_BATCH_WINDOW_MS: 'soon',
      INGEST_HTTP_PORT: '99999',
      APP_PORT: 'x',
    });
    expect(message).toContain('INGEST_BATCH_SIZE="0": must be at least 1');
    expect(message).toContain(
      'INGEST_BATCH_WINDOW_MS="soon": must be a whole number of milliseconds',
    );
    expect(message).toContain('INGEST_HTTP_PORT="99999": must be a TCP port between 1 and 65535');
    expect(message).toContain('APP_PORT="x"');
    expect(message).toContain('4 problems');
  });
});
