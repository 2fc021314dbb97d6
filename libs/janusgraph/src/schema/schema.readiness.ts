import type { JanusGraphClient } from '../janusgraph.client';
import { checkSchema, GraphSchemaNotReadyError, SchemaCheckOptions } from './schema.check';

/** How long a schema verdict is trusted before the next probe checks again (ms). */
export const DEFAULT_SCHEMA_RECHECK_MS = 5_000;

export interface SchemaReadinessOptions extends SchemaCheckOptions {
  /** How long a verdict is trusted (default 5 s): a lost schema is noticed within this time. */
  recheckMs?: number;
  /** Clock (tests inject one). */
  now?: () => number;
}

interface Verdict {
  at: number;
  error?: GraphSchemaNotReadyError;
}

/**
 * "Is the graph ready to serve?" for readiness probes: the server answers AND its schema is
 * complete. Every call costs exactly one round trip: the schema check when the last verdict is
 * older than `recheckMs` (it also proves the server answers), otherwise a plain ping. Probes
 * arriving while a check runs share it. A verdict of "incomplete" is kept for `recheckMs` too,
 * so a bootstrap run elsewhere turns readiness green within that time.
 *
 * Unreachability is never cached: it is thrown as it comes (GraphUnavailableError).
 */
export class SchemaReadiness {
  private verdict: Verdict | undefined;
  private running: Promise<void> | undefined;
  private readonly recheckMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: JanusGraphClient,
    private readonly options: SchemaReadinessOptions = {},
  ) {
    this.recheckMs = options.recheckMs ?? DEFAULT_SCHEMA_RECHECK_MS;
    this.now = options.now ?? Date.now;
  }

  /** Resolves when the server answers and the schema is complete; throws otherwise. */
  async assertReady(): Promise<void> {
    const verdict = this.verdict;
    if (verdict !== undefined && this.now() - verdict.at < this.recheckMs) {
      if (verdict.error !== undefined) throw verdict.error;
      await this.client.ping();
      return;
    }
    this.running ??= this.check().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  /** Forgets the last verdict: the next call checks the schema again (after a bootstrap). */
  invalidate(): void {
    this.verdict = undefined;
  }

  private async check(): Promise<void> {
    const report = await checkSchema(this.client, this.options);
    const error = report.complete
      ? undefined
      : new GraphSchemaNotReadyError(this.client.endpoint, report);
    this.verdict = { at: this.now(), error };
    if (error !== undefined) throw error;
  }
}
