// The committed reference file's text: what `npm run openapi` writes and the staleness test
// compares with docs/openapi.json.
import packageJson from '../package.json' with { type: 'json' };
import { openApiDocument } from './document.ts';

export const openApiJson = (): string =>
  `${JSON.stringify(openApiDocument({ version: packageJson.version }), null, 2)}\n`;
