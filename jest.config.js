// One jest configuration, three kinds of test (see STYLE.md): unit (*.spec.ts, pure and fast),
// integration (*.int-spec.ts, real PostgreSQL / Redis) and end to end (*.e2e-spec.ts, the real app over HTTP).
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }],
    // ES-module-only packages under CommonJS ones (content-disposition under @fastify/static): jest on Node 20
    // cannot require(esm), so they are compiled to CommonJS like our own code.
    '^.+/node_modules/.+\\.js$': ['@swc/jest', { ...swc, swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@fastify/static/node_modules/)?content-disposition/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@zhenggai/domain$': '<rootDir>/libs/domain/src',
    '^@zhenggai/application$': '<rootDir>/libs/application/src',
    '^@zhenggai/postgres$': '<rootDir>/libs/postgres/src',
    '^@zhenggai/platform$': '<rootDir>/libs/platform/src',
    '^@zhenggai/read-models$': '<rootDir>/libs/read-models/src',
    '^@zhenggai/notifications$': '<rootDir>/libs/notifications/src',
    '^@zhenggai/eventstoredb$': '<rootDir>/libs/eventstoredb/src',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

// Integration and end-to-end files share a PostgreSQL (global setup), get timeouts sized for a loaded 2-core
// machine, and close what they opened after each file, even when a hook failed half-way (setup-with-servers.ts).
const withServers = {
  ...shared,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/setup-with-servers.ts'],
};

module.exports = {
  // A unit test has no I/O: a short leash, even on a busy machine.
  testTimeout: 15_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'] },
    { ...withServers, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'] },
    { ...withServers, displayName: 'e2e', testMatch: ['<rootDir>/{apps,libs,test}/**/*.e2e-spec.ts'] },
  ],
};
