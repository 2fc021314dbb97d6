import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerImage, IMAGES_FILE, parseImagesFile } from './container-images';

describe('docker/images.env', () => {
  it('reads KEY=value lines and skips comments and blank lines', () => {
    const images = parseImagesFile('# a comment\n\nA=localhost/a:1\n  B = localhost/b:2  \n');
    expect([...images.entries()]).toEqual([
      ['A', 'localhost/a:1'],
      ['B', 'localhost/b:2'],
    ]);
  });

  it('refuses a line that is not KEY=value', () => {
    expect(() => parseImagesFile('just words')).toThrow('is not a KEY=value line');
  });

  it('names a missing image and the file it looked in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'images-env-'));
    const file = join(dir, 'images.env');
    writeFileSync(file, 'GB_PULSAR_IMAGE=localhost/p:1\n');
    expect(containerImage('GB_PULSAR_IMAGE', file)).toBe('localhost/p:1');
    expect(() => containerImage('GB_JANUSGRAPH_IMAGE', file)).toThrow(
      `${file} has no GB_JANUSGRAPH_IMAGE`,
    );
  });

  it('lists the server images the testcontainers path starts, all built locally', () => {
    for (const key of ['GB_JANUSGRAPH_IMAGE', 'GB_PULSAR_IMAGE', 'GB_CASSANDRA_IMAGE'] as const) {
      expect(containerImage(key, IMAGES_FILE).startsWith('localhost/')).toBe(true);
    }
  });
});
