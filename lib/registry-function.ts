// One Lambda function of the registry, built from its row (contract/routes.ts `FunctionRow`): its
// log group, a role allowed exactly the row's table grants (actions on kinds of items), and the
// bundled function. Every route and the event consumers go through here.
//
// Like the other pieces of lib/, it builds in the scope it is given (the stack), not in a child
// construct: a child would prefix every logical id, and CloudFormation would replace the function,
// its role and its log group (losing the logs) on the next deploy.
import { createRequire } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  checksCredentials,
  type EnvironmentName,
  type FunctionRow,
  tableAccessOf,
  timeoutSecondsOf,
} from '../contract/routes.ts';
import { itemKinds } from '../contract/table.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

/** esbuild settings shared by every function (and by the benchmark's baseline). */
export const bundling = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // Prefer packages' ES module builds: smaller bundles after tree shaking.
  mainFields: ['module', 'main'],
  // The SDK goes into the bundle: the version we test is the version that runs, tree-shaken.
  bundleAwsSDK: true,
  // CommonJS code inside an ES module bundle still calls require() for Node built-ins.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};

/**
 * The bundling of `row`'s function: the shared settings, and the files the row reads at run time
 * (`FunctionRow.assets`) copied into the bundle at `node_modules/<specifier>`, where the bundle's
 * `import.meta.resolve(specifier)` finds them as the repository's does.
 */
export function bundlingOf(row: FunctionRow): BundlingOptions {
  const assets = row.assets ?? [];
  if (assets.length === 0) return bundling;
  const resolve = createRequire(root).resolve;
  // Resolved now, so a file that is not installed fails the synth, not a request.
  const copies = assets.map((specifier) => ({
    from: relative(root, resolve(specifier)),
    to: `node_modules/${specifier}`,
  }));
  return {
    ...bundling,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) =>
        copies.map(
          ({ from, to }) => `mkdir -p "${outputDir}/${dirname(to)}" && cp "${inputDir}/${from}" "${outputDir}/${to}"`,
        ),
    },
  };
}

/** How long a stage keeps its log groups, and whether they outlive the stack. */
export interface LogSettings {
  readonly retention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** What every function of a stack shares; the row brings the rest. */
export interface FunctionSettings {
  readonly table: ITableV2;
  readonly logs: LogSettings;
  readonly memorySize: number;
  /** The value of each setting a row may ask for (`FunctionRow.environment`). */
  readonly environment: Readonly<Record<EnvironmentName, string>>;
  /** `<requests>/<seconds>` per API key, for every function that checks a credential; none when absent. */
  readonly rateLimit?: string;
}

/** The row's Lambda timeout; queues fed to the function size their visibility timeout from it. */
export const timeoutOf = (row: FunctionRow): Duration => Duration.seconds(timeoutSecondsOf(row));

/** Builds `row`'s function in `scope`, under the ids `<name>Logs`, `<name>Role` and `<name>Function`. */
export function registryFunction(scope: Construct, row: FunctionRow, settings: FunctionSettings): NodejsFunction {
  const { table } = settings;
  const logGroup = new LogGroup(scope, `${row.name}Logs`, {
    retention: settings.logs.retention,
    removalPolicy: settings.logs.removalPolicy,
  });
  // An explicit role instead of the default one with AWSLambdaBasicExecutionRole: the function
  // may write to its own log group and use its own table actions, nothing else.
  const role = new Role(scope, `${row.name}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  // One statement per grant: its actions, on the table (or, for index partitions, on the index
  // they are listed in, named: no wildcard), for partition keys of its kinds only. For an index
  // Query the key IAM matches is the index partition the request names.
  // Counting calls is granted where the stage sets a per-key rate limit, as RATE_LIMIT is below.
  for (const grant of tableAccessOf(row, { rateLimited: Boolean(settings.rateLimit) })) {
    const kinds = grant.items.map((item) => itemKinds[item]);
    const placeOf = (kind: (typeof kinds)[number]) =>
      'index' in kind ? `${table.tableArn}/index/${kind.index}` : table.tableArn;
    role.addToPolicy(
      new PolicyStatement({
        actions: [...grant.tableActions],
        resources: [...new Set(kinds.map(placeOf))],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': kinds.map((kind) => kind.partition) } },
      }),
    );
  }
  const fn = new NodejsFunction(scope, `${row.name}Function`, {
    entry: `${root}${row.entry}`,
    handler: 'handler',
    projectRoot: root,
    depsLockFilePath: `${root}package-lock.json`,
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: settings.memorySize,
    timeout: timeoutOf(row),
    bundling: bundlingOf(row),
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    // The one log-level switch: Lambda passes it to the code as AWS_LAMBDA_LOG_LEVEL and drops
    // lines below it. INFO is the floor for metrics, which ride on info lines (functions/runtime/metrics.ts).
    applicationLogLevelV2: ApplicationLogLevel.INFO,
    // Lambda's own lines: START, END, REPORT (duration, memory, init time) and platform errors.
    systemLogLevelV2: SystemLogLevel.INFO,
    // A trace per sampled invocation (init, invocation, overhead); with it comes the X-Ray write permission.
    tracing: Tracing.ACTIVE,
    environment: {
      TABLE_NAME: table.tableName,
      // The metrics' service dimension: stages sharing an account stay apart.
      SERVICE_NAME: Stack.of(scope).stackName,
      // No NODE_OPTIONS=--enable-source-maps: it parses the source map at every cold start
      // (about a tenth of it). Logged stacks are mapped on demand (functions/runtime/stack-trace.ts).
      ...Object.fromEntries((row.environment ?? []).map((name) => [name, settings.environment[name]])),
      // The per-key limit (functions/auth/rate-limit.ts) applies wherever a credential is checked.
      ...(settings.rateLimit && checksCredentials(row) ? { RATE_LIMIT: settings.rateLimit } : {}),
    },
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "Active tracing's grant: xray:PutTraceSegments and xray:PutTelemetryRecords take no resource-level " +
      'permissions, so X-Ray allows them only on "*".',
  });
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      'Never invoked asynchronously: API Gateway invokes the routes synchronously, and the event consumers are ' +
      "polled by event source mappings, whose failures go to their sources' own destinations (lib/order-pipeline.ts, " +
      'lib/event-publisher.ts). A function dead-letter queue would never receive anything.',
  });
  return fn;
}
