// Bare twin of the publisher: one PutEvents entry per stream record, plain client.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

const client = new EventBridgeClient({});

export const handler = async (event: { Records: { dynamodb: { NewImage: Record<string, { S?: string }> } }[] }) => {
  await client.send(
    new PutEventsCommand({
      Entries: event.Records.map((r) => ({
        EventBusName: process.env.EVENT_BUS_NAME,
        Source: 'purchaser-registry',
        DetailType: 'customer.created',
        Detail: JSON.stringify({
          organisation: r.dynamodb.NewImage.corporation_id?.S,
          customer_id: r.dynamodb.NewImage.id?.S,
        }),
      })),
    }),
  );
  return { batchItemFailures: [] };
};
