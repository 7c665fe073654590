// The whole deployment: the table (lib/table.ts), an HTTP API, and one Lambda function and route
// per row of the route table (lib/routes.ts), each function allowed exactly the table actions its
// row lists.
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type Route, routes } from './routes.ts';
import { registryTable } from './table.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

export interface RegistryStackProps extends StackProps {
  /** `prod` keeps the table and logs on stack deletion and turns on deletion protection. */
  readonly stage: string;
  /** Base of questionnaire links in purchase responses. */
  readonly reviewBaseUrl: string;
  readonly memorySize?: number;
  readonly logRetention?: RetentionDays;
  /** The route table; the real one unless a test passes another. */
  readonly routes?: readonly Route[];
}

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

export class RegistryStack extends Stack {
  readonly table: TableV2;
  readonly api: HttpApi;
  readonly functions = new Map<string, NodejsFunction>();

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const prod = props.stage === 'prod';
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const retention = props.logRetention ?? (prod ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_WEEK);

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: registryTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: registryTable.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      globalSecondaryIndexes: registryTable.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      })),
      timeToLiveAttribute: registryTable.timeToLiveAttribute,
      dynamoStream: StreamViewType[registryTable.streamViewType],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy,
    });

    // Signs questionnaire links. Generated at deploy time, never in the template or the repository.
    const reviewUrlSecret = new Secret(this, 'ReviewUrlSecret', {
      description: 'HMAC key that signs questionnaire links in purchase responses',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy,
    });
    const environmentValues: Record<NonNullable<Route['environment']>[number], string> = {
      REVIEW_BASE_URL: props.reviewBaseUrl,
      REVIEW_URL_SECRET: reviewUrlSecret.secretValue.unsafeUnwrap(),
    };

    for (const route of props.routes ?? routes) {
      const fn = new NodejsFunction(this, `${route.name}Function`, {
        entry: `${root}${route.entry}`,
        handler: 'handler',
        projectRoot: root,
        depsLockFilePath: `${root}package-lock.json`,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: props.memorySize ?? 1024,
        timeout: Duration.seconds(10),
        bundling,
        loggingFormat: LoggingFormat.JSON,
        applicationLogLevelV2: ApplicationLogLevel.INFO,
        systemLogLevelV2: SystemLogLevel.WARN,
        logGroup: new LogGroup(this, `${route.name}Logs`, { retention, removalPolicy }),
        environment: {
          TABLE_NAME: this.table.tableName,
          LOG_LEVEL: 'info',
          NODE_OPTIONS: '--enable-source-maps',
          ...Object.fromEntries((route.environment ?? []).map((name) => [name, environmentValues[name]])),
        },
      });
      if (route.tableActions.length > 0) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: [...route.tableActions],
            resources: route.tableActions.includes('dynamodb:Query')
              ? [this.table.tableArn, `${this.table.tableArn}/index/*`]
              : [this.table.tableArn],
          }),
        );
      }
      this.functions.set(route.name, fn);
    }

    this.api = new HttpApi(this, 'Api', {
      apiName: `purchaser-registry-${props.stage}`,
      description: 'Customer and purchaser registry',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention, removalPolicy });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
          }),
        ),
      },
    });

    for (const route of props.routes ?? routes) {
      const integration = new HttpLambdaIntegration(`${route.name}Integration`, this.functions.get(route.name)!);
      new HttpRoute(this, `${route.name}Route`, {
        httpApi: this.api,
        routeKey:
          route.path === '$default'
            ? HttpRouteKey.DEFAULT
            : HttpRouteKey.with(route.path, route.method === 'ANY' ? HttpMethod.ANY : HttpMethod[route.method]),
        integration,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the registry API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
