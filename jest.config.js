/**
 * Projects: `unit` (no database), then the integration suites once on SQLite and, when
 * TEST_DATABASE_URL points at a PostgreSQL server, once more on PostgreSQL.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };
const integration = ['<rootDir>/test/integration/**/*.test.ts'];

module.exports = {
  testTimeout: 60000,
  // A suite whose test timed out may leave its server or pool open; the run must still end and
  // report (an open handle would otherwise hold CI until its time limit, with no result).
  // Jest prints "Force exiting Jest…" whenever this is set, open handles or not; a run with
  // `--forceExit=false --detectOpenHandles` (events, outbox, shutdown, WMS concurrency, on both
  // databases) ends by itself and reports none.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/contract/**/*.test.ts'] },
    { ...common, displayName: 'sqlite', testMatch: integration, setupFiles: ['<rootDir>/test/support/use-sqlite.ts'] },
    ...(process.env.TEST_DATABASE_URL
      ? [{ ...common, displayName: 'postgres', testMatch: integration, setupFiles: ['<rootDir>/test/support/use-postgres.ts'] }]
      : []),
  ],
};
