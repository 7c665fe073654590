// The stack as the tests synthesise it: with cdk.json's context (feature flags included, so the
// template checked is the one that deploys), a stage's settings from cdk.json, overrides on top,
// bundling skipped (synth.test.ts bundles once), and both cdk-nag packs watching.
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { RegistryStack, type RegistryStackProps } from '../../lib/registry-stack.ts';
import { cdkJsonContext, type StageConfig, stageConfig } from '../../lib/stage-config.ts';

/** A stage's settings as cdk.json has them. */
export const configOf = (stage: 'dev' | 'prod'): StageConfig => stageConfig(cdkJsonContext().stages, stage);

/** A stack of `stage` (its cdk.json settings, then `overrides`), not yet synthesised. */
export function testStack(stage: 'dev' | 'prod' = 'dev', overrides: Partial<RegistryStackProps> = {}, id?: string) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new RegistryStack(app, id ?? `Test-${stage}`, { stage, ...configOf(stage), ...overrides });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}

/** Synthesises; throws on any unacknowledged cdk-nag finding. */
export function synth(stage: 'dev' | 'prod' = 'dev', overrides: Partial<RegistryStackProps> = {}) {
  const { stack } = testStack(stage, overrides);
  return { stack, template: Template.fromStack(stack) };
}
