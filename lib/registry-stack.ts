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
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ingestRow, publisherRow } from '../contract/events.ts';
import { type EnvironmentName, type FunctionRow, type Route, routes } from '../contract/routes.ts';
import { registryTable } from '../contract/table.ts';
import { Api } from './api.ts';
import { EventPublisher } from './event-publisher.ts';
import { Monitoring } from './monitoring.ts';
import { OrderPipeline } from './order-pipeline.ts';
import type { FunctionSettings } from './registry-function.ts';
import type { StageConfig } from './stage-config.ts';

// The benchmark bundles its baselines exactly as the stack does (bench/bundles.ts).
export { bundling } from './registry-function.ts';

export interface RegistryStackProps extends StackProps, StageConfig {
  /** Names the stack's resources; the stage's settings come with it (lib/stage-config.ts). */
  readonly stage: string;
  /** Name of the event bus orders and reviews arrive on, and domain events leave on. */
  readonly eventBusName?: string;
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
  /** Failed stream batches, kept whole. */
  readonly publishFailures: Bucket;
  /** Ops alarms publish here; subscribe to it (e-mail, chat, paging). */
  readonly alarms: Topic;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    // A stage that keeps its data also refuses to be deleted by accident.
    super(scope, id, { terminationProtection: props.retainData, ...props });
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

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
      deletionProtection: props.retainData,
      removalPolicy,
    });

    // HMAC keys, generated at deploy time, never in the template, the repository or a function's
    // configuration: a function gets their ARNs and reads them at cold start (functions/runtime/secrets.ts).
    // Each rotates by hand in two phases (README runbook), so nothing already signed breaks.
    const reviewUrlSecret = this.hmacKey(
      'ReviewUrlSecret',
      'HMAC key that signs questionnaire links in purchase responses',
      'Links already e-mailed to purchasers verify until the second rotation after them, and the ' +
        'questionnaire site must hold a new key before it signs: when to rotate is a decision, not a schedule.',
      removalPolicy,
    );
    const tokenSigningSecret = this.hmacKey(
      'TokenSigningSecret',
      'HMAC key that signs access tokens issued by the token endpoint (functions/auth/tokens.ts)',
      'Tokens live two hours, so any rotation that waits out its phases keeps every token working.',
      removalPolicy,
    );
    const cursorSecret = this.hmacKey(
      'CursorSecret',
      'HMAC key that signs paging cursors (functions/http/cursor.ts)',
      'Cursors live a day, so any rotation that waits out its phases keeps every cursor working.',
      removalPolicy,
    );
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? `purchaser-registry-${props.stage}` });

    const functions: FunctionSettings = {
      table: this.table,
      logs: {
        // The stage config accepts only the periods CloudWatch Logs has (RetentionDays' values).
        retention: props.logRetentionDays as RetentionDays,
        removalPolicy,
      },
      memorySize: props.memorySize,
      ...(props.rateLimit ? { rateLimit: `${props.rateLimit.requests}/${props.rateLimit.perSeconds}` } : {}),
      environment: {
        REVIEW_BASE_URL: props.reviewBaseUrl,
        REVIEW_URL_SECRET_ARN: reviewUrlSecret.secretArn,
        EVENT_BUS_NAME: this.bus.eventBusName,
        API_KEY_CACHE_SECONDS: String(props.apiKeyCacheSeconds),
        REVIEW_URL_HOSTS: props.reviewUrlHosts.join(','),
        TOKEN_SIGNING_SECRET_ARN: tokenSigningSecret.secretArn,
        CURSOR_SECRET_ARN: cursorSecret.secretArn,
      },
    };

    const api = new Api(this, {
      stage: props.stage,
      routes: props.routes ?? routes,
      functions,
      throttle: props.throttle,
      domain: props.domain,
    });
    this.api = api.httpApi;
    this.functions = api.functions;

    const orders = new OrderPipeline(this, {
      bus: this.bus,
      functions,
      eventSources: props.eventSources,
      producerAccounts: props.producerAccounts,
      archiveRetentionDays: props.archiveRetentionDays,
      removalPolicy,
    });
    this.ingestQueue = orders.queue;
    this.ingestFunction = orders.function;

    const publisher = new EventPublisher(this, { bus: this.bus, functions, removalPolicy });
    this.publisherFunction = publisher.function;

    // Each function may read exactly the secrets its row names (as `<NAME>_ARN`), no other.
    const secrets = new Map<EnvironmentName, Secret>([
      ['REVIEW_URL_SECRET_ARN', reviewUrlSecret],
      ['TOKEN_SIGNING_SECRET_ARN', tokenSigningSecret],
      ['CURSOR_SECRET_ARN', cursorSecret],
    ]);
    const rows: [FunctionRow, NodejsFunction][] = [
      ...(props.routes ?? routes).map((row): [FunctionRow, NodejsFunction] => [row, api.functions.get(row.name)!]),
      [ingestRow, orders.function],
      [publisherRow, publisher.function],
    ];
    for (const [row, fn] of rows) for (const name of row.environment ?? []) secrets.get(name)?.grantRead(fn);
    this.publishFailures = publisher.failures;

    this.alarms = new Monitoring(this, {
      stage: props.stage,
      alarmEmails: props.alarmEmails,
      accountConcurrency: props.accountConcurrency,
      api,
      functions: [...api.functions.values(), orders.function, publisher.function],
      ingestQueue: orders.queue,
      queues: [orders.deadLetters, orders.undelivered],
      streamConsumer: publisher.function,
      streamFailures: publisher.failedRecords,
      rules: orders.rules,
      table: this.table,
    }).topic;

    new CfnOutput(this, 'ApiUrl', { value: api.stage.url, description: 'Base URL of the registry API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topicArn });
    // What the runbook (README) names: where failed work waits, and where it goes back to.
    new CfnOutput(this, 'IngestQueueArn', { value: orders.queue.queueArn });
    new CfnOutput(this, 'IngestDeadLetterQueueArn', { value: orders.deadLetters.queue.queueArn });
    new CfnOutput(this, 'IngestUndeliveredQueueArn', { value: orders.undelivered.queue.queueArn });
    new CfnOutput(this, 'EventArchiveArn', { value: orders.archive.archiveArn });
    new CfnOutput(this, 'StreamFailureBucketName', { value: publisher.failures.bucketName });
  }

  /** A generated secret for HMAC signatures, and why it rotates by hand (cdk-nag SMG4). */
  private hmacKey(id: string, description: string, whyByHand: string, removalPolicy: RemovalPolicy): Secret {
    const secret = new Secret(this, id, {
      description,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy,
    });
    // The ARN, not the value: what the rotation runbook (README) names.
    new CfnOutput(this, `${id}Arn`, { value: secret.secretArn, description });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated by hand in two phases (README runbook): a new value is put up as AWSPENDING, which every ' +
        'function accepts once it refreshes its keys (every 5 minutes), and only then promoted to AWSCURRENT, ' +
        'which signs; the value it replaces stays accepted as AWSPREVIOUS until the next rotation. ' +
        "Secrets Manager's scheduled rotation runs its four steps back to back, so functions would meet " +
        'signatures under a key they have not read yet. ' +
        whyByHand,
    });
    return secret;
  }
}
