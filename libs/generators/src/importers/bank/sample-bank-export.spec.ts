import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateEdge, validateVertex } from '@app/vocabulary';
import { collectImport } from '../import-chunk';
import { importBankExportFolder } from './bank-export.importer';
import { sampleBankExportFiles } from './sample-bank-export';

const EXAMPLES = resolve(__dirname, '..', '..', '..', '..', '..', 'examples');

describe('the committed sample bank export (examples/)', () => {
  it.each([
    ['bank-export', 'csv'],
    ['bank-export-jsonl', 'jsonl'],
  ] as const)('examples/%s is what the sample generator writes', (folder, format) => {
    const expected = sampleBankExportFiles()[format];
    const dir = join(EXAMPLES, folder);
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected)) {
      expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
    }
  });

  it('imports cleanly, and the CSV and JSON-lines folders give the same graph', async () => {
    const csv = await collectImport(
      importBankExportFolder(join(EXAMPLES, 'bank-export'), { bankId: 'harbour' }),
    );
    const jsonl = await collectImport(
      importBankExportFolder(join(EXAMPLES, 'bank-export-jsonl'), { bankId: 'harbour' }),
    );
    expect(jsonl.vertices).toEqual(csv.vertices);
    expect(jsonl.edges).toEqual(csv.edges);
    for (const vertex of csv.vertices) expect(validateVertex(vertex)).toEqual([]);
    for (const edge of csv.edges) expect(validateEdge(edge)).toEqual([]);
    expect(csv.summary.records).toMatchObject({ persons: 10, companies: 5, accounts: 20 });
    expect(csv.summary.records.movements).toBeGreaterThanOrEqual(200);
    expect(csv.summary.notes).toEqual([]);
    // What the sample promises a newcomer.
    const owns = csv.edges.filter((e) => e.label === 'OWNS');
    const ownsPair = (from: string, to: string): boolean =>
      owns.some((e) => e.from === `company:harbour:${from}` && e.to === `company:harbour:${to}`);
    expect(ownsPair('C001', 'C002') && ownsPair('C002', 'C003')).toBe(true);
    expect(ownsPair('C004', 'C005') && ownsPair('C005', 'C004')).toBe(true);
    const external = csv.vertices.filter(
      (v) => v.label === 'Account' && v.props.accountType === 'external',
    );
    expect(external.length).toBeGreaterThanOrEqual(2);
    const users = new Map<string, number>();
    for (const e of csv.edges) if (e.label === 'USES') users.set(e.to, (users.get(e.to) ?? 0) + 1);
    expect([...users.values()].some((n) => n >= 2)).toBe(true);
  });
});
