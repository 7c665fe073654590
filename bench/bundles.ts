// The exact bundles CDK deploys (the real stack, synthesised with bundling), and the bare twins
// bundled the same way (a NodejsFunction each, with their row's bundling: the files it ships too).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { routes } from '../contract/routes.ts';
import { bundling, bundlingOf } from '../lib/registry-function.ts';
import { RegistryStack } from '../lib/registry-stack.ts';
import { cdkJsonContext, stageConfig } from '../lib/stage-config.ts';
import { FUNCTIONS, type FunctionName, TWINS } from './functions.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

export interface Bundle {
  /** index.mjs, as deployed. */
  readonly file: string;
  readonly bytes: number;
  readonly sourceMapBytes: number;
}

const routeRow = (name: FunctionName) => routes.find((row) => row.name === name);

export function synthBundles(outdir: string): {
  ours: Record<FunctionName, Bundle>;
  twins: Record<FunctionName, Bundle>;
} {
  // Asset metadata (the CLI turns it on) names each function's bundle folder in the template.
  const context = cdkJsonContext();
  const app = new App({ outdir, context: { ...context, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new RegistryStack(app, 'Bench', { stage: 'bench', ...stageConfig(context.stages, 'dev') });
  const twinStack = new Stack(app, 'BenchTwins');
  const twins = Object.fromEntries(
    FUNCTIONS.map((name) => [
      name,
      new NodejsFunction(twinStack, `${name}Twin`, {
        entry: `${root}bench/baselines/${TWINS[name]}.ts`,
        handler: 'handler',
        projectRoot: root,
        depsLockFilePath: `${root}package-lock.json`,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        bundling: routeRow(name) ? bundlingOf(routeRow(name)!) : bundling,
      }),
    ]),
  ) as Record<FunctionName, NodejsFunction>;
  // Each route's function under its row's name, and the two functions behind no route.
  const unrouted: Partial<Record<FunctionName, NodejsFunction>> = {
    Ingest: stack.ingestFunction,
    Publisher: stack.publisherFunction,
  };
  const ours = Object.fromEntries(
    FUNCTIONS.map((name) => {
      const fn = unrouted[name] ?? stack.functions.get(name);
      if (!fn) throw new Error(`the stack has no function ${name}`);
      return [name, fn];
    }),
  ) as Record<FunctionName, NodejsFunction>;
  app.synth();

  const bundleOf = (owner: Stack, fn: NodejsFunction): Bundle => {
    const template = JSON.parse(readFileSync(join(outdir, `${owner.artifactId}.template.json`), 'utf8'));
    const resource = template.Resources[owner.getLogicalId(fn.node.defaultChild as never)];
    const dir = join(outdir, resource.Metadata['aws:asset:path']);
    const file = join(dir, 'index.mjs');
    return { file, bytes: statSync(file).size, sourceMapBytes: statSync(`${file}.map`).size };
  };
  const map = (owner: Stack, functions: Record<FunctionName, NodejsFunction>) =>
    Object.fromEntries(FUNCTIONS.map((name) => [name, bundleOf(owner, functions[name])])) as Record<
      FunctionName,
      Bundle
    >;
  return { ours: map(stack, ours), twins: map(twinStack, twins) };
}
