import packageJson from '../../../package.json';

/** What is running: the one place the apps and the command lines read their version from. */
export interface BuildInfo {
  /** The project (package.json `name`). */
  name: string;
  /** The release, as package.json gives it (semantic versioning, see CHANGELOG.md). */
  version: string;
  /** The Node.js version running it. */
  node: string;
}

export const BUILD_INFO: BuildInfo = Object.freeze({
  name: packageJson.name,
  version: packageJson.version,
  node: process.version,
});

/** The line `--version` prints, e.g. `seeder 0.1.0 (graph-banking-analytics, Node.js v22.1.0)`. */
export function versionLine(program: string, info: BuildInfo = BUILD_INFO): string {
  return `${program} ${info.version} (${info.name}, Node.js ${info.node})`;
}
