// npm run replay -- <file>... [--bus <name>]: publishes again the domain events of the stream's
// failed batches, each file an object copied from the failure bucket (`aws s3 cp s3://<bucket>/<key> .`).
// With --bus, onto that event bus (AWS credentials from the environment); without, printed as JSON
// lines, to see what would be published. Exit 1 if any event was not accepted, 2 for bad arguments.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { failedBatchOf } from '../functions/events/failed-batches.ts';
import { createPublisher, eventBridgeSink, printingSink } from '../functions/events/publisher.ts';
import { createLogger } from '../functions/runtime/logger.ts';

const usage = 'usage: npm run replay -- <file>... [--bus <event bus name>]';
const fail = (message: string, code: number): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};
let args: { values: { bus?: string | undefined }; positionals: string[] };
try {
  args = parseArgs({ allowPositionals: true, options: { bus: { type: 'string' } } });
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`, 2);
}
if (args!.positionals.length === 0) fail(usage, 2);

const batches = args!.positionals.map((file) => {
  try {
    return { file, event: failedBatchOf(JSON.parse(readFileSync(file, 'utf8'))) };
  } catch (error) {
    return fail(`${file}: ${(error as Error).message}`, 2);
  }
});
const bus = args!.values.bus;
const publish = createPublisher({
  sink: bus ? eventBridgeSink(new EventBridgeClient({}), bus) : printingSink(),
  log: createLogger({ sink: (line) => process.stderr.write(`${line}\n`) }),
});
let failed = 0;
for (const { file, event } of batches) {
  const { batchItemFailures } = await publish(event);
  if (batchItemFailures.length > 0) {
    failed++;
    process.stderr.write(`${file}: not all of its events were accepted; run it again\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
