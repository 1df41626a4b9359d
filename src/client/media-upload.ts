import { ParleyApiError, ConnectionError } from './errors.js';
import { ConnectionErrorCode } from './codes.js';

/**
 * What `sendImage` and `sendFile` take: a browser `File` or `Blob`, or Node's `Blob`. Described by shape, so
 * the SDK's types need no DOM library.
 */
export interface UploadableFile {
  readonly size: number;
  readonly type: string;
  /** A `File`'s name; shown to others with the attachment. */
  readonly name?: string;
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadOptions {
  /** Called as the upload goes out (in browsers; Node's fetch reports no upload progress). */
  onProgress?: (progress: UploadProgress) => void;
}

/** What an upload request needs from the session: the server's HTTP origin and the current token. */
export interface UploadTarget {
  httpBase(): string;
  token(): string;
}

interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: unknown): void;
  upload: {
    addEventListener(type: 'progress', listener: (e: { loaded: number; total: number }) => void): void;
  };
  addEventListener(type: 'load' | 'error' | 'abort', listener: () => void): void;
  status: number;
  responseText: string;
}

/** Stitch's `sendImage` defaults: full quality, medium at half size, thumbnail at 30%. */
export const STITCH_RATIOS: Record<string, string> = {
  quality_ratio: '100',
  medium_size_ratio: '50',
  thumbnail_size_ratio: '30',
};

/** POSTs JSON with the bearer token (a REST call beside the socket); resolves with the JSON reply. */
export async function postJson(target: UploadTarget, path: string, body: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${target.httpBase()}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ConnectionError(ConnectionErrorCode.transportClosed, 'The request did not reach the server');
  }
  return replyOf(res.status, await res.text());
}

/** POSTs a multipart form with the bearer token; resolves with the JSON reply or rejects as requests do. */
export async function postUpload(
  target: UploadTarget,
  path: string,
  file: UploadableFile,
  fields: Record<string, string>,
  options: UploadOptions = {},
): Promise<unknown> {
  const form = new FormData();
  form.append('file', file as Blob, file.name ?? 'upload');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const url = `${target.httpBase()}${path}`;
  const Xhr = (globalThis as { XMLHttpRequest?: new () => XhrLike }).XMLHttpRequest;
  const { status, text } = Xhr
    ? await viaXhr(new Xhr(), url, target.token(), form, options)
    : await viaFetch(url, target.token(), form);
  return replyOf(status, text);
}

/** The JSON reply of a 2xx, or the catalogue error the server answered with. */
function replyOf(status: number, text: string): unknown {
  let reply: unknown;
  try {
    reply = text === '' ? {} : JSON.parse(text);
  } catch {
    reply = {};
  }
  if (status >= 200 && status < 300) return reply;
  const error = reply as { code?: string; detail?: string; retry_after?: number };
  const code = error.code ?? `http:error:${status}`;
  throw new ParleyApiError(
    code,
    code,
    error.detail ?? `The upload failed with HTTP ${status}`,
    error.retry_after,
  );
}

function viaXhr(
  xhr: XhrLike,
  url: string,
  token: string,
  form: FormData,
  options: UploadOptions,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    xhr.open('POST', url);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    const onProgress = options.onProgress;
    if (onProgress)
      xhr.upload.addEventListener('progress', (e) => onProgress({ loaded: e.loaded, total: e.total }));
    xhr.addEventListener('load', () => resolve({ status: xhr.status, text: xhr.responseText }));
    const failed = () =>
      reject(new ConnectionError(ConnectionErrorCode.transportClosed, 'The upload did not reach the server'));
    xhr.addEventListener('error', failed);
    xhr.addEventListener('abort', failed);
    xhr.send(form);
  });
}

async function viaFetch(
  url: string,
  token: string,
  form: FormData,
): Promise<{ status: number; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ConnectionError(ConnectionErrorCode.transportClosed, 'The upload did not reach the server');
  }
  return { status: res.status, text: await res.text() };
}

/** The HTTP origin behind a native WebSocket URL: `wss://host/ws` → `https://host`. */
export function httpBaseOf(socketUrl: string): string {
  const url = new URL(socketUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/ws\/?$/, '');
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/$/, '');
}
