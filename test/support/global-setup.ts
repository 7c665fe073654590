// Starts one DynamoDB Local (in memory, shared-database mode) for the whole test run.
import type { TestProject } from 'vitest/node';
import { freePort, javaProblem, startDynamoDbLocal } from '../../local/dynamodb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const java = javaProblem();
  if (java) throw new Error(java);
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
