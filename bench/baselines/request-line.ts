// The line every route ends a request with (README "Logs"), as bare as it gets: one JSON object
// carrying its metric (embedded metric format), written to standard output's descriptor.

/** Wraps a twin's handler so that each request ends in its line. */
export const logged =
  <E extends { requestContext?: { requestId?: string } }, R extends { statusCode: number }>(
    handler: (event: E) => Promise<R>,
  ) =>
  async (event: E): Promise<R> => {
    const result = await handler(event);
    const line = {
      level: 'info',
      message: 'request',
      request_id: event.requestContext?.requestId,
      status: result.statusCode,
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          { Namespace: 'PurchaserRegistry', Dimensions: [['route']], Metrics: [{ Name: 'answered', Unit: 'Count' }] },
        ],
      },
      route: 'twin',
      answered: 1,
    };
    process.getBuiltinModule('node:fs').writeSync(1, `${JSON.stringify(line)}\n`);
    return result;
  };
