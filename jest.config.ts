import type { Config } from 'jest';

const moduleNameMapper = {
  '^@app/testing$': '<rootDir>/test/support',
  '^@app/graph-store-contract$': '<rootDir>/libs/graph-store/src/contract',
  '^@app/ubo-contract$': '<rootDir>/libs/ubo/src/contract',
  '^@app/(settings|vocabulary|janusgraph|graph-store|observability|ubo|detectors|streaming|generators)$':
    '<rootDir>/libs/$1/src',
};

// ts-jest in transpile-only mode (types are checked by `npm run typecheck`). We do not use
// @swc/jest: the registry these machines use lacks some of its platform binaries, so a lock
// file with it cannot pass `npm ci`.
const transform: Config['transform'] = {
  '^.+\\.ts$': [
    'ts-jest',
    { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true, diagnostics: false },
  ],
};

const common = {
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/jest.setup.ts'],
};

const config: Config = {
  collectCoverageFrom: [
    'apps/**/src/**/*.ts',
    'libs/**/src/**/*.ts',
    '!**/main.ts',
    '!**/index.ts',
  ],
  coverageDirectory: 'coverage',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/test/support/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
      globalSetup: '<rootDir>/test/support/services/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/services/global-teardown.ts',
      slowTestThreshold: 30,
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};

export default config;
