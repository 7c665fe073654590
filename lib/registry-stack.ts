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
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  FilterCriteria,
  FilterRule,
  LoggingFormat,
  Runtime,
  StartingPosition,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { incomingEventTypes, ingest as ingestRow, publisher as publisherRow } from './events.ts';
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
  /** Name of the event bus orders and reviews arrive on, and domain events leave on. */
  readonly eventBusName?: string;
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
  readonly bus: EventBus;
  readonly ingestQueue: Queue;
  readonly ingestFunction: NodejsFunction;
  readonly publisherFunction: NodejsFunction;
  /** Ops alarms publish here; subscribe to it (e-mail, chat, paging). */
  readonly alarms: Topic;

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

    const lambda = (
      name: string,
      entry: string,
      access: TableAccess,
      environment: Record<string, string> = {},
      timeout = Duration.seconds(10),
    ) => {
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
        timeout,
        bundling,
        role,
        logGroup,
        loggingFormat: LoggingFormat.JSON,
        applicationLogLevelV2: ApplicationLogLevel.INFO,
        systemLogLevelV2: SystemLogLevel.WARN,
        environment: {
          TABLE_NAME: this.table.tableName,
          LOG_LEVEL: 'info',
          // No NODE_OPTIONS=--enable-source-maps: it parses the source map at every cold start
          // (about a tenth of it). Logged stacks are mapped on demand (functions/shared/stack-trace.ts).
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

    // Events in: a rule per incoming type, all into one queue; one consumer with partial batch
    // failures; what fails 5 times lands in the dead-letter queue, and its depth raises an alarm.
    this.alarms = new Topic(this, 'Alarms', { displayName: `Purchaser registry ${props.stage} alarms`, enforceSSL: true });
    const alarmOn = (id: string, queue: Queue, description: string) =>
      new Alarm(this, id, {
        alarmDescription: description,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new SnsAction(this.alarms));

    this.bus = new EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? `purchaser-registry-${props.stage}` });
    const ingestTimeout = Duration.seconds(30);
    const ingestDeadLetters = new Queue(this, 'IngestDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.ingestQueue = new Queue(this, 'IngestQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the consumer's timeout, as Lambda recommends for SQS event sources.
      visibilityTimeout: Duration.seconds(ingestTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: ingestDeadLetters, maxReceiveCount: 5 },
    });
    Validations.of(ingestDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the ingest queue; its depth raises an alarm.',
    });
    for (const type of incomingEventTypes) {
      new Rule(this, `${type.replace(/[^A-Za-z0-9]/g, '')}Rule`, {
        eventBus: this.bus,
        description: `${type} events into the ingest queue`,
        eventPattern: { detailType: [type] },
        targets: [new SqsQueue(this.ingestQueue)],
      });
    }
    this.ingestFunction = lambda(ingestRow.name, ingestRow.entry, ingestRow, {}, ingestTimeout);
    this.ingestFunction.addEventSource(
      new SqsEventSource(this.ingestQueue, { batchSize: 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true }),
    );
    alarmOn('IngestDeadLettersAlarm', ingestDeadLetters, 'Events that could not be ingested after 5 attempts are waiting in the dead-letter queue.');

    // Events out: the table's stream, through the publisher, onto the bus. Records it cannot
    // publish after its retries go to a failure queue (with an alarm), never silently away.
    const publishFailures = new Queue(this, 'PublishFailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(publishFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the failure destination of the stream publisher; its depth raises an alarm.',
    });
    this.publisherFunction = lambda(publisherRow.name, publisherRow.entry, publisherRow, { EVENT_BUS_NAME: this.bus.eventBusName }, Duration.seconds(30));
    this.bus.grantPutEventsTo(this.publisherFunction);
    this.publisherFunction.addEventSource(
      new DynamoEventSource(this.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(publishFailures),
        // Only the items domain events are made of; API keys and retry records never wake it.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { NewImage: { entity: { S: FilterRule.or('customer', 'purchaser', 'purchase') } } },
          }),
        ],
      }),
    );
    alarmOn('PublishFailuresAlarm', publishFailures, 'Table changes that could not be published as domain events are waiting in the failure queue.');

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the registry API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topicArn });
  }
}
