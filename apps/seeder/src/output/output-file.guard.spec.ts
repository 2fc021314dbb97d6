import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '@app/vocabulary';
import { checkOutputFiles, checkOutputFilesIn } from './output-file.guard';

describe('checkOutputFiles / checkOutputFilesIn', () => {
  let work: string;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'output-file-guard-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  async function problem(check: Promise<void>): Promise<{ message: string; rule: string }> {
    const error: unknown = await check.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    const refused = error as InvalidInputError;
    return { message: refused.message, rule: refused.problems[0].rule };
  }

  it('takes new files, in a folder that does not exist yet too, and existing ones with overwrite', async () => {
    await expect(checkOutputFiles('--out', [join(work, 'a', 'm.json')], false)).resolves.toBe(
      undefined,
    );
    writeFileSync(join(work, 'm.json'), '{}');
    await expect(checkOutputFiles('--out', [join(work, 'm.json')], true)).resolves.toBe(undefined);
  });

  it('follows symbolic links: a folder reached through one is a folder (code review)', async () => {
    mkdirSync(join(work, 'real'));
    symlinkSync(join(work, 'real'), join(work, 'link'));
    await expect(checkOutputFiles('--out', [join(work, 'link', 'm.json')], false)).resolves.toBe(
      undefined,
    );
    await expect(
      checkOutputFilesIn('--report', join(work, 'link'), ['report.json'], false),
    ).resolves.toBe(undefined);
  });

  it('refuses an existing file without overwrite, a folder, and a path under a file', async () => {
    writeFileSync(join(work, 'm.json'), '{}');
    expect((await problem(checkOutputFiles('--out', [join(work, 'm.json')], false))).rule).toBe(
      'must not exist yet (or pass --overwrite)',
    );
    expect((await problem(checkOutputFiles('--out', [work], true))).rule).toBe(
      'must name a file, not a folder',
    );
    expect(
      (await problem(checkOutputFiles('--out', [join(work, 'm.json', 'x.json')], true))).message,
    ).toContain(`${join(work, 'm.json')} is a file`);
  });

  it('checks a report folder: a file is refused, earlier report files need overwrite, others are left alone', async () => {
    const report = join(work, 'report');
    writeFileSync(report, 'not a folder');
    expect(
      (await problem(checkOutputFilesIn('--report', report, ['report.json'], false))).rule,
    ).toBe('must be a folder, not a file');
    const folder = join(work, 'eval');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    await expect(checkOutputFilesIn('--report', folder, ['report.json'], false)).resolves.toBe(
      undefined,
    );
    writeFileSync(join(folder, 'report.json'), '{}');
    expect(
      (await problem(checkOutputFilesIn('--report', folder, ['report.json'], false))).message,
    ).toContain('report.json already exists; pass --overwrite');
  });
});
