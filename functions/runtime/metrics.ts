// Metrics as CloudWatch embedded metric format (EMF): a JSON log line with an `_aws` member is also
// a set of metric values, which CloudWatch Logs extracts as it ingests the line. No API call, no
// SDK, nothing to flush before the invocation ends: the metric is the log line the handler writes
// anyway (one per request, one per ingested event, one per published type). The line must reach
// CloudWatch whole, so it is written to stdout as JSON (logger.ts), and at `info`: an application
// log level above INFO drops it, metrics with it.
//
//   { "_aws": { "Timestamp": <ms>, "CloudWatchMetrics": [{ "Namespace": "PurchaserRegistry",
//       "Dimensions": [["service", "route"]], "Metrics": [{ "Name": "created", "Unit": "Count" }] }] },
//     "service": "PurchaserRegistry-prod", "route": "CreatePurchaser", "created": 1, ...the line's own fields }

import type { LogFields } from './logger.ts';

export const NAMESPACE = 'PurchaserRegistry';

/**
 * The first dimension of every metric: the deployment (the stack's name, SERVICE_NAME), so two
 * stages in one account and region never add up into one figure.
 */
const SERVICE = process.env.SERVICE_NAME || 'local';

/**
 * The members that make a log line carry `counts` as metrics (unit Count) in NAMESPACE, under one
 * dimension set: service and `dimensions`. Merge them into the line's fields; every dimension
 * value must be a fixed vocabulary (route names, event types), never request data, as each value
 * is a metric of its own.
 */
export function metricFields(
  dimensions: Readonly<Record<string, string>>,
  counts: Readonly<Record<string, number>>,
  timestamp: number = Date.now(),
): LogFields {
  const members = { service: SERVICE, ...dimensions };
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: NAMESPACE,
          Dimensions: [Object.keys(members)],
          Metrics: Object.keys(counts).map((name) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
    ...members,
    ...counts,
  };
}
