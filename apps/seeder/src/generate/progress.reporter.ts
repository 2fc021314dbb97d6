import { Presets, SingleBar } from 'cli-progress';
import type { DatasetChunk, DatasetSummary } from '@app/generators';

/** Reports generation progress; the CLI draws bars, tests and pipes stay quiet. */
export interface ProgressReporter {
  update(chunk: DatasetChunk, summary: DatasetSummary): void;
  stop(): void;
}

export const SILENT_PROGRESS: ProgressReporter = { update: () => undefined, stop: () => undefined };

/** One cli-progress bar per stage (population, then simulated days) on standard error. */
export class BarProgressReporter implements ProgressReporter {
  private bar: SingleBar | undefined;
  private stage: string | undefined;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(chunk: DatasetChunk, summary: DatasetSummary): void {
    if (chunk.stage === 'ground-truth') return this.stop();
    if (chunk.stage !== this.stage) {
      this.stop();
      this.stage = chunk.stage;
      this.bar = new SingleBar(
        {
          stream: this.stream,
          format: `${chunk.stage === 'population' ? 'parties and accounts' : 'simulated days     '} [{bar}] {value}/{total} | {movements} movements`,
          hideCursor: true,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      );
      this.bar.start(chunk.progress.total, 0, { movements: 0 });
    }
    this.bar?.update(chunk.progress.done, { movements: summary.edges.TRANSFERRED });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
