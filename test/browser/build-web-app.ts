import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Jest global setup of the browser tests: builds the web app (`npm run build:web`, a few
 * seconds, production build) so that `npx jest --selectProjects browser` works on its own and always tests the
 * current sources.
 */
export default function buildWebApp(): void {
  const root = resolve(__dirname, '..', '..');
  // NODE_ENV=production as `npm run build:web` has it: jest sets NODE_ENV=test, with which Vite
  // would bundle React's development build, so the tests would not see what `npm start` serves.
  const result = spawnSync(
    'env',
    [
      'NODE_ENV=production',
      'npx',
      'vite',
      'build',
      '--config',
      'apps/web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
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
