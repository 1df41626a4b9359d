import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { Authorize } from './rest-client.js';
import { ServerRefusedError, ServerUnreachableError } from './rest-client.js';

/*
 * Streams NDJSON to and from the admin routes (`/v2/applications/:id/import|export`). Plain node:http rather
 * than fetch: an import uploads for as long as the server takes to store it, with no timeout to outlast,
 * and the server may answer (a refusal, a strict stop) before the upload is done.
 */

export const NDJSON = 'application/x-ndjson';

interface Target {
  baseUrl: string;
  authorize: Authorize;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-2xx reply as the CLI reports every refusal: the catalogue's detail and code. */
function refusal(status: number, text: string, route: string): ServerRefusedError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const code = isRecord(body) && typeof body.code === 'string' ? body.code : undefined;
  const detail =
    isRecord(body) && typeof body.detail === 'string' ? body.detail : `${route} answered ${status}`;
  return new ServerRefusedError(status, code, detail);
}

const unreachable = (baseUrl: string, error: unknown): ServerUnreachableError => {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
  return new ServerUnreachableError(
    baseUrl,
    code ?? (error instanceof Error ? error.message : String(error)),
  );
};

async function open(
  target: Target,
  method: 'GET' | 'POST',
  path: string,
  body?: Readable,
): Promise<IncomingMessage> {
  const url = new URL(`${target.baseUrl.replace(/\/+$/, '')}${path}`);
  const headers: Record<string, string> = { authorization: await target.authorize(), accept: NDJSON };
  if (body) headers['content-type'] = NDJSON;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // A connection of its own, closed with the reply: nothing pooled keeps the command alive.
    const req = send(url, { method, headers, agent: false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      // The server may answer before it has read everything: what is left unsent is not wanted.
      if (body && !body.readableEnded) body.unpipe(req).destroy();
      resolve(res);
    });
    req.on('error', (error) => {
      if (!answered) reject(unreachable(target.baseUrl, error));
    });
    if (body) {
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    } else {
      req.end();
    }
  });
}

async function readAll(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}

/** Uploads `body` to `path`; resolves with the 2xx reply's text, rejects with the refusal otherwise. */
export async function uploadNdjson(target: Target, path: string, body: Readable): Promise<string> {
  const res = await open(target, 'POST', path, body);
  const text = await readAll(res);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) throw refusal(status, text, `POST ${path.split('?')[0] ?? path}`);
  return text;
}

/** Downloads `path` as it streams, handing each line to `onLine`. */
export async function downloadNdjson(
  target: Target,
  path: string,
  onLine: (line: string) => void,
): Promise<void> {
  const res = await open(target, 'GET', path);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299)
    throw refusal(status, await readAll(res), `GET ${path.split('?')[0] ?? path}`);
  res.setEncoding('utf8');
  let pending = '';
  try {
    for await (const chunk of res) {
      const lines = (pending + (chunk as string)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') onLine(line);
    }
  } catch (error) {
    throw unreachable(target.baseUrl, error);
  }
  if (pending !== '') onLine(pending);
}
