// npm run migrate [-- --table <name>] [-- --recount]: brings stored customers to the current
// layout (each gets its id item, list key and count; see upgradeStoredCustomers). With --recount,
// also sets every organisation's customer count to what the table holds (recountCustomers: run it
// when the organisations are quiet). The local DynamoDB of `npm start` (DYNAMODB_PORT, TABLE_NAME)
// by default, or a deployed table. Safe to repeat.
import { parseArgs } from 'node:util';
import { recountCustomers, upgradeStoredCustomers } from '../functions/customers/customers.ts';
import { toolStore } from '../local/dynamodb.ts';

const { values } = parseArgs({ options: { table: { type: 'string' }, recount: { type: 'boolean' } } });
const { store, where } = toolStore(values.table);
const upgraded = await upgradeStoredCustomers(store);
process.stdout.write(`Upgraded ${upgraded} customers in ${where}.\n`);
if (values.recount)
  process.stdout.write(`Recounted the customers of ${await recountCustomers(store)} organisations.\n`);
