import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests that only build the CDK stack in this process. Loading aws-cdk-lib and warming it up costs
 * several seconds of CPU, more than most of these files' tests, so they share their worker
 * processes instead of a fresh one each (isolate: false): each builds its own App, and none needs
 * DynamoDB Local. synth.test.ts is not one of them: it runs the bundles against DynamoDB Local.
 */
const stackOnly = 'test/infra/!(synth).test.ts';

export default defineConfig({
  test: {
    // Two test files at a time even on two CPUs (Vitest's default there is one): much of the run
    // waits on child processes, DynamoDB Local and deadlines rather than computing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // What the handler modules read at load time; test files that run handlers against
    // DynamoDB Local build their own dependencies or override these first.
    env: {
      TABLE_NAME: 'registry-unused',
      REVIEW_BASE_URL: 'https://reviews.test',
      REVIEW_URL_SECRET: 'test-secret-test-secret-test-secret-0123',
      TOKEN_SIGNING_SECRET: 'test-token-secret-test-token-secret-0123',
      CURSOR_SECRET: 'test-cursor-secret-test-cursor-secret-0123',
      LOG_LEVEL: 'silent',
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    projects: [
      {
        extends: true,
        test: { name: 'stack', include: [stackOnly], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, stackOnly],
          // One DynamoDB Local (in memory) for the whole run; each test file creates its own table.
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
