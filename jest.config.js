/**
 * Tests run against real PostgreSQL; test/setup-database.ts says how the database is chosen.
 * Our code is ESM (Jest runs with --experimental-vm-modules). A few CommonJS dependencies
 * require() packages that are ESM-only, which Node 20's Jest cannot load, so those packages are
 * compiled to CommonJS for the tests (on Node 24.9+ Jest loads them natively).
 */
const esmOnlyRequiredFromCjs = ['cookie'];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
    [`node_modules/(${esmOnlyRequiredFromCjs.join('|')})/.+\\.js$`]: ['babel-jest', { babelrc: false, configFile: false, plugins: ['@babel/plugin-transform-modules-commonjs'] }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyRequiredFromCjs.join('|')})/)`],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
};
