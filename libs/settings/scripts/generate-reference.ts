import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REFERENCE_BEGIN,
  REFERENCE_END,
  renderEnvExample,
  renderReferenceTable,
} from '@app/settings';

const root = join(__dirname, '..', '..', '..');
writeFileSync(join(root, '.env.example'), renderEnvExample());
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(REFERENCE_BEGIN);
const end = readme.indexOf(REFERENCE_END);
if (start < 0 || end < start) {
  throw new Error(`README.md has no ${REFERENCE_BEGIN} … ${REFERENCE_END} block to fill`);
}
const updated = `${readme.slice(0, start + REFERENCE_BEGIN.length)}\n${renderReferenceTable()}\n${readme.slice(end)}`;
writeFileSync(readmePath, updated);
console.log('Wrote .env.example and the README configuration reference.');
