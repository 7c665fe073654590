// Bare twin of GET /docs: the reference's page, the same bytes and policy.
import { PAGE, PAGE_POLICY } from '../../functions/docs/swagger-ui.ts';
import { type FileRequest, fileAnswer } from './docs-files.ts';
import { logged } from './request-line.ts';

const answer = fileAnswer('text/html; charset=utf-8', () => Buffer.from(PAGE), {
  'content-security-policy': PAGE_POLICY,
});

export const handler = logged(async (event: FileRequest) => answer(event));
