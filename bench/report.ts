// Turns the measurements into bench/results.json (machine-readable) and BENCHMARKS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from './bundles.ts';
import type { Cost } from './dynamodb-cost.ts';
import { FUNCTIONS, type FunctionName } from './functions.ts';
import type { LoadResult } from './load.ts';
import { median } from './stats.ts';

type Side = { requests: number; failures: number; cpu_us_per_request: number; wall_ms_p50: number };

export interface Measurements {
  root: string;
  quick: boolean;
  plan: { coldRuns: number; warmRequests: number; loadSeconds: number; connections: number };
  machine: { cpus: number; cpu_model: string; node: string };
  bundles: { ours: Record<FunctionName, Bundle>; twins: Record<FunctionName, Bundle> };
  cold: Record<FunctionName, { ours: number[]; twin: number[]; failures: number }>;
  /** Cold starts of the CreateCustomer bundle with and without NODE_OPTIONS=--enable-source-maps. */
  sourceMaps: { with: number[]; without: number[] };
  warm: Record<FunctionName, { ours: Side; twin: Side; paired_ratio_median: number }>;
  dynamodb: Record<string, Cost & { status: number }>;
  load: Record<string, LoadResult>;
  seconds: number;
}

/**
 * Public list prices, us-east-1, as published since DynamoDB's on-demand price cut of November
 * 2024. This machine cannot reach the pricing pages, so they were not re-read for this run.
 */
export const PRICES = {
  as_of: 'the price list in force since November 2024',
  http_api_per_million: 1.0, // API Gateway HTTP API, first 300 million requests a month
  lambda_requests_per_million: 0.2,
  lambda_arm64_per_gb_second: 0.0000133334,
  dynamodb_write_unit_per_million: 0.625, // on-demand, since the November 2024 price cut
  dynamodb_read_unit_per_million: 0.125,
};
const MEMORY_GB = 1; // the stack's memorySize (1024 MB)

const r2 = (n: number) => Math.round(n * 100) / 100;
const r1 = (n: number) => Math.round(n * 10) / 10;

export function writeReport(m: Measurements) {
  const results = summarise(m);
  writeFileSync(join(m.root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(m.root, 'BENCHMARKS.md'), markdown(m, results));
}

/** Everything bench/results.json holds; BENCHMARKS.md is written from it. */
function summarise(m: Measurements) {
  const coldMs = Object.fromEntries(
    FUNCTIONS.map((name) => {
      const ours = median(m.cold[name].ours);
      const twin = median(m.cold[name].twin);
      // Each run of ours is paired with the twin's run beside it: the median of the pairs' ratios
      // is what a noisy neighbour moves least (the ratio of the medians is kept beside it).
      const pairs = median(m.cold[name].ours.map((ms, i) => ms / m.cold[name].twin[i]!));
      return [
        name,
        {
          ours_ms: r1(ours),
          twin_ms: r1(twin),
          ratio: r2(pairs),
          ratio_of_medians: r2(ours / twin),
          failures: m.cold[name].failures,
        },
      ];
    }),
  ) as Record<
    FunctionName,
    { ours_ms: number; twin_ms: number; ratio: number; ratio_of_medians: number; failures: number }
  >;
  const putItemBaseline = median(m.cold.CreateCustomer.twin);
  const warm = Object.fromEntries(
    FUNCTIONS.map((name) => {
      const { ours, twin, paired_ratio_median } = m.warm[name];
      return [
        name,
        {
          ours_cpu_us: Math.round(ours.cpu_us_per_request),
          twin_cpu_us: Math.round(twin.cpu_us_per_request),
          // The median over adjacent pairs of blocks: robust to a noisy neighbour (see section 2).
          ratio: r2(paired_ratio_median),
          ratio_of_totals: r2(ours.cpu_us_per_request / twin.cpu_us_per_request),
          ours_wall_ms_p50: r2(ours.wall_ms_p50),
          twin_wall_ms_p50: r2(twin.wall_ms_p50),
          requests: ours.requests,
          failures: ours.failures + twin.failures,
        },
      ];
    }),
  ) as Record<
    FunctionName,
    {
      ours_cpu_us: number;
      twin_cpu_us: number;
      ratio: number;
      ratio_of_totals: number;
      ours_wall_ms_p50: number;
      twin_wall_ms_p50: number;
      requests: number;
      failures: number;
    }
  >;
  const worst = <K extends string>(entries: Record<K, { ratio: number }>) => {
    const [name, value] = Object.entries<{ ratio: number }>(entries).reduce((a, b) =>
      b[1].ratio > a[1].ratio ? b : a,
    );
    return { name, ratio: value.ratio };
  };
  // The headline ratios are over the functions that do I/O: the fallback's and the reference's twins
  // answer constants, so their ratios compare microseconds of request handling with nothing
  // (reported separately).
  const io = <T>(entries: Record<FunctionName, T>) =>
    Object.fromEntries(Object.entries(entries).filter(([name]) => !NO_IO.includes(name))) as Record<string, T>;
  const worstCold = worst(io(coldMs));
  const worstWarm = worst(io(warm));
  const pick = (key: keyof Cost) => Object.fromEntries(Object.entries(m.dynamodb).map(([c, cost]) => [c, cost[key]]));

  const costModel = Object.fromEntries(
    (
      [
        ['CreatePurchaser', 'purchaser_new_2', 'the example request: a new purchaser with 2 purchases'],
        ['CreateCustomer', 'customer_create', 'the example request'],
        ['GetCustomer', 'customer_get', 'a customer by id'],
        ['ListCustomers', 'customer_list_page_1', 'a page of 25'],
        ['UpdateCustomer', 'customer_update', 'a change that keeps the email'],
        ['EraseCustomer', 'customer_erase', 'an erasure'],
      ] as const
    ).map(([name, dynamoCase, request]) => {
      const cost = m.dynamodb[dynamoCase]!;
      const durationMs = Math.ceil(warm[name].ours_wall_ms_p50);
      const lines = {
        api_gateway: PRICES.http_api_per_million,
        lambda_requests: PRICES.lambda_requests_per_million,
        lambda_duration: r2(1e6 * MEMORY_GB * (durationMs / 1000) * PRICES.lambda_arm64_per_gb_second),
        dynamodb_writes: r2(cost.wcu * PRICES.dynamodb_write_unit_per_million),
        dynamodb_reads: r2(cost.rcu * PRICES.dynamodb_read_unit_per_million),
      };
      const total = r2(Object.values(lines).reduce((a, b) => a + b, 0));
      return [
        name,
        {
          request,
          billed_ms: durationMs,
          wcu: cost.wcu,
          rcu: cost.rcu,
          dollars_per_million: lines,
          total_dollars_per_million: total,
        },
      ];
    }),
  );

  return {
    generated_at: new Date().toISOString(),
    command: m.quick ? 'npm run bench -- --quick' : 'npm run bench',
    quick: m.quick,
    machine: m.machine,
    cold_start_ratio: worstCold.ratio,
    cold_start_ratio_function: worstCold.name,
    cold_start_ratio_all_functions: worst(coldMs).ratio,
    cold_start_ratio_vs_putitem_baseline: r2(
      Math.max(...FUNCTIONS.map((n) => median(m.cold[n].ours))) / putItemBaseline,
    ),
    cold_start: coldMs,
    cold_start_source_maps_ms: { with: r1(median(m.sourceMaps.with)), without: r1(median(m.sourceMaps.without)) },
    bundle_bytes: Object.fromEntries(FUNCTIONS.map((n) => [n, m.bundles.ours[n].bytes])),
    baseline_bundle_bytes: Object.fromEntries(FUNCTIONS.map((n) => [n, m.bundles.twins[n].bytes])),
    warm_cpu_ratio: worstWarm.ratio,
    warm_cpu_ratio_function: worstWarm.name,
    warm_cpu_ratio_all_functions: worst(warm).ratio,
    warm,
    round_trips: pick('round_trips'),
    calls: pick('calls'),
    wcu: pick('wcu'),
    rcu: pick('rcu'),
    items_written: pick('items'),
    load: m.load,
    cost_model: { prices: PRICES, memory_mb: MEMORY_GB * 1024, endpoints: costModel },
  };
}

function markdown(m: Measurements, r: ReturnType<typeof summarise>): string {
  const yes = (ok: boolean) => (ok ? 'met' : '**missed**');
  const dyn = m.dynamodb;
  const rows = (header: string[], data: (string | number)[][]) =>
    [
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...data.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n');
  const purchaserRt = (n: number) => dyn[`purchaser_new_${n}`]!.round_trips;
  // The upserts' promise: a repeat writes nothing, a write is one item (erasure's transaction is 2 WCU an item).
  const writesWithinItems = Object.entries(dyn).every(
    ([c, cost]) => !/^purchaser_(new|repeat)_/.test(c) || cost.wcu <= cost.items,
  );
  const listPages = Object.entries(dyn).filter(([c]) => /^customer_(list|kohortpay_list|commercelayer_list)/.test(c));
  const [worstListCase, worstListPage] = listPages.reduce<[string, number]>(
    (worst, [c, cost]) => (cost.round_trips > worst[1] ? [c, cost.round_trips] : worst),
    ['', 0],
  );
  const loadErrors = Object.values(m.load).reduce((sum, l) => sum + l.errors + l.non2xx, 0);

  return `# Benchmarks

Generated by \`${r.command}\` on ${r.generated_at.slice(0, 10)} (${m.machine.cpus} × ${m.machine.cpu_model}, Node.js ${m.machine.node}),
in ${m.seconds} s. Every figure below comes from that one run; \`bench/results.json\` holds them
machine-readable. These machines are shared and noisy: compare ratios taken in one run, not
absolute figures across runs.${m.quick ? '\n\n**This is a quick run (`--quick`): samples are too small for the figures to mean anything.**' : ''}

## Budgets

${rows(
  ['budget', 'figure', 'verdict'],
  [
    [
      'cold start ≤ 1.15 × baseline (worst function doing I/O)',
      `${r.cold_start_ratio} (${r.cold_start_ratio_function})`,
      yes(r.cold_start_ratio <= 1.15),
    ],
    [
      'warm CPU ≤ 1.25 × baseline (worst function doing I/O)',
      `${r.warm_cpu_ratio} (${r.warm_cpu_ratio_function})`,
      yes(r.warm_cpu_ratio <= 1.25),
    ],
    [
      'the fallback (404/405, no I/O): cold ≤ 1.15, warm ≤ 1.25',
      `${r.cold_start.Fallback.ratio} / ${r.warm.Fallback.ratio} (+${r1(r.cold_start.Fallback.ours_ms - r.cold_start.Fallback.twin_ms)} ms cold, +${r.warm.Fallback.ours_cpu_us - r.warm.Fallback.twin_cpu_us} µs warm)`,
      `${yes(r.cold_start.Fallback.ratio <= 1.15 && r.warm.Fallback.ratio <= 1.25)}: see the notes`,
    ],
    [
      'the reference (OpenApiDocument, DocsPage, DocsAsset; no I/O): cold ≤ 1.15, warm ≤ 1.25',
      REFERENCE.map((name) => `${r.cold_start[name].ratio} / ${r.warm[name].ratio}`).join(', '),
      `${yes(REFERENCE.every((name) => r.cold_start[name].ratio <= 1.15 && r.warm[name].ratio <= 1.25))}: see the notes`,
    ],
    [
      'customer create: 1 round trip',
      String(dyn.customer_create!.round_trips),
      yes(dyn.customer_create!.round_trips === 1),
    ],
    [
      'purchaser upsert: ≤ 2 round trips up to 25 purchases',
      [0, 1, 10, 25].map(purchaserRt).join(' / '),
      yes([0, 1, 10, 25].every((n) => purchaserRt(n) <= 2)),
    ],
    ['purchaser upsert: ≤ 3 round trips for 100 purchases', String(purchaserRt(100)), yes(purchaserRt(100) <= 3)],
    ['write units ≤ items written (purchaser upserts)', writesWithinItems ? 'yes' : 'no', yes(writesWithinItems)],
    [
      'a customer list page: ≤ 4 round trips (≤ 3 rounds of one Query per list partition in parallel, then one BatchGetItem of the records)',
      `${worstListPage} (${worstListCase}, the worst of ${listPages.length} list requests)`,
      yes(worstListPage <= 4),
    ],
    ['0 load errors', String(loadErrors), yes(loadErrors === 0)],
  ],
)}

${NOTES}

## 1. Cold start

\`npm run bench\`, section "Cold starts". For each function, the exact bundle CDK deploys
(\`RegistryStack\` synthesised with bundling into \`bench/.out\`) and its bare twin
(\`bench/baselines\`, bundled by a \`NodejsFunction\` with the same \`bundling\`) each run in
${m.plan.coldRuns} fresh Node.js processes, in pairs whose order alternates, after the warm phase
(so DynamoDB Local's JVM is warm for both), with the deployed environment
(\`LOG_LEVEL=info\`, no \`NODE_OPTIONS\`: see the notes on source maps). Each process measures
\`import(bundle)\` plus handling one request against DynamoDB Local (the publisher's PutEvents goes
to a local stand-in); the figures are medians, and the ratio is the median of the ratios of the
runs paired side by side (the ratio of the medians is shown too). Node.js's own start-up is
outside the measure and the same for both.

${rows(
  [
    'function',
    'ours (ms, median)',
    'twin (ms, median)',
    'ratio (median of pairs)',
    'ratio of medians',
    'bundle (bytes)',
    'twin bundle (bytes)',
    'source map (bytes)',
  ],
  FUNCTIONS.map((n) => [
    n,
    r.cold_start[n].ours_ms,
    r.cold_start[n].twin_ms,
    r.cold_start[n].ratio,
    r.cold_start[n].ratio_of_medians,
    m.bundles.ours[n].bytes,
    m.bundles.twins[n].bytes,
    m.bundles.ours[n].sourceMapBytes,
  ]),
)}

What \`NODE_OPTIONS=--enable-source-maps\` would cost, which the stack does not set (see the notes):
the CreateCustomer bundle's cold start, median of ${m.plan.coldRuns} pairs, is
${r.cold_start_source_maps_ms.with} ms with it and ${r.cold_start_source_maps_ms.without} ms without.

Against the issue's single baseline (the customer twin: parse, the customer's write, answer:
${r.cold_start.CreateCustomer.twin_ms} ms), the slowest function's cold start is ${r.cold_start_ratio_vs_putitem_baseline} ×.

## 2. Warm cost

\`npm run bench\`, section "Warm CPU". One process per function loads both bundles, warms each
with 200 requests, then runs blocks of 100 requests, ours and the twin's in turn (which goes first
alternates), until each side has handled ${m.plan.warmRequests}; the figure is
\`process.cpuUsage()\` (user + system) per request. DynamoDB Local runs in its own process, so its
work is not counted; the SDK's is, on both sides. The ratio is the median of the ratios of
adjacent blocks: on this shared machine a neighbour's burst or one garbage collection lands in a
block or two and moves the ratio of the totals by several points from run to run (also shown).

${rows(
  [
    'function',
    'ours (µs CPU / request)',
    'twin (µs CPU / request)',
    'ratio (median of block pairs)',
    'ratio of totals',
    'ours p50 wall (ms)',
    'twin p50 wall (ms)',
  ],
  FUNCTIONS.map((n) => [
    n,
    r.warm[n].ours_cpu_us,
    r.warm[n].twin_cpu_us,
    r.warm[n].ratio,
    r.warm[n].ratio_of_totals,
    r.warm[n].ours_wall_ms_p50,
    r.warm[n].twin_wall_ms_p50,
  ]),
)}

## 3. DynamoDB cost per request

\`npm run bench\`, section "DynamoDB cost" (\`bench/dynamodb-cost.ts\`): each request goes through
the real handler on a client with a middleware that asks every command for
\`ReturnConsumedCapacity\` and counts calls; a call that starts while another is in flight joins
its round trip. A conditional write whose condition fails is charged by DynamoDB (at least 1 WCU)
but reported by neither DynamoDB nor DynamoDB Local, so the meter adds 1 WCU for each (for a
cancelled transaction, 1 for each item whose condition failed). A transaction's figure is what
DynamoDB Local reports (see the notes on what a customer costs). The requests after the purchaser
rows act on records of their own, made beforehand: the lists on an organisation of 200 customers
(every tenth matching the filter, which thins pages into 3 rounds), the changes and erasures on
a customer or purchaser each.

${rows(
  ['request', 'status', 'round trips', 'calls', 'WCU', 'RCU', 'items written'],
  Object.entries(dyn).map(([c, cost]) => [
    c,
    cost.status,
    cost.round_trips,
    cost.calls,
    cost.wcu,
    cost.rcu,
    cost.items,
  ]),
)}

### Per route, on DynamoDB

What each route costs on DynamoDB, read from the code (items under 1 KB written and 4 KB read;
reads by key strongly consistent, index queries eventually consistent; a transaction's write 2 WCU
an item), beside the round trips measured above for the request named. A round trip is a wave of
calls in parallel; "then" separates the waves.

${rows(
  ['route', 'calls, in round trips', 'WCU', 'RCU', 'measured (request: round trips)'],
  PER_ROUTE.map(([route, calls, wcu, rcu, measured]) => [
    route,
    calls,
    wcu,
    rcu,
    measured
      .map((c) => (dyn[c] ? `${c}: ${dyn[c]!.round_trips}` : ''))
      .filter(Boolean)
      .join(', ') || '-',
  ]),
)}

## 4. Load

\`npm run bench\`, section "Load" (\`bench/load.ts\`): autocannon against \`npm start\` (fresh data
folder, \`LOG_LEVEL=info\`, the stream publisher printing domain events) for ${m.plan.loadSeconds} s
per endpoint with ${m.plan.connections} connections, each request with a distinct email so every
request writes. Memory is the largest resident set sampled every 0.5 s.

Both endpoints are bound by DynamoDB Local on these 2 cores (it shares them with the server and
autocannon, and persists to disk; compare the CPU columns): a purchaser request makes ${dyn.purchaser_new_2!.calls} DynamoDB calls (the example, a
new purchaser with 2 purchases) and a customer request ${dyn.customer_create!.calls}, so the engine served about
${Object.entries(m.load)
  .map(
    ([n, l]) =>
      `${Math.round(l.rps * (n === 'CreatePurchaser' ? dyn.purchaser_new_2!.calls : dyn.customer_create!.calls))} calls/s (${n})`,
  )
  .join(' and ')}.
These are figures of the local setup, not of DynamoDB, which does not queue behind one process.

${rows(
  [
    'endpoint',
    'requests/s',
    'p50 (ms)',
    'p99 (ms)',
    'requests',
    'errors',
    'non-2xx',
    'server RSS (MB)',
    'DynamoDB Local RSS (MB)',
    'server CPU (cores)',
    'DynamoDB Local CPU (cores)',
  ],
  Object.entries(m.load).map(([n, l]) => [
    n,
    l.rps,
    l.p50_ms,
    l.p99_ms,
    l.requests,
    l.errors,
    l.non2xx,
    l.server_rss_mb_max,
    l.dynamodb_local_rss_mb_max,
    l.server_cpu_cores,
    l.dynamodb_local_cpu_cores,
  ]),
)}

## 5. Cost model

Dollars per million requests on AWS, us-east-1, with public list prices (${PRICES.as_of}; check
the AWS pricing pages before relying on them, this benchmark cannot reach them):
API Gateway HTTP API $${PRICES.http_api_per_million.toFixed(2)} per million requests (first 300
million a month); Lambda $${PRICES.lambda_requests_per_million.toFixed(2)} per million requests and
$${PRICES.lambda_arm64_per_gb_second} per GB-second on arm64; DynamoDB on demand
$${PRICES.dynamodb_write_unit_per_million} per million write units and
$${PRICES.dynamodb_read_unit_per_million} per million read units. Lambda at the stack's 1024 MB,
billed for the measured warm p50 wall time rounded up to the millisecond (DynamoDB Local on
loopback answers in about the time DynamoDB takes within a region, a few ms). Authentication
reads a key once per container per minute (one strongly consistent read, 1 read unit): nothing per
million requests, and left out. Free tiers and data transfer are left out.

${rows(
  [
    'endpoint',
    'request',
    'API Gateway',
    'Lambda requests',
    'Lambda duration',
    'DynamoDB writes',
    'DynamoDB reads',
    'total $ / million',
  ],
  Object.entries(r.cost_model.endpoints).map(([n, c]) => [
    n,
    `${c.request} (${c.billed_ms} ms, ${c.wcu} WCU, ${c.rcu} RCU)`,
    c.dollars_per_million.api_gateway.toFixed(2),
    c.dollars_per_million.lambda_requests.toFixed(2),
    c.dollars_per_million.lambda_duration.toFixed(2),
    c.dollars_per_million.dynamodb_writes.toFixed(2),
    c.dollars_per_million.dynamodb_reads.toFixed(2),
    `**${c.total_dollars_per_million.toFixed(2)}**`,
  ]),
)}
${authDesignsSection(m.root)}`;
}

/**
 * Section 6, from bench/auth-designs.json (written by `npm run bench:auth`, a run of its own: it
 * compares this tree with the commit that had the Lambda authorizer, so `npm run bench` keeps
 * its last figures rather than measuring them again).
 */
/** The heading of section 6, which `npm run bench:auth` rewrites in place. */
export const AUTH_SECTION = '## 6. Authentication: two designs';

export function authDesignsSection(root: string): string {
  const file = join(root, 'bench', 'auth-designs.json');
  if (!existsSync(file)) return '';
  const result = JSON.parse(readFileSync(file, 'utf8')) as AuthDesigns;
  return `
${AUTH_SECTION}

From \`${result.command}\` (a run of its own, ${result.cold_runs} cold rounds and ${result.warm_requests}
warm requests a side; \`npm run bench\` copies its figures here). Partner routes used to sit behind an
API Gateway Lambda authorizer (commit ${result.before}); now each authenticates in its handler.
Before, a request to a cold API ran two cold functions one after the other, the authorizer then
the handler: "first request before" adds, round by round, the authorizer's cold start to the
handler's. Now one function starts, and its first request reads the key (one \`GetItem\`) before
the route's own work. Warm, API Gateway skipped the authorizer while it cached its answer, and the
handler now finds the key in its container's cache (60 s) and hashes the presented secret.

${authDesignsTable(result)}

The design was chosen for correctness, not speed: without an authorizer every refusal is the API's
own problem document (a request without a key included) and a table that cannot be reached while
authenticating is a \`503\`, where the authorizer gave bare \`401\` and \`500\` answers. The figures
show what that costs, or saves.
`;
}

/**
 * Each route's DynamoDB calls and units, from the code (section 3's second table), and the
 * measured requests (dynamodb-cost.ts) that exercise it.
 */
const PER_ROUTE: readonly (readonly [string, string, string, string, readonly string[]])[] = [
  [
    'CreatePurchaser',
    'BatchGetItem (the purchaser and the purchases named), then an UpdateItem for the purchaser and each new purchase, in parallel',
    '1 per item that changes',
    '1 per key read',
    ['purchaser_new_2'],
  ],
  [
    'GetPurchaser',
    'Query of the partition (one per MB)',
    '0',
    '1 per 4 KB of the purchaser and its purchases',
    ['purchaser_get'],
  ],
  [
    'UpdatePurchaser',
    'as CreatePurchaser, for a purchaser that exists (404 after the read otherwise)',
    '1 per item that changes',
    '1 per key read',
    ['purchaser_update'],
  ],
  [
    'ListPurchases',
    'Query of the partition (one per MB): every page reads all the purchases, and answers its slice',
    '0',
    '1 per 4 KB of the partition, each page',
    ['purchases_list'],
  ],
  [
    'ErasePurchaser',
    'Query of the partition, then BatchWriteItem deletes (25 a call) and the stored answers (index Query, a DeleteItem each), then TransactWriteItems (the purchaser deleted, the tombstone put), then the partition and the answers again',
    '1 per purchase + 4 (transaction) + 1 per stored answer',
    '1 per 4 KB of the partition, twice, + 2 × 0.5',
    ['purchaser_erase'],
  ],
  [
    "CreateCustomer (and the dialects' creates)",
    'TransactWriteItems (record and id item, each only if free), then UpdateItem ADD on a counter',
    "6 or 7 (4 for the transaction, the id item's list entry, 1 for the counter)",
    '0',
    ['customer_create', 'customer_kohortpay_create', 'customer_commercelayer_create'],
  ],
  [
    "GetCustomer (and the dialects' gets)",
    'GetItem of the id item, then GetItem of the record',
    '0',
    '2',
    ['customer_get', 'customer_kohortpay_get', 'customer_commercelayer_get'],
  ],
  [
    'ListCustomers',
    "a round: a Query of each of the 4 list partitions (their id items; Limit: what the page still needs); one round when the page fills, at most 3; then one consistent BatchGetItem of the page's records; an email filter: one GetItem",
    '0',
    '0.5 per 4 KB of id items read a query (small: about 200 B each), + 1 per record of the page',
    ['customer_list_page_1', 'customer_list_page_2', 'customer_list_filtered', 'customer_list_by_email'],
  ],
  [
    'KohortPayListCustomers, CommerceLayerListCustomers',
    "the rounds of ListCustomers up to the end of the window (skip + take, page[number] × page[size]; at most 10,000), then the window's records in one BatchGetItem, and in parallel the 4 counters in one BatchGetItem",
    '0',
    'as ListCustomers for skip + take id items, + 1 per record of the page, + 4 (counters)',
    ['customer_kohortpay_list', 'customer_commercelayer_list'],
  ],
  [
    "UpdateCustomer (and the dialects' updates)",
    'the two GetItems, then a PutItem conditional on the version read (a new external reference: a transaction with the id item, which lists it); a new email: TransactWriteItems of 3 (the record at its new key, the old one deleted, the id item pointed at it)',
    '1; a new external reference: 4 + the list entry; a new email: 6 + the list entry',
    '2',
    ['customer_update', 'customer_update_email', 'customer_kohortpay_update', 'customer_commercelayer_update'],
  ],
  [
    "EraseCustomer (and the dialects' deletes)",
    'the two GetItems, then TransactWriteItems (record deleted, id item turned into the tombstone), then the stored answers (index Query, a DeleteItem each) and the counter ADD',
    '4 (transaction) + the list entry removed + 1 (counter) + 1 per stored answer',
    '2 + 0.5',
    ['customer_erase', 'customer_kohortpay_delete', 'customer_commercelayer_delete'],
  ],
];

/** What the figures mean and where a budget is missed by design; kept with the code that makes them. */
/** The API reference's routes: files from memory, no I/O. */
const REFERENCE = ['OpenApiDocument', 'DocsPage', 'DocsAsset'] as const;
/** Functions left out of the headline ratios: they do no I/O (see io above). */
const NO_IO: readonly string[] = ['Fallback', ...REFERENCE];

const NOTES = `### Reading the figures

- **Baselines.** The issue's baseline is a bare handler doing the same job with a plain
  \`DynamoDBClient\`: that is the twin of \`CreateCustomer\` (once one \`PutItem\`; now the
  transaction of the customer's two items and its counter's ADD). Every other route is a different
  job (a purchaser upsert is a \`BatchGetItem\` and three \`UpdateItem\`s for the example request, a
  read by id two \`GetItem\`s, a list page four \`Query\`s), so each function is measured against a
  bare twin that makes the same AWS calls writing the same items, with plain clients and no
  middleware, validation or document client (\`bench/baselines\`); a change or an erasure acts on
  a record of its own, made before it outside the measure. The ratio then measures our code, not
  the job; the cold-start ratio against the customer create's twin is reported too.
- **The fallback** answers 404/405 for unknown routes and does no I/O. Its twin does the same job
  bare (matches the route table, answers the problem document with the request id), so what is
  left between them is the middy stack and the shared boundary: a few milliseconds cold and a few
  tens of microseconds warm, about ten of them the request line and its metric (the twin writes a
  barer one), which against a job of a few microseconds is a ratio of several times.
  The headline ratios are over the functions that do I/O, where the budgets mean something;
  the fallback's budget has its own row. What would meet it is a hand-written handler outside the
  middy stack for this one route; a second way of answering errors, for a few milliseconds on the
  first unknown-route request of a container, did not seem worth it. Its cold start was about
  17 ms before the boundary stopped loading \`node:crypto\` for request ids and \`node:fs\` for
  stack traces at start-up (each cost several milliseconds, more than the twin's whole start).
- **The reference** (OpenApiDocument, DocsPage, DocsAsset) answers files from memory, as the
  fallback answers errors: no I/O. Their twins answer the same bytes (gzip when asked) with a bare
  request line, so the ratios measure the shared boundary against a job of microseconds, as for
  the fallback, and are left out of the headline. DocsAsset's cold start is mostly reading and
  compressing Swagger UI's script (1.7 MB to 460 KB, about 45 ms), the same on both sides; the
  request measured asks for that script with \`Accept-Encoding: gzip\`, as a browser does.
- **Source maps.** The functions ship a source map but do not run with
  \`NODE_OPTIONS=--enable-source-maps\`: with it, Node.js parses the bundle's map at start-up, on
  every cold start (section 1 measures both). Logged stacks are mapped on demand instead
  (\`functions/runtime/stack-trace.ts\`).
- **Logging.** Each request ends in one line at \`info\`, which also carries the request's metric
  (embedded metric format): about 660 bytes, 5 µs to format and a few µs to write. The line is
  written to standard output's descriptor directly: building Node's \`process.stdout\` stream would
  add 2 to 3 ms to every cold start (a fresh process's first line), and a direct write costs 0.1 ms.
  \`node bench/observability-cost.ts <dir>\` measures the logger, Powertools Logger and X-Ray capture
  against each other (README "Logs", "Tracing").
- **Secrets.** A function that signs reads its keys from Secrets Manager at cold start: three
  \`GetSecretValue\` calls per secret (AWSCURRENT, AWSPREVIOUS, AWSPENDING), in parallel. This run
  gives the functions the keys themselves, as \`npm start\` does, so its figures carry the client's
  bytes but no read. \`npx node bench/secrets-cost.ts --runs 30\` measures the read against a local
  stand-in for Secrets Manager (loopback, no TLS), import plus first request, medians of 30 pairs
  in one run: ListCustomers +12.7 ms (111.2 to 123.0 ms), ListPurchases (two secrets) +18.4 ms
  (85.9 to 104.2 ms), CommerceLayerGetCustomer +6.1 ms (89.2 to 98.3 ms). Deployed, add one round
  trip to Secrets Manager in the region. The client adds 13.7 KB to the bundle of the 21 functions
  that reach the key accessors, the ten that read no secret included; their cold start did not
  move measurably (−0.9 and +0.3 ms in 30 pairs; about +0.9 ms of CPU for the import alone).
- **Rate limit.** With the stage's \`rateLimit\` set, each counted call adds one \`UpdateItem\` (one
  write unit, about $0.63 per million calls) and, for API keys, one round trip after the key check;
  this run leaves it unset, as \`dev\` does.
- **What a customer costs in DynamoDB.** A customer with an email is two items written in one
  transaction (its record at its email, its id item at its id, which carries the list index
  entry: the item that never moves, whatever the email becomes), then an
  ADD on its list partition's counter (a second round trip: the organisation's total, what the
  dialects' lists report, is four counters read in one batch). Transactional writes are billed at
  2 WCU an item: a create is 2 × 2, plus the index entry and the counter, 6 or 7 WCU as the index
  entry is billed at the standard or the transactional rate (DynamoDB Local reports 7, the figure
  in section 3). Reading by id is two consistent GetItems one after the other (the id item, then
  the record): 2 round trips, 2 RCU. A change that keeps the email is those two reads and a
  conditional PutItem (1 WCU; with a new external reference, which lists filter on, a
  transaction with the id item); a change of email is one transaction of three items; an erasure is the two reads, a transaction of two (the record deleted, the id item
  turned into a tombstone), then in parallel the stored answers about the customer (a Query of the
  lookup index) and the counter.
- **Lists.** A page of customers queries each of the organisation's 4 list partitions in parallel
  (their id items; Limit: what the page still needs), merges them in creation order and gives
  nothing past what every partition has been read to: one round when the customers are spread
  evenly, at most 3 for the native list (a filter that leaves pages thin then answers a shorter
  page and a cursor); then the page's records in one consistent BatchGetItem. The
  offset-paged dialects read every id item before the window they ask for (at most 10,000). An
  email filter is one GetItem. The list twins' ratios fall below 1: this SDK's document client
  reads items with less CPU than the plain client the twins use, which builds an AttributeValue
  map per attribute (measured in one process, 300 requests a side, on a 100-item Query: 4.2 to
  4.7 ms against 5.7 to 6.7 ms); for item-heavy reads the bare client is not the floor.`;

/** The partner routes bench/auth-designs.ts compares. */
export type AuthRoute = 'CreatePurchaser' | 'CreateCustomer';

/** What `npm run bench:auth` measured (bench/auth-designs.json). */
export interface AuthDesigns {
  readonly command: string;
  readonly before: string;
  readonly cold_runs: number;
  readonly warm_requests: number;
  readonly routes: Record<
    AuthRoute,
    {
      /** Medians, ms: the authorizer's cold start, the old handler's, and the new handler's. */
      readonly authorizer_cold_ms: number;
      readonly handler_before_cold_ms: number;
      readonly first_request_before_ms: number;
      readonly first_request_now_ms: number;
      /** Median over runs of (authorizer + old handler) / new handler, each run paired. */
      readonly first_request_ratio: number;
      /** Warm CPU per request, µs: the old handler (authorizer cached by API Gateway) and the new one. */
      readonly warm_before_cpu_us: number;
      readonly warm_now_cpu_us: number;
      readonly warm_ratio: number;
    }
  >;
}

/** The comparison as a Markdown table (also what BENCHMARKS.md shows). */
export function authDesignsTable(result: AuthDesigns): string {
  return [
    '| route | authorizer cold (ms) | handler cold, before (ms) | first request before: both (ms) | ' +
      'first request now (ms) | now / before (median of rounds) | warm CPU before (µs) | warm CPU now (µs) | ' +
      'warm now / before |',
    '|---|---|---|---|---|---|---|---|---|',
    ...Object.entries(result.routes).map(
      ([name, r]) =>
        `| ${name} | ${r.authorizer_cold_ms} | ${r.handler_before_cold_ms} | ${r.first_request_before_ms} | ` +
        `${r.first_request_now_ms} | ${r.first_request_ratio} | ${r.warm_before_cpu_us} | ${r.warm_now_cpu_us} | ` +
        `${r.warm_ratio} |`,
    ),
  ].join('\n');
}
