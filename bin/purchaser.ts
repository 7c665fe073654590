// npm run purchaser -- <trkref> <email>: a purchaser and all its purchases, as stored, from the
// local DynamoDB of `npm start` (DYNAMODB_PORT, TABLE_NAME) or a deployed table (--table <name>).
import { parseArgs } from 'node:util';
import { getPurchaser } from '../functions/purchasers/purchasers.ts';
import { createDocumentClient, type Store } from '../functions/shared/store.ts';
import { localClientConfig, localSettings } from '../lib/dynamodb-local.ts';

const USAGE = 'usage: npm run purchaser -- <trkref> <email> [--table <name>]';
let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({ allowPositionals: true, options: { table: { type: 'string' } } });
}
try {
  args = parse();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const [trkref, email, ...rest] = args.positionals;
if (!trkref || !email || rest.length) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const local = localSettings();
const store: Store = args.values.table
  ? { doc: createDocumentClient(), tableName: args.values.table }
  : { doc: createDocumentClient(localClientConfig(local.dynamoEndpoint)), tableName: local.tableName };
const found = await getPurchaser(store, trkref, email).catch((error: Error) => {
  process.stderr.write(`purchaser: ${error.message}\n`);
  process.exit(1);
});
if (!found) {
  process.stderr.write(`No purchaser ${email} in ${trkref}.\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
