// The CDK app: `npm run synth`, `npx cdk deploy -c stage=<name>`.
//
// Context: stage (default dev), reviewBaseUrl (required for prod), memorySize (MB, default 1024),
// throttleRate / throttleBurst (requests per second / at once, default 100 / 200),
// apiKeyCacheSeconds (0 to 60, default 60), eventBusName (default purchaser-registry-<stage>).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RegistryStack } from '../lib/registry-stack.ts';

const app = new App();
// AWS Solutions checks run on every synth: an unacknowledged finding stops synth and deploy.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
  throw new Error(`stage must be 1 to 20 lower-case letters, digits or "-", starting with a letter: ${stage}`);
}
const reviewBaseUrl = app.node.tryGetContext('reviewBaseUrl') as string | undefined;
if (stage === 'prod' && !reviewBaseUrl) {
  throw new Error('prod needs the questionnaire site: cdk deploy -c stage=prod -c reviewBaseUrl=https://...');
}
const number = (name: string) => {
  const value = app.node.tryGetContext(name);
  if (value === undefined) return {};
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative number: ${value}`);
  return { [name]: parsed };
};

new RegistryStack(app, `PurchaserRegistry-${stage}`, {
  stage,
  reviewBaseUrl: reviewBaseUrl ?? 'https://reviews.example.com',
  ...number('memorySize'),
  ...number('throttleRate'),
  ...number('throttleBurst'),
  ...number('apiKeyCacheSeconds'),
  ...(app.node.tryGetContext('eventBusName') ? { eventBusName: String(app.node.tryGetContext('eventBusName')) } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: `Customer and purchaser registry (${stage})`,
});
