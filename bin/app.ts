// The CDK app: `npm run synth`, `npx cdk deploy -c stage=<name>`.
//
// Context: stage (default dev), reviewBaseUrl (required for prod), memorySize (MB, default 1024).
import { App } from 'aws-cdk-lib';
import { RegistryStack } from '../lib/registry-stack.ts';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
  throw new Error(`stage must be 1 to 20 lower-case letters, digits or "-", starting with a letter: ${stage}`);
}
const reviewBaseUrl = app.node.tryGetContext('reviewBaseUrl') as string | undefined;
if (stage === 'prod' && !reviewBaseUrl) {
  throw new Error('prod needs the questionnaire site: cdk deploy -c stage=prod -c reviewBaseUrl=https://...');
}
const memorySize = app.node.tryGetContext('memorySize');

new RegistryStack(app, `PurchaserRegistry-${stage}`, {
  stage,
  reviewBaseUrl: reviewBaseUrl ?? 'https://reviews.example.com',
  ...(memorySize ? { memorySize: Number(memorySize) } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: `Customer and purchaser registry (${stage})`,
});
