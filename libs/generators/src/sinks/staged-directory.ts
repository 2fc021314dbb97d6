import { once } from 'node:events';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConflictError } from '@app/vocabulary';

/**
 * An output folder written in a hidden temporary folder next to it and renamed into place on
 * `commit` (a rename within one file system is atomic). An existing folder is refused unless
 * `overwrite` is set, and is then replaced only once the new output is complete.
 */
export class StagedDirectory {
  private constructor(
    readonly target: string,
    readonly staging: string,
    private readonly overwrite: boolean,
  ) {}

  static async open(target: string, overwrite: boolean): Promise<StagedDirectory> {
    const absolute = resolve(target);
    StagedDirectory.refuseExisting(absolute, overwrite);
    await mkdir(dirname(absolute), { recursive: true });
    const staging = await mkdtemp(join(dirname(absolute), `.${basename(absolute)}.partial-`));
    return new StagedDirectory(absolute, staging, overwrite);
  }

  private static refuseExisting(target: string, overwrite: boolean): void {
    if (existsSync(target) && !overwrite) {
      throw new ConflictError(
        `The output folder ${target} already exists; choose another folder or allow overwriting (seeder: --overwrite)`,
        { field: 'out', rule: 'must not exist yet unless overwrite is allowed' },
      );
    }
  }

  path(file: string): string {
    return join(this.staging, file);
  }

  async commit(): Promise<void> {
    StagedDirectory.refuseExisting(this.target, this.overwrite);
    if (existsSync(this.target)) {
      const old = `${this.staging}.replaced`;
      await rename(this.target, old);
      await rename(this.staging, this.target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(this.staging, this.target);
    }
  }

  async discard(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
  }
}

/** A text file written with back-pressure: `write` waits while the stream's buffer is full. */
export class TextFile {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    this.stream.on('error', (error: Error) => {
      this.failure = error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.stream.end();
    await once(this.stream, 'finish');
  }

  destroy(): void {
    this.stream.destroy();
  }
}
