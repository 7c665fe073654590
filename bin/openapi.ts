// npm run openapi: writes the API reference (openapi/document.ts) to docs/openapi.json and the typed
// client's types (clients/registry/schema.ts) generated from it. Run it after changing a route, a
// schema or an answer; a test fails while either committed file is stale.
import { writeFileSync } from 'node:fs';
import { clientTypes, clientTypesFile } from '../clients/generator/types.ts';
import { openApiJson } from '../openapi/file.ts';

const target = new URL('../docs/openapi.json', import.meta.url);
const json = openApiJson();
writeFileSync(target, json);
writeFileSync(clientTypesFile, await clientTypes(json));
process.stdout.write(`wrote ${target.pathname}\nwrote ${clientTypesFile.pathname}\n`);
