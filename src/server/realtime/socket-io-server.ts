import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { OriginPolicy } from '../origin-policy.js';

export interface SocketIoOptions {
  maxFrameBytes: number;
  origins: OriginPolicy;
}

/**
 * A socket.io server at `path` on Parley's HTTP server, with the limits and origin policy every socket.io
 * dialect shares (`/rtc`, `/v2/rtc`).
 */
export function socketIoServer(
  server: HttpServer,
  path: string,
  options: SocketIoOptions,
  extra: { allowEIO3?: boolean } = {},
): Server {
  return new Server(server, {
    path,
    ...extra,
    serveClient: false,
    // As on the native transport: oversized frames get an error, only far larger ones close the connection.
    maxHttpBufferSize: options.maxFrameBytes * 4,
    cors: {
      origin: (origin, callback) => callback(null, options.origins.allows(origin)),
      credentials: false,
    },
    allowRequest: (req, callback) => callback(null, options.origins.allows(req.headers.origin)),
    // Several dialects share the HTTP server: an upgrade for another path is someone else's, not an error.
    destroyUpgrade: false,
  });
}
