import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { aclAllows } from '../../../core/auth/acl.js';
import type { Principal } from '../../../core/auth/principal.js';
import type { Domain } from '../../../core/domain.js';
import type { DumpRecord, ImportItem } from '../../../core/dump-items.js';
import { ndjsonLines } from '../../../core/ndjson-lines.js';
import { ParleyError } from '../../../protocol/errors.js';
import { validate } from '../../validate.js';
import { parseDumpLine } from '../dump/dump-line-schema.js';
import { renderDumpLine, renderImportSummary } from '../dump/render-dump.js';
import { idParams } from './params.js';

export const NDJSON = 'application/x-ndjson';

const flag = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .default(false);

const importQuery = z.object({ overwrite: flag, strict: flag, notify: flag }).loose();

const conversationId = z.string().min(1).max(200);
const exportQuery = z
  .object({
    conversation: z
      .union([conversationId, z.array(conversationId).max(1000)])
      .optional()
      .transform((v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v)),
  })
  .loose();

/**
 * `POST /v2/applications/:id/import` (an NDJSON dump in, a summary out) and `GET /v2/applications/:id/export`
 * (the dump out, streamed). Either the API key and secret or the application's own token may call them.
 * `maxLineBytes` bounds one line: the body as a whole is streamed, so the request body limit does not apply.
 */
export function importExportRoutes(app: FastifyInstance, domain: Domain, maxLineBytes: number): void {
  // Handed on unread: the import consumes it line by line, at the pace it can store them.
  app.addContentTypeParser(NDJSON, (_request, payload, done) => done(null, payload));

  app.post('/v2/applications/:id/import', async (request, reply) => {
    const { id } = idParams(request);
    const application = await domain.importExport.application(await caller(domain, request), id);
    const options = validate(importQuery, request.query, 'query');
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new ParleyError('http:error:unsupported-media-type', `An import body must be ${NDJSON}`);
    }
    const summary = await domain.importExport.import(application, parsed(body, maxLineBytes), options);
    // Stopped early: the rest of the body is unread, so this connection cannot carry another request.
    if (summary.stoppedAt !== undefined) void reply.header('connection', 'close');
    return renderImportSummary(summary);
  });

  app.get('/v2/applications/:id/export', async (request, reply) => {
    const { id } = idParams(request);
    const application = await domain.importExport.application(await caller(domain, request), id);
    const { conversation } = validate(exportQuery, request.query, 'query');
    const records = await domain.importExport.prepareExport(application, conversation);
    return reply.type(NDJSON).send(Readable.from(lines(records)));
  });
}

async function* parsed(body: Readable, maxLineBytes: number): AsyncGenerator<ImportItem> {
  for await (const line of ndjsonLines(body, maxLineBytes)) {
    yield 'text' in line
      ? parseDumpLine(line.line, line.text)
      : { line: line.line, kind: 'malformed', reason: `longer than ${maxLineBytes} bytes` };
  }
}

async function* lines(records: AsyncIterable<DumpRecord>): AsyncGenerator<string> {
  for await (const record of records) yield `${JSON.stringify(renderDumpLine(record))}\n`;
}

/**
 * Who calls: an `Authorization: Bearer` token (whose ACL must allow the path), else the API key and secret
 * (null). Whether that caller may reach the application is the domain's call.
 */
async function caller(domain: Domain, request: FastifyRequest): Promise<Principal | null> {
  const header = request.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!bearer?.[1]) {
    await domain.credentials.check(header);
    return null;
  }
  const principal = await domain.tokens.verify(bearer[1]);
  const path = request.url.split('?', 1)[0] ?? request.url;
  // A user token is refused as such by the domain, whatever its ACL says.
  if (principal.user === null && !aclAllows(principal.acl, request.method, path)) {
    throw new ParleyError(
      'system:error:forbidden-path',
      `The token's ACL does not allow ${request.method} ${path}`,
    );
  }
  return principal;
}
