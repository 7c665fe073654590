// One Lambda function of the registry, built from its row (contract/routes.ts `FunctionRow`): its
// log group, a role allowed exactly the row's table actions on the row's kinds of keys, and the
// bundled function. Every route and the event consumers go through here.
//
// Like the other pieces of lib/, it builds in the scope it is given (the stack), not in a child
// construct: a child would prefix every logical id, and CloudFormation would replace the function,
// its role and its log group (losing the logs) on the next deploy.
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type EnvironmentName, type FunctionRow, tableAccessOf, timeoutSecondsOf } from '../contract/routes.ts';
import { registryTable } from '../contract/table.ts';

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
  for (const access of tableAccessOf(row)) {
    role.addToPolicy(
      new PolicyStatement({
        actions: [...access.tableActions],
        // Queries may read the table's own indexes, each named (no wildcard).
        resources: access.tableActions.includes('dynamodb:Query')
          ? [table.tableArn, ...registryTable.indexes.map((index) => `${table.tableArn}/index/${index.name}`)]
          : [table.tableArn],
        // Partition keys start with the kind of data: each grant reaches only its kinds.
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': access.keyPrefixes.map((prefix) => `${registryTable.prefixes[prefix]}*`),
          },
        },
      }),
    );
  }
  return new NodejsFunction(scope, `${row.name}Function`, {
    entry: `${root}${row.entry}`,
    handler: 'handler',
    projectRoot: root,
    depsLockFilePath: `${root}package-lock.json`,
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: settings.memorySize,
    timeout: timeoutOf(row),
    bundling,
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: ApplicationLogLevel.INFO,
    systemLogLevelV2: SystemLogLevel.WARN,
    environment: {
      TABLE_NAME: table.tableName,
      LOG_LEVEL: 'info',
      // No NODE_OPTIONS=--enable-source-maps: it parses the source map at every cold start
      // (about a tenth of it). Logged stacks are mapped on demand (functions/runtime/stack-trace.ts).
      ...Object.fromEntries((row.environment ?? []).map((name) => [name, settings.environment[name]])),
    },
  });
}
