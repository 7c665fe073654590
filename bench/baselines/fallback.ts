// Bare twin of the fallback route: the same job (match the route table, answer 404 or 405 as a
// problem document with the request id), no middleware.
import { matchRoute } from '../../contract/routes.ts';
import { logged } from './request-line.ts';

export const handler = logged(
  async (event: { rawPath: string; requestContext: { requestId: string; http: { method: string } } }) => {
    const match = matchRoute(event.requestContext.http.method, event.rawPath);
    const status = match.kind === 'method-not-allowed' ? 405 : 404;
    return {
      statusCode: status,
      headers: {
        'content-type': 'application/problem+json',
        'x-request-id': event.requestContext.requestId,
        ...(match.kind === 'method-not-allowed' ? { allow: match.allow.join(', ') } : {}),
      },
      body: JSON.stringify({ type: '/problems/not-found', title: 'Not found', status, detail: 'No such route.' }),
    };
  },
);
