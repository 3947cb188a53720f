/**
 * The fault tests (test/faults/*.fault.ts): each starts its own PostgreSQL cluster and the real
 * server process, then breaks something under load. They take minutes, not seconds, so they run
 * apart from `npm test`: `npm run test:faults`. One at a time, so their timings do not disturb
 * each other. Transforms are the root config's.
 */
import root from '../../jest.config.js';

export default {
  rootDir: '../..',
  testEnvironment: root.testEnvironment,
  extensionsToTreatAsEsm: root.extensionsToTreatAsEsm,
  moduleNameMapper: root.moduleNameMapper,
  transform: root.transform,
  transformIgnorePatterns: root.transformIgnorePatterns,
  testMatch: ['<rootDir>/test/faults/**/*.fault.ts'],
  testTimeout: 240_000,
  maxWorkers: 1,
};
