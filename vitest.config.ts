import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local (in memory) for the whole run; each test file creates its own table.
    globalSetup: ['test/support/global-setup.ts'],
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
  },
});
