// The whole deployment: the table (contract/table.ts), the review-link secret and the event bus,
// which outlive any one piece, and the pieces built on them: the HTTP API (lib/api.ts), events in
// (lib/order-pipeline.ts), events out (lib/event-publisher.ts) and the alarms (lib/monitoring.ts).
// Every function is built from its row (lib/registry-function.ts) and allowed exactly the table
// actions that row lists.
//
// The pieces build in this stack's scope rather than as child constructs, so the logical ids are
// those of the single-constructor stack they were split from: a refactor must never make
// CloudFormation replace the table, a queue, the bus, the secret, the API or a log group.
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type Route, routes } from '../contract/routes.ts';
import { registryTable } from '../contract/table.ts';
import { Api, type ApiProps } from './api.ts';
import { EventPublisher } from './event-publisher.ts';
import { Monitoring } from './monitoring.ts';
import { OrderPipeline } from './order-pipeline.ts';
import type { FunctionSettings } from './registry-function.ts';

// The benchmark bundles its baselines exactly as the stack does (bench/bundles.ts).
export { bundling } from './registry-function.ts';

export interface RegistryStackProps extends StackProps, Pick<ApiProps, 'throttleRate' | 'throttleBurst'> {
  /** `prod` keeps the table and logs on stack deletion and turns on deletion protection. */
  readonly stage: string;
  /** Base of questionnaire links in purchase responses. */
  readonly reviewBaseUrl: string;
  /** MB, for every function; 1024 when absent. */
  readonly memorySize?: number;
  readonly logRetention?: RetentionDays;
  /** Name of the event bus orders and reviews arrive on, and domain events leave on. */
  readonly eventBusName?: string;
  /**
   * How long a function reuses an API key it read (0 to 60 seconds; 60 when absent): a revoked
   * key stops working within this time.
   */
  readonly apiKeyCacheSeconds?: number;
  /** The route table; the real one unless a test passes another. */
  readonly routes?: readonly Route[];
}

export class RegistryStack extends Stack {
  readonly table: TableV2;
  readonly api: HttpApi;
  /** By route name. */
  readonly functions: ReadonlyMap<string, NodejsFunction>;
  readonly bus: EventBus;
  readonly ingestQueue: Queue;
  readonly ingestFunction: NodejsFunction;
  readonly publisherFunction: NodejsFunction;
  /** Ops alarms publish here; subscribe to it (e-mail, chat, paging). */
  readonly alarms: Topic;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const apiKeyCacheSeconds = props.apiKeyCacheSeconds ?? 60;
    if (!(apiKeyCacheSeconds >= 0 && apiKeyCacheSeconds <= 60)) throw new Error('apiKeyCacheSeconds must be 0 to 60');
    const prod = props.stage === 'prod';
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

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

    // HMAC keys, generated at deploy time, never in the template or the repository. Neither rotates
    // yet: that needs verification under two keys during an overlap.
    const reviewUrlSecret = this.hmacKey(
      'ReviewUrlSecret',
      'HMAC key that signs questionnaire links in purchase responses',
      'Questionnaire links already e-mailed to purchasers carry signatures under this key; ' +
        'rotating it would break them. ' +
        'Rotation needs verification under several keys first (noted on the partner-access issue).',
      removalPolicy,
    );
    const tokenSigningSecret = this.hmacKey(
      'TokenSigningSecret',
      'HMAC key that signs access tokens issued by the token endpoint (functions/auth/tokens.ts)',
      'Tokens live two hours and the key is read at cold start; rotation needs verification under ' +
        'two keys during the overlap (noted on the dialects issue).',
      removalPolicy,
    );
    const cursorSecret = this.hmacKey(
      'CursorSecret',
      'HMAC key that signs paging cursors (functions/http/cursor.ts)',
      'Cursors live a day; rotating it only sends clients paging at that moment back to the first page.',
      removalPolicy,
    );
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? `purchaser-registry-${props.stage}` });

    const functions: FunctionSettings = {
      table: this.table,
      logs: {
        retention: props.logRetention ?? (prod ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_WEEK),
        removalPolicy,
      },
      memorySize: props.memorySize ?? 1024,
      environment: {
        REVIEW_BASE_URL: props.reviewBaseUrl,
        REVIEW_URL_SECRET: reviewUrlSecret.secretValue.unsafeUnwrap(),
        EVENT_BUS_NAME: this.bus.eventBusName,
        API_KEY_CACHE_SECONDS: String(apiKeyCacheSeconds),
        TOKEN_SIGNING_SECRET: tokenSigningSecret.secretValue.unsafeUnwrap(),
        CURSOR_SECRET: cursorSecret.secretValue.unsafeUnwrap(),
      },
    };

    const api = new Api(this, {
      stage: props.stage,
      routes: props.routes ?? routes,
      functions,
      throttleRate: props.throttleRate,
      throttleBurst: props.throttleBurst,
    });
    this.api = api.httpApi;
    this.functions = api.functions;

    const orders = new OrderPipeline(this, { bus: this.bus, functions });
    this.ingestQueue = orders.queue;
    this.ingestFunction = orders.function;

    const publisher = new EventPublisher(this, { bus: this.bus, functions });
    this.publisherFunction = publisher.function;

    this.alarms = new Monitoring(this, { stage: props.stage, queues: [orders.deadLetters, publisher.failures] }).topic;

    new CfnOutput(this, 'ApiUrl', { value: api.stage.url, description: 'Base URL of the registry API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topicArn });
  }

  /** A generated secret for HMAC signatures, and why it does not rotate (cdk-nag SMG4). */
  private hmacKey(id: string, description: string, whyNoRotation: string, removalPolicy: RemovalPolicy): Secret {
    const secret = new Secret(this, id, {
      description,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: whyNoRotation });
    return secret;
  }
}
