import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_INFO, versionLine } from './build-info';

describe('build info', () => {
  it('carries the version and name of package.json, the single source of the release number', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    expect(BUILD_INFO).toEqual({ name: pkg.name, version: pkg.version, node: process.version });
    expect(BUILD_INFO.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  });

  it('writes the version line the command lines print', () => {
    expect(versionLine('seeder', { name: 'gba', version: '1.2.3', node: 'v22.0.0' })).toBe(
      'seeder 1.2.3 (gba, Node.js v22.0.0)',
    );
  });
});
