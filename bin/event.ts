// npm run event -- <detail-type> <file.json | ->: one event through the real ingest handler.
//
// Wraps the detail as EventBridge would, puts it in an SQS-shaped batch of one, runs the ingest
// handler against the local DynamoDB of `npm start` (DYNAMODB_PORT, TABLE_NAME), and prints the
// handler's batch response on stdout (its log lines go to stderr). Exit code 1 when the handler
// reported the message as failed, 2 for bad arguments.
import { readFileSync } from 'node:fs';
import { incomingEventTypes } from '../contract/events.ts';
import { createIngester } from '../functions/events/ingester.ts';
import { newPurchaserId } from '../functions/purchasers/purchasers.ts';
import { newReviewToken } from '../functions/purchasers/review-links.ts';
import { createLogger, parseLogLevel } from '../functions/runtime/logger.ts';
import { toolStore } from '../local/dynamodb.ts';
import { eventBridgeEvent, localReviewHosts, sqsBatch } from '../local/events.ts';

const USAGE = `usage: npm run event -- <detail-type> <file.json | ->
detail-types: ${incomingEventTypes.join(', ')}`;

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const [type, source, ...rest] = process.argv.slice(2);
if (!type || !source || rest.length) usage('expected a detail-type and a file (or - for standard input)');
if (!(incomingEventTypes as readonly string[]).includes(type)) usage(`unknown detail-type: ${type}`);

let text: string;
try {
  text = readFileSync(source === '-' ? 0 : source, 'utf8');
} catch (error) {
  usage(`cannot read ${source}: ${(error as Error).message}`);
}
let detail: unknown;
try {
  detail = JSON.parse(text);
} catch {
  usage(`${source} is not JSON`);
}

const batch = sqsBatch([eventBridgeEvent(type, detail, { source: 'local.cli' })]);

const handle = createIngester({
  store: toolStore(undefined).store,
  log: createLogger({ level: parseLogLevel(process.env.LOG_LEVEL), sink: (line) => process.stderr.write(`${line}\n`) }),
  now: () => new Date(),
  newReviewToken,
  newPurchaserId,
  reviewUrlHosts: localReviewHosts(),
});
const response = await handle(batch);
process.stdout.write(`${JSON.stringify(response)}\n`);
process.exit(response.batchItemFailures.length ? 1 : 0);
