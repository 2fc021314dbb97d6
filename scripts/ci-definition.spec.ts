import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** The hosted workflow and .ci/run must stay one definition: the workflow only calls the script. */
describe('CI definition', () => {
  const workflow = read('.github/workflows/ci.yml');
  const script = read('.ci/run');
  const readme = read('README.md');

  it('runs .ci/run from the hosted workflow, and nothing else that tests', () => {
    const runs = workflow
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('run:'));
    expect(runs).toEqual(['run: bash .ci/run']);
  });

  it("runs the README's test command, the audit and the SBOM in .ci/run", () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'));
    const testCommand = quickStart.split('\n').find((line) => line.startsWith('npm run test'));
    expect(testCommand).toBeDefined();
    const command = (testCommand ?? '').split('#')[0].trim();
    expect(script.split('\n')).toContain(command);
    expect(script).toContain('npm run audit:prod');
    expect(script).toContain('npm run sbom');
    expect(script).toContain('bash scripts/readme-own-data.sh');
  });

  it('installs from the lockfile only', () => {
    expect(script).toContain('npm ci');
    expect(script).not.toContain('npm install');
  });
});
