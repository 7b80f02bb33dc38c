/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // The Kafka suite needs a broker: `npm run test:kafka` starts one (scripts/kafka-local.sh) and sets KAFKA_BROKERS.
  testPathIgnorePatterns: process.env.KAFKA_BROKERS ? ['/node_modules/'] : ['/node_modules/', '/test/kafka/'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // End-to-end specs boot the real exchange in a child process (PGlite takes a few seconds to start).
  testTimeout: 60_000,
};
