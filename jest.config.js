// Tests are compiled by tsc with the rest of the project and run as native ESM from dist/,
// so what is tested is exactly what ships; snapshots live beside the TypeScript sources.
export default {
  testEnvironment: 'node',
  transform: {},
  roots: ['<rootDir>/dist'],
  testMatch: ['**/*.test.js'],
  snapshotResolver: '<rootDir>/scripts/snapshot-resolver.cjs',
  testTimeout: 120000,
};
