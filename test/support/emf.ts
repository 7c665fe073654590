// Reads a log line as CloudWatch reads embedded metric format (EMF): the `_aws` member, checked
// against the specification's rules, and the metric values and dimensions it points at. A line
// that breaks a rule throws: CloudWatch would keep it as a log line and extract no metric.

const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

export interface EmfMetrics {
  readonly namespace: string;
  /** Each dimension's value, from the line's members. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Each metric's value and unit. */
  readonly values: Readonly<Record<string, number>>;
  readonly units: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

const fail = (why: string, line: string): never => {
  throw new Error(`not a valid EMF line (${why}): ${line}`);
};

const isName = (value: unknown) => typeof value === 'string' && value.length >= 1 && value.length <= 1024;

/** The line's metrics, or undefined for a line without `_aws` (a plain log line). */
export function emfOf(line: string): EmfMetrics | undefined {
  const document = JSON.parse(line) as Record<string, unknown>;
  const aws = document._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (aws === undefined) return undefined;
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12) {
    fail('Timestamp must be milliseconds since the epoch', line);
  }
  const directives = aws.CloudWatchMetrics;
  // One directive per line is what the handlers write; more would be legal, but not ours.
  if (!Array.isArray(directives) || directives.length !== 1) fail('one CloudWatchMetrics directive', line);
  const [directive] = directives as { Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown }[];
  if (!isName(directive?.Namespace)) fail('Namespace', line);
  const sets = directive!.Dimensions;
  if (!Array.isArray(sets) || sets.length !== 1 || !Array.isArray(sets[0])) fail('one dimension set', line);
  const names = (sets as unknown[][])[0]!;
  if (names.length === 0 || names.length > 30) fail('1 to 30 dimensions', line);
  const dimensions: Record<string, string> = {};
  for (const name of names) {
    if (typeof name !== 'string') return fail('dimension names are strings', line);
    const value = document[name];
    if (!isName(value)) fail(`dimension ${name} must name a member holding a string`, line);
    dimensions[name] = value as string;
  }
  const metrics = directive!.Metrics;
  if (!Array.isArray(metrics) || metrics.length === 0 || metrics.length > 100) fail('1 to 100 metrics', line);
  const values: Record<string, number> = {};
  const units: Record<string, string> = {};
  for (const metric of metrics as { Name?: unknown; Unit?: unknown }[]) {
    const name = metric.Name;
    if (typeof name !== 'string' || !isName(name)) return fail('metric Name', line);
    if (metric.Unit !== undefined && (typeof metric.Unit !== 'string' || !UNITS.has(metric.Unit))) fail('Unit', line);
    const value = document[name];
    if (typeof value !== 'number' || !Number.isFinite(value))
      fail(`metric ${name} must name a member holding a number`, line);
    if (name in dimensions) fail(`${name} is both a dimension and a metric`, line);
    values[name] = value as number;
    units[name] = (metric.Unit as string | undefined) ?? 'None';
  }
  return {
    namespace: directive!.Namespace as string,
    dimensions,
    values,
    units,
    timestamp: aws.Timestamp as number,
  };
}

/** Every metric the lines carry, as `<dimension values joined by |>: <metric>` -> summed value. */
export function metricTotals(lines: readonly string[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of lines) {
    const emf = emfOf(line);
    if (!emf) continue;
    const where = Object.entries(emf.dimensions)
      .filter(([name]) => name !== 'service')
      .map(([, value]) => value)
      .join('|');
    for (const [name, value] of Object.entries(emf.values)) {
      totals[`${where}: ${name}`] = (totals[`${where}: ${name}`] ?? 0) + value;
    }
  }
  return totals;
}
