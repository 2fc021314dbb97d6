import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** docker/images.env: the one list of the images built from this repository's own files. */
export const IMAGES_FILE = join(__dirname, '..', '..', '..', 'docker', 'images.env');

export type ImageKey =
  | 'GB_DEBIAN_IMAGE'
  | 'GB_JRE_IMAGE'
  | 'GB_NODE_IMAGE'
  | 'GB_JANUSGRAPH_IMAGE'
  | 'GB_PULSAR_IMAGE'
  | 'GB_CASSANDRA_IMAGE'
  | 'GB_APP_IMAGE';

/** Reads `KEY=value` lines (comments and blank lines skipped) from the images file. */
export function parseImagesFile(text: string): Map<string, string> {
  const images = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new Error(`docker/images.env: "${line}" is not a KEY=value line`);
    images.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim());
  }
  return images;
}

/** The image name and tag for `key`, as docker/images.env writes it. */
export function containerImage(key: ImageKey, file: string = IMAGES_FILE): string {
  const image = parseImagesFile(readFileSync(file, 'utf8')).get(key);
  if (image === undefined || image === '') {
    throw new Error(`${file} has no ${key}; it lists every image the tests may start`);
  }
  return image;
}
