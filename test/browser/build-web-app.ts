import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Jest global setup of the browser tests: builds the web app (`npm run build:web`, a few
 * seconds) so that `npx jest --selectProjects browser` works on its own and always tests the
 * current sources.
 */
export default function buildWebApp(): void {
  const root = resolve(__dirname, '..', '..');
  const result = spawnSync(
    'npx',
    ['vite', 'build', '--config', 'apps/web/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) {
    throw new Error(
      `The web app did not build (vite exit code ${String(result.status)}); see the output above.`,
    );
  }
}
