// What the API reference's twins share: a file answered as it is, or gzip-compressed (once per
// container) when the request accepts gzip, as the reference's routes answer (functions/docs).
import { gzipSync } from 'node:zlib';

export interface FileRequest {
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: { readonly requestId: string };
}

/** Answers the bytes `load` reads, of `contentType`, with `headers`; text is compressed for a client that accepts gzip. */
export function fileAnswer(contentType: string, load: () => Buffer, headers: Record<string, string> = {}) {
  const text = !contentType.startsWith('image/');
  let bytes: Buffer | undefined;
  let plain: string | undefined;
  let gzipped: string | undefined;
  return (event: FileRequest) => {
    bytes ??= load();
    const gzip = text && bytes.length >= 1024 && /\bgzip\b/.test(event.headers?.['accept-encoding'] ?? '');
    if (gzip) gzipped ??= gzipSync(bytes).toString('base64');
    else plain ??= bytes.toString(text ? 'utf8' : 'base64');
    return {
      statusCode: 200,
      headers: {
        'content-type': contentType,
        'cache-control': 'no-cache',
        'x-request-id': event.requestContext.requestId,
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        ...headers,
      },
      body: (gzip ? gzipped : plain) ?? '',
      isBase64Encoded: gzip || !text,
    };
  };
}
