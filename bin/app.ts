// The CDK app: `npm run synth`, `npm run cdk -- deploy -c stage=<name>`.
//
// Everything a stage deploys is in cdk.json (`context.stages.<name>`, checked by
// lib/stage-config.ts); `-c stage=` only picks one (dev when absent).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { RegistryStack } from '../lib/registry-stack.ts';
import { stageConfig } from '../lib/stage-config.ts';

const app = new App();
// Both packs run on every synth: an unacknowledged finding stops synth and deploy.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
const config = stageConfig(app.node.tryGetContext('stages'), stage);

new RegistryStack(app, `PurchaserRegistry-${stage}`, {
  stage,
  ...config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: `Customer and purchaser registry (${stage})`,
});
