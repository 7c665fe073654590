// Stack traces in source terms, from a minified bundle. Node's --enable-source-maps would map
// them too, but it parses the bundle's source map at start-up: about a tenth of every cold start
// (npm run bench measures it), to make readable the stacks that only an unhandled error ever
// logs. This reads the bundle's map the first time a stack is logged instead.
//
// In a bundle, this module's URL is the bundle's (index.mjs, with index.mjs.map beside it). Run
// from source (tests, npm start) there is no map, and stacks pass through unchanged.
import { createRequire, SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

// node:fs is loaded only when a stack is first mapped: importing it as an ES module costs about
// 6 ms at start-up (its ES module facade), which was half the fallback function's cold start.
const require = createRequire(import.meta.url);

let bundle: { url: string; map: SourceMap } | null | undefined;

function bundleMap(): typeof bundle {
  if (bundle !== undefined) return bundle;
  try {
    const url = import.meta.url;
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    bundle = { url, map: new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8'))) };
  } catch {
    bundle = null;
  }
  return bundle;
}

/** `error.stack` with each position in the bundle replaced by its source file, line and column. */
export function readableStack(error: Error): string | undefined {
  const stack = error.stack;
  const found = stack === undefined ? null : bundleMap();
  if (!found) return stack;
  return stack!.replaceAll(
    /(file:\/\/[^\s()]+):(\d+):(\d+)/g,
    (position, url: string, line: string, column: string) => {
      if (url !== found.url) return position;
      const origin = found.map.findOrigin(Number(line), Number(column)) as {
        fileName?: string;
        lineNumber?: number;
        columnNumber?: number;
      };
      return origin.fileName ? `${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}` : position;
    },
  );
}
