import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from './private-addresses.js';

export interface SendOptions {
  /** An attempt that has not had its response headers by then fails. */
  timeoutMs: number;
  /** Refuse receivers that resolve to private or loopback addresses. */
  denyPrivate: boolean;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** An attempt's outcome: a status when the receiver answered, an error text otherwise. Never the body. */
export type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** Bytes of a response body read (and dropped) so the connection can be reused; a longer one is cut off. */
const BODY_CAP = 16 * 1024;

/**
 * POSTs webhooks with plain node:http, which follows no redirects, so that the address check sits in the
 * connection's own DNS lookup: a name cannot resolve to a public address when checked and a private one
 * when connected.
 */
export class WebhookSender {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly lookup: LookupFunction;

  constructor(private readonly options: SendOptions) {
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
      https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
    };
    this.lookup = (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const allowed = options.denyPrivate
          ? addresses.filter((a) => !isPrivateAddress(a.address))
          : addresses;
        const first = allowed[0];
        if (!first) return callback(refusedError(hostname), '', 0);
        if (lookupOptions.all) return (callback as AllCallback)(null, allowed);
        callback(null, first.address, first.family);
      });
    };
  }

  send(request: WebhookRequest): Promise<Attempt> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ ok: false, status: null, error: 'invalid event URL' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.resolve({ ok: false, status: null, error: `unsupported scheme ${url.protocol}` });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (this.options.denyPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
      return Promise.resolve({ ok: false, status: null, error: 'private address refused' });
    }
    const module = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.agents.https : this.agents.http;
    return new Promise<Attempt>((resolve) => {
      const req = module.request(
        url,
        {
          method: 'POST',
          agent,
          lookup: this.lookup,
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(request.body),
            'user-agent': 'Parley-Webhooks',
          },
        },
        (res) => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > BODY_CAP) res.destroy();
          });
          res.on('error', () => undefined);
          resolve(
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, status, error: `HTTP ${status}` },
          );
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Error(`no response in ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ ok: false, status: null, error: error.code ?? error.message });
      });
      req.end(request.body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

function refusedError(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${hostname} resolves only to private addresses`);
  error.code = 'PRIVATE_ADDRESS_REFUSED';
  return error;
}
