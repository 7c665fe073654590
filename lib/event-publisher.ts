// Events out: the table's stream, through the publisher function, onto the bus as domain events
// (contract/events.ts). A batch it cannot publish after its retries is written whole (the stream
// records themselves, not only their positions) to the failure bucket, where `npm run replay`
// publishes it again once the cause is fixed; each one raises an alarm (lib/monitoring.ts).
//
// Built in the stack's scope, not in a child construct, so the bucket keeps its logical id: a
// replaced bucket loses the records kept in it.
import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  type DlqDestinationConfig,
  FilterCriteria,
  FilterRule,
  type IEventSourceDlq,
  type IEventSourceMapping,
  type IFunction,
  MetricType,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { announcedEntities, publisherRow } from '../contract/events.ts';
import { type FunctionSettings, registryFunction } from './registry-function.ts';

/**
 * The failure bucket as a stream's on-failure destination, allowed to the publisher exactly as far
 * as Lambda needs: writing objects, and listing the bucket. (The library's S3 destination grants
 * reading, deleting and listing every object as well.)
 */
class FailureBucketDestination implements IEventSourceDlq {
  private readonly bucket: Bucket;

  constructor(bucket: Bucket) {
    this.bucket = bucket;
  }

  bind(_target: IEventSourceMapping, handler: IFunction): DlqDestinationConfig {
    handler.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    handler.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')] }),
    );
    const bucketId = Stack.of(this.bucket).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    if (handler.role) {
      Validations.of(handler.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        reason:
          'Lambda names the objects of failed batches itself; the publisher may only add objects to its own failure bucket.',
      });
    }
    return { destination: this.bucket.bucketArn };
  }
}

/** How long failed stream batches are kept: they hold table images, personal data included. */
export const STREAM_FAILURE_DAYS = 14;

export interface EventPublisherProps {
  /** Where domain events go; its name reaches the function as EVENT_BUS_NAME (`functions.environment`). */
  readonly bus: IEventBus;
  /** Settings of the publisher function; the stream read is that of `functions.table`. */
  readonly functions: FunctionSettings;
  /** Whether the failure bucket, and what it keeps, outlives the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/** A part of the stack, not a child construct: it builds in the scope it is given, so logical ids stay stable. */
export class EventPublisher {
  /** Failed batches, one object each (Lambda's invocation record, with the records). */
  readonly failures: Bucket;
  /** Stream records delivered to the failure bucket (one per record), per minute. */
  readonly failedRecords: Metric;
  readonly function: NodejsFunction;

  constructor(scope: Construct, props: EventPublisherProps) {
    this.failures = new Bucket(scope, 'PublishFailureBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(STREAM_FAILURE_DAYS) }],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the stream publisher writes here and only operators read failed batches back; an access log ' +
        'bucket would hold a second copy of who replayed what, which CloudTrail already records.',
    });
    this.function = registryFunction(scope, publisherRow, props.functions);
    props.bus.grantPutEventsTo(this.function);
    const source = new DynamoEventSource(props.functions.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      onFailure: new FailureBucketDestination(this.failures),
      // Counts what reaches the failure bucket (OnFailureDestinationDeliveredEventCount).
      metricsConfig: { metrics: [MetricType.EVENT_COUNT] },
      // Only the items domain events are made of; API keys and retry records never wake it.
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.or('INSERT', 'MODIFY'),
          dynamodb: { NewImage: { entity: { S: FilterRule.or(...announcedEntities) } } },
        }),
      ],
    });
    this.function.addEventSource(source);
    this.failedRecords = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'OnFailureDestinationDeliveredEventCount',
      dimensionsMap: { EventSourceMappingUUID: source.eventSourceMappingId },
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
  }
}
