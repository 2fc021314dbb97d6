import type { GraphEdge, GraphVertex, GroundTruthRecord } from '@app/vocabulary';
import { addToSummary, type DatasetSink, emptySummary } from './dataset-sink';
import { StagedDirectory, TextFile } from './staged-directory';

export interface FileSinkOptions {
  /** Output folder; written in a temporary folder next to it and renamed at the end. */
  directory: string;
  /** Replace an existing folder (otherwise it is refused). */
  overwrite?: boolean;
  /** Written into `manifest.json` with the counts (profile, seed, version…). */
  manifest?: Readonly<Record<string, unknown>>;
}

export interface JsonlSinkOptions extends FileSinkOptions {
  /** `ground-truth`: only ground-truth.jsonl and the manifest (with every count), e.g. next to a graph load. */
  content?: 'all' | 'ground-truth';
  /** `combined`: vertices.jsonl and edges.jsonl; `per-label`: one file per label (persons.jsonl, movements.jsonl…). */
  layout?: 'combined' | 'per-label';
}

/** File name stem of each label in per-label layouts (movements are the TRANSFERRED edges). */
export const LABEL_FILES: Readonly<Record<string, string>> = {
  Person: 'persons',
  Company: 'companies',
  Account: 'accounts',
  Identifier: 'identifiers',
  Event: 'events',
  Alert: 'alerts',
  HOLDS: 'holds',
  OWNS: 'owns',
  CONTROLS: 'controls',
  USES: 'uses',
  TRANSFERRED: 'movements',
  HAS_EVENT: 'has-event',
  FLAGS: 'flags',
};

/**
 * Base of the file sinks: a staged folder, lazily opened files, `ground-truth.jsonl` and
 * `manifest.json`, commit on `close` and removal on `abort`.
 */
export abstract class FileDatasetSink implements DatasetSink {
  private readonly files = new Map<string, TextFile>();
  protected readonly summary = emptySummary();

  protected constructor(
    protected readonly dir: StagedDirectory,
    private readonly manifest: Readonly<Record<string, unknown>>,
  ) {}

  abstract writeVertices(batch: readonly GraphVertex[]): Promise<void>;
  abstract writeEdges(batch: readonly GraphEdge[]): Promise<void>;

  /** The file `name` in the staged folder, opened on first use (header written then). */
  protected async file(name: string, header?: string): Promise<TextFile> {
    let file = this.files.get(name);
    if (!file) {
      file = new TextFile(this.dir.path(name));
      this.files.set(name, file);
      if (header !== undefined) await file.write(header);
    }
    return file;
  }

  async writeGroundTruth(records: readonly GroundTruthRecord[]): Promise<void> {
    addToSummary(this.summary, { vertices: [], edges: [], groundTruth: records });
    const file = await this.file('ground-truth.jsonl');
    await file.write(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  async close(): Promise<void> {
    await this.file('ground-truth.jsonl');
    const manifest = await this.file('manifest.json');
    const files = [...this.files.keys()].sort();
    await manifest.write(
      JSON.stringify({ ...this.manifest, files, counts: this.summary }, null, 2) + '\n',
    );
    for (const file of this.files.values()) await file.close();
    await this.dir.commit();
  }

  async abort(): Promise<void> {
    for (const file of this.files.values()) file.destroy();
    await this.dir.discard();
  }
}

/** JSON lines: one record per line, exactly as the vocabulary types them. */
export class JsonlSink extends FileDatasetSink {
  private constructor(
    dir: StagedDirectory,
    manifest: Readonly<Record<string, unknown>>,
    private readonly layout: 'combined' | 'per-label',
    private readonly groundTruthOnly: boolean,
  ) {
    super(dir, manifest);
  }

  static async open(options: JsonlSinkOptions): Promise<JsonlSink> {
    const dir = await StagedDirectory.open(options.directory, options.overwrite ?? false);
    const layout = options.layout ?? 'combined';
    const content = options.content ?? 'all';
    const manifest = { format: 'jsonl', layout, content, ...options.manifest };
    return new JsonlSink(dir, manifest, layout, content === 'ground-truth');
  }

  async writeVertices(batch: readonly GraphVertex[]): Promise<void> {
    addToSummary(this.summary, { vertices: batch, edges: [], groundTruth: [] });
    await this.writeRecords(batch, 'vertices.jsonl');
  }

  async writeEdges(batch: readonly GraphEdge[]): Promise<void> {
    addToSummary(this.summary, { vertices: [], edges: batch, groundTruth: [] });
    await this.writeRecords(batch, 'edges.jsonl');
  }

  private async writeRecords(
    batch: readonly (GraphVertex | GraphEdge)[],
    combined: string,
  ): Promise<void> {
    if (this.groundTruthOnly) return;
    if (this.layout === 'combined') {
      const file = await this.file(combined);
      await file.write(batch.map((r) => JSON.stringify(r)).join('\n') + '\n');
      return;
    }
    const byFile = new Map<string, string[]>();
    for (const record of batch) {
      const name = `${LABEL_FILES[record.label] ?? record.label.toLowerCase()}.jsonl`;
      const lines = byFile.get(name) ?? [];
      lines.push(JSON.stringify(record));
      byFile.set(name, lines);
    }
    for (const [name, lines] of byFile)
      await (await this.file(name)).write(lines.join('\n') + '\n');
  }
}
