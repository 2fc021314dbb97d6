import { EDGE_SCHEMA, type GraphEdge, type GraphVertex, VERTEX_SCHEMA } from '@app/vocabulary';
import { addToSummary } from './dataset-sink';
import { FileDatasetSink, type FileSinkOptions, LABEL_FILES } from './jsonl.sink';
import { StagedDirectory } from './staged-directory';

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, line break or edge spaces. */
export function csvField(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) text = value.map((item) => csvField(item)).join('|');
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    text = `${value}`;
  else text = JSON.stringify(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function columnsOf(schema: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(schema);
}

/**
 * CSV files, one per label (`persons.csv`, `accounts.csv`, `movements.csv`…), with a header
 * naming the vocabulary's property keys; list values are joined with `|`. Ground truth stays
 * JSON lines (`ground-truth.jsonl`): its records are nested.
 */
export class CsvSink extends FileDatasetSink {
  static async open(options: FileSinkOptions): Promise<CsvSink> {
    const dir = await StagedDirectory.open(options.directory, options.overwrite ?? false);
    return new CsvSink(dir, { format: 'csv', ...options.manifest });
  }

  async writeVertices(batch: readonly GraphVertex[]): Promise<void> {
    addToSummary(this.summary, { vertices: batch, edges: [], groundTruth: [] });
    const groups = new Map<string, string[]>();
    for (const vertex of batch) {
      const columns = columnsOf(VERTEX_SCHEMA[vertex.label]);
      const props = vertex.props as unknown as Record<string, unknown>;
      this.group(groups, vertex.label, [vertex.uid, ...columns.map((c) => props[c])]);
    }
    await this.flush(groups, (label) => [
      'uid',
      ...columnsOf(VERTEX_SCHEMA[label as GraphVertex['label']]),
    ]);
  }

  async writeEdges(batch: readonly GraphEdge[]): Promise<void> {
    addToSummary(this.summary, { vertices: [], edges: batch, groundTruth: [] });
    const groups = new Map<string, string[]>();
    for (const edge of batch) {
      const columns = columnsOf(EDGE_SCHEMA[edge.label]);
      const props = edge.props as unknown as Record<string, unknown>;
      this.group(groups, edge.label, [
        edge.eid,
        edge.from,
        edge.to,
        ...columns.map((c) => props[c]),
      ]);
    }
    await this.flush(groups, (label) => [
      'eid',
      'from',
      'to',
      ...columnsOf(EDGE_SCHEMA[label as GraphEdge['label']]),
    ]);
  }

  private group(groups: Map<string, string[]>, label: string, values: unknown[]): void {
    const lines = groups.get(label) ?? [];
    lines.push(values.map(csvField).join(','));
    groups.set(label, lines);
  }

  private async flush(
    groups: Map<string, string[]>,
    header: (label: string) => string[],
  ): Promise<void> {
    for (const [label, lines] of groups) {
      const file = await this.file(
        `${LABEL_FILES[label] ?? label.toLowerCase()}.csv`,
        header(label).join(',') + '\n',
      );
      await file.write(lines.join('\n') + '\n');
    }
  }
}
