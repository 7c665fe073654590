// The whole deployment: the table (lib/table.ts), an HTTP API, and one Lambda function and route
// per row of the route table (lib/routes.ts), each function allowed exactly the table actions its
// row lists.
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { authorizer as authorizerRow, type KeyPrefix, type Route, routes, type TableAction } from './routes.ts';
import { registryTable } from './table.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

interface TableAccess {
  readonly tableActions: readonly TableAction[];
  readonly keyPrefixes: readonly KeyPrefix[];
}

export interface RegistryStackProps extends StackProps {
  /** `prod` keeps the table and logs on stack deletion and turns on deletion protection. */
  readonly stage: string;
  /** Base of questionnaire links in purchase responses. */
  readonly reviewBaseUrl: string;
  readonly memorySize?: number;
  readonly logRetention?: RetentionDays;
  /** Steady requests per second the API accepts before answering 429 (whole stage). */
  readonly throttleRate?: number;
  /** Requests the API accepts at once above the steady rate. */
  readonly throttleBurst?: number;
  /** How long API Gateway reuses the authorizer's answer for one Authorization header (0 to 300). */
  readonly authorizerCacheSeconds?: number;
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
  /** By route name. */
  readonly functions = new Map<string, NodejsFunction>();
  readonly authorizerFunction: NodejsFunction;

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
    Validations.of(reviewUrlSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Questionnaire links already e-mailed to purchasers carry signatures under this key; rotating it would break them. ' +
        'Rotation needs verification under several keys first (noted on the partner-access issue).',
    });
    const environmentValues: Record<NonNullable<Route['environment']>[number], string> = {
      REVIEW_BASE_URL: props.reviewBaseUrl,
      REVIEW_URL_SECRET: reviewUrlSecret.secretValue.unsafeUnwrap(),
    };

    const lambda = (name: string, entry: string, access: TableAccess, environment: Record<string, string> = {}) => {
      const logGroup = new LogGroup(this, `${name}Logs`, { retention, removalPolicy });
      // An explicit role instead of the default one with AWSLambdaBasicExecutionRole: the function
      // may write to its own log group and use its own table actions, nothing else.
      const role = new Role(this, `${name}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      logGroup.grantWrite(role);
      if (access.tableActions.length > 0) {
        role.addToPolicy(
          new PolicyStatement({
            actions: [...access.tableActions],
            resources: access.tableActions.includes('dynamodb:Query')
              ? [this.table.tableArn, `${this.table.tableArn}/index/*`]
              : [this.table.tableArn],
            // Partition keys start with the kind of data: this function reaches only its kinds.
            conditions: {
              'ForAllValues:StringLike': {
                'dynamodb:LeadingKeys': access.keyPrefixes.map((prefix) => `${registryTable.prefixes[prefix]}*`),
              },
            },
          }),
        );
      }
      return new NodejsFunction(this, `${name}Function`, {
        entry: `${root}${entry}`,
        handler: 'handler',
        projectRoot: root,
        depsLockFilePath: `${root}package-lock.json`,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: props.memorySize ?? 1024,
        timeout: Duration.seconds(10),
        bundling,
        role,
        logGroup,
        loggingFormat: LoggingFormat.JSON,
        applicationLogLevelV2: ApplicationLogLevel.INFO,
        systemLogLevelV2: SystemLogLevel.WARN,
        environment: {
          TABLE_NAME: this.table.tableName,
          LOG_LEVEL: 'info',
          NODE_OPTIONS: '--enable-source-maps',
          ...environment,
        },
      });
    };

    for (const route of props.routes ?? routes) {
      const environment = Object.fromEntries((route.environment ?? []).map((name) => [name, environmentValues[name]]));
      this.functions.set(route.name, lambda(route.name, route.entry, route, environment));
    }
    this.authorizerFunction = lambda(authorizerRow.name, authorizerRow.entry, authorizerRow);
    const cacheSeconds = props.authorizerCacheSeconds ?? 300;
    if (!(cacheSeconds >= 0 && cacheSeconds <= 300)) throw new Error('authorizerCacheSeconds must be 0 to 300');
    const partnerKey = new HttpLambdaAuthorizer('PartnerKey', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(cacheSeconds),
    });

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
      throttle: { rateLimit: props.throttleRate ?? 100, burstLimit: props.throttleBurst ?? 200 },
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
            authorizerError: '$context.authorizer.error',
            keyId: '$context.authorizer.key_id',
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
        ...(route.auth === 'partner' ? { authorizer: partnerKey } : {}),
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the registry API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
