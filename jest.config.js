const { existsSync } = require('node:fs');

if (!existsSync('/usr/bin/chromium')) {
  console.warn('/usr/bin/chromium is missing: the browser tests (test/web) are skipped');
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/packages/client/src'],
  testMatch: ['**/*.spec.ts'],
  // The Kafka suite needs a broker: `npm run test:kafka` starts one (scripts/kafka-local.sh) and sets KAFKA_BROKERS.
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.KAFKA_BROKERS ? [] : ['/test/kafka/']),
    // The Slurm suite needs a Slurm: `npm run test:slurm` starts one (scripts/slurm-local.sh) and sets SLURM_CONF.
    ...(process.env.SLURM_CONF ? [] : ['/test/slurm/']),
    // The trader's page is tested in Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it).
    ...(existsSync('/usr/bin/chromium') ? [] : ['/test/web/']),
  ],
  // After each suite, every response it received must match the OpenAPI document (test/support/openapi-conformance.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/conformance-setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // End-to-end specs boot the real exchange in a child process (PGlite takes a few seconds to start).
  testTimeout: 60_000,
};
