/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // End-to-end specs boot the real exchange in a child process (PGlite takes a few seconds to start).
  testTimeout: 60_000,
};
