// Ops alarms: one SNS topic, and an alarm on the depth of each queue where failed work waits (the
// ingest dead-letter queue, the publisher's failure queue). `failureQueue` makes those queues, all
// alike and each with the description of its alarm. They should stay empty: one message raises it.
//
// Built in the stack's scope, not in a child construct, so the topic and the queues keep their
// logical ids: a new topic would drop every subscription made to the old one, a new queue the
// messages waiting in the old one.
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A queue that should stay empty, and the alarm that says it is not. */
export interface WatchedQueue {
  /** Construct id of the alarm. */
  readonly alarmId: string;
  readonly queue: IQueue;
  /** What is waiting in the queue when the alarm fires, for whoever receives it. */
  readonly description: string;
}

export interface FailureQueueProps extends Omit<WatchedQueue, 'queue'> {
  /** Whose failures it holds: tells the AWS Solutions checks why it has no dead-letter queue itself. */
  readonly role: string;
}

/** A queue where failed work waits for a person, kept 14 days (the most SQS allows), to be watched. */
export function failureQueue(scope: Construct, id: string, { role, ...watch }: FailureQueueProps): WatchedQueue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: `${role}; its depth raises an alarm.` });
  return { ...watch, queue };
}

export interface MonitoringProps {
  readonly stage: string;
  readonly queues: readonly WatchedQueue[];
}

/** A part of the stack, not a child construct: it builds in the scope it is given, so logical ids stay stable. */
export class Monitoring {
  /** Ops alarms publish here; subscribe to it (e-mail, chat, paging). */
  readonly topic: Topic;

  constructor(scope: Construct, props: MonitoringProps) {
    this.topic = new Topic(scope, 'Alarms', {
      displayName: `Purchaser registry ${props.stage} alarms`,
      enforceSSL: true,
    });
    for (const { alarmId, queue, description } of props.queues) {
      new Alarm(scope, alarmId, {
        alarmDescription: description,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new SnsAction(this.topic));
    }
  }
}
