// The stack's esbuild settings (lib/registry-function.ts `bundling`) as esbuild's own options, for
// the benchmark scripts that bundle outside CDK (observability-cost.ts, secrets-cost.ts): what they
// measure is built exactly as a deployed function is.
import type { BuildOptions } from 'esbuild';
import { bundling } from '../lib/registry-function.ts';

export const stackBuildOptions = {
  bundle: true,
  platform: 'node',
  format: bundling.format,
  target: bundling.target,
  minify: bundling.minify,
  sourcemap: bundling.sourceMap,
  sourcesContent: bundling.sourcesContent,
  mainFields: bundling.mainFields,
  banner: { js: bundling.banner },
} satisfies BuildOptions;
