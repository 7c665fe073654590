// The local stand-in for Lambda's DynamoDB stream event source: polls the stream of a table in
// DynamoDB Local and hands its records, in Lambda's event shape, to a handler (npm start gives it
// the real publisher with a printing sink). Starts at the stream's end: only new changes.

import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localClientConfig } from './dynamodb.ts';

export interface StreamPoller {
  /** Resolves once every shard has been polled past the changes made before the call. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStreamPoller(options: {
  endpoint: string;
  tableName: string;
  handle: (event: DynamoDBStreamEvent) => Promise<unknown>;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): Promise<StreamPoller> {
  const config = localClientConfig(options.endpoint);
  const table = await new DynamoDBClient(config).send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const streams = new DynamoDBStreamsClient(config);
  const iterators = new Map<string, string | undefined>();

  async function discoverShards(type: 'LATEST' | 'TRIM_HORIZON') {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: type }),
      );
      iterators.set(shard.ShardId, ShardIterator);
    }
  }

  async function pollOnce() {
    // Shards that appear later are new: read them from their start.
    await discoverShards('TRIM_HORIZON');
    for (const [shard, iterator] of iterators) {
      if (!iterator) continue;
      const output = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      iterators.set(shard, output.NextShardIterator);
      if (output.Records?.length) await options.handle({ Records: output.Records.map(toLambdaRecord) });
    }
  }

  await discoverShards('LATEST');
  let running = Promise.resolve();
  const tick = () => {
    running = running.then(pollOnce).catch((error) => options.onError?.(error));
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 250);

  return {
    drain: () => tick(),
    async stop() {
      clearInterval(timer);
      await running;
      streams.destroy();
    },
  };
}

/** The Streams API's record, as Lambda's event source mapping delivers it. */
function toLambdaRecord(record: StreamRecord): DynamoDBRecord {
  const change = record.dynamodb!;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      Keys: change.Keys as never,
      NewImage: change.NewImage as never,
      OldImage: change.OldImage as never,
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType as never,
      ApproximateCreationDateTime: change.ApproximateCreationDateTime
        ? Math.floor(change.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
    },
  };
}
