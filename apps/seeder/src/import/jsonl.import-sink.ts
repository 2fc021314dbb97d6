import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportChunk, ImportSummary } from '@app/generators';
import { IMPORT_FILES, type ImportSink } from './import-sink';

type ItemKind = 'vertices' | 'edges' | 'groundTruth';
const ALL_KINDS: readonly ItemKind[] = ['vertices', 'edges', 'groundTruth'];

/**
 * Writes items as JSON lines, one file per kind (`vertices.jsonl`, `edges.jsonl`,
 * `ground-truth.jsonl`), and the summary as `import-summary.json` when closed.
 */
export class JsonlImportSink implements ImportSink {
  private constructor(
    private readonly dir: string,
    private readonly files: Partial<Record<ItemKind, FileHandle>>,
  ) {}

  /** Opens the files of `kinds` (all by default) in `dir`; none of them may exist yet. */
  static async open(dir: string, kinds: readonly ItemKind[] = ALL_KINDS): Promise<JsonlImportSink> {
    const files: Partial<Record<ItemKind, FileHandle>> = {};
    try {
      for (const kind of kinds) files[kind] = await open(join(dir, IMPORT_FILES[kind]), 'wx');
      return new JsonlImportSink(dir, files);
    } catch (error) {
      await Promise.allSettled(Object.values(files).map((handle) => handle.close()));
      throw error;
    }
  }

  async write(chunk: ImportChunk): Promise<void> {
    for (const kind of ALL_KINDS) {
      const items: readonly unknown[] = chunk[kind];
      const handle = this.files[kind];
      if (items.length === 0) continue;
      if (!handle) throw new Error(`This sink was opened without ${IMPORT_FILES[kind]}`);
      await handle.write(items.map((item) => JSON.stringify(item)).join('\n') + '\n');
    }
  }

  async close(summary: ImportSummary): Promise<void> {
    await this.closeFiles();
    await writeNewFile(
      join(this.dir, IMPORT_FILES.summary),
      `${JSON.stringify(summary, null, 2)}\n`,
    );
  }

  async abort(): Promise<void> {
    await this.closeFiles();
  }

  private async closeFiles(): Promise<void> {
    const handles = Object.values(this.files);
    const results = await Promise.allSettled(handles.map((handle) => handle.close()));
    const failed = results.find(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    if (failed) throw failed.reason;
  }
}

async function writeNewFile(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}
