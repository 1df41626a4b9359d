import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server, Socket } from 'socket.io';
import { socketIoServer } from '../socket-io-server.js';
import { ParleyError } from '../../../protocol/errors.js';
import { CLOSE_CODES, V2_PATH } from '../../../protocol/realtime.js';
import type { OriginPolicy } from '../../origin-policy.js';
import { RealtimeSession, type RealtimeContext } from '../realtime-session.js';
import { toPushedEvent } from '../realtime-shapes.js';
import { V2Connection } from './v2-connection.js';
import { V2EventRenderer } from './v2-event-renderer.js';
import type { ResumePoint, V2SessionDirectory } from './v2-session-directory.js';

export interface V2Options {
  maxFrameBytes: number;
  origins: OriginPolicy;
  /** Sent as `api_key` in `session:success`, which the Vonage SDK requires. */
  apiKey: string;
  sessions: V2SessionDirectory;
}

/** Rough size of one queued packet, to turn the byte budget into engine.io's packet count. */
const PACKET_ESTIMATE_BYTES = 512;
/** The `tid`s of the requests this transport makes on the client's behalf: the socket protocol has none. */
const LOGIN_TID = 'v2:login';
const RENEW_TID = 'v2:renew';
const CATCH_UP_PAGE = 100;
/** Where both SDKs POST reconnect timings; under the socket.io path, so engine.io would answer 400. */
const METRICS_PATH = `${V2_PATH}/metrics`;

/** Login failures in the words the SDKs recognise (client-sdk-protocols.md §1.3). */
function loginErrorType(code: string): string {
  if (code === 'system:error:expired-token') return code;
  if (code === 'session:error:too-many-sessions') return 'session:error:max-open-sessions';
  if (code.startsWith('system:error:rate-limited') || code === 'system:error:unavailable') return code;
  return 'system:error:invalid-token';
}

const queryString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/**
 * The successor SDKs' realtime protocol at `/v2/rtc` (`@vonage/client-sdk` 2, `nexmo-client` 9): socket.io 4
 * (Engine.IO 4). The token comes in the handshake query and the server pushes `session:success` unasked;
 * after that the client only ever sends `session:logout`, since its chat goes over REST. A third adapter over
 * the one `RealtimeSession`: logging in and out are that session's own requests, made on the client's behalf.
 */
export class V2Transport {
  private readonly io: Server;
  private readonly sessions = new Set<RealtimeSession>();
  private readonly renderer: V2EventRenderer;

  constructor(
    private readonly ctx: RealtimeContext,
    server: HttpServer,
    private readonly options: V2Options,
  ) {
    this.renderer = new V2EventRenderer(ctx.domain.directory);
    this.io = socketIoServer(server, V2_PATH, options);
    this.io.on('connection', (socket) => this.accept(socket));
    this.answerMetrics(server);
  }

  /** Takes the SDKs' metrics POST ahead of engine.io, which claims every URL under its path, and drops it. */
  private answerMetrics(server: HttpServer): void {
    const others = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST' && (req.url ?? '').split('?', 1)[0] === METRICS_PATH) {
        req.resume();
        const origin = req.headers.origin;
        if (origin !== undefined && this.options.origins.allows(origin))
          res.setHeader('access-control-allow-origin', origin);
        res.writeHead(204).end();
        return;
      }
      for (const listener of others) listener.call(server, req, res);
    });
  }

  get connectionCount(): number {
    return this.io.engine.clientsCount;
  }

  /** Answers the requests already received, then closes every socket so that its client reconnects. */
  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.drain()));
    for (const socket of this.io.sockets.sockets.values()) socket.conn.close();
    this.io.engine.close();
  }

  private accept(socket: Socket): void {
    const query = socket.handshake.query;
    const token = queryString(query.token);
    if (token === undefined) {
      socket.emit('system:error:invalid-token', {
        code: 'system:error:invalid-token',
        description: 'The handshake query carries no token',
        body: {},
      });
      socket.disconnect(true);
      return;
    }
    const sdkName = queryString(query.SDK_name);
    // A first connect names the SDK (nexmo-client only by SDK_version); a reconnect sends only token and
    // session_id, and reads as the session it resumes (connection.reading is settled before any event).
    const named = sdkName !== undefined || queryString(query.SDK_version) !== undefined;
    const reading = {
      keepText: sdkName === undefined && named,
      acknowledge: queryString(query.acknowledge_events) === 'true',
    };
    const resumeId = queryString(query.session_id);

    let live: { id: string; userId: string } | undefined;
    let ended = false;
    const connection: V2Connection = new V2Connection(
      socket,
      socket.handshake.address,
      this.renderer,
      reading,
      {
        maxQueuedPackets: Math.max(64, Math.floor(this.ctx.limits.maxBufferBytes / PACKET_ESTIMATE_BYTES)),
        intercept: (message) => {
          if (message.rid === RENEW_TID) return true;
          if (message.type === 'session:logged-out') ended = true;
          if (message.rid !== LOGIN_TID) return false;
          if (message.type === 'session:success') {
            const body = message.body as { id: string; user_id: string };
            live = { id: body.id, userId: body.user_id };
            void this.loggedIn(
              session,
              connection,
              { ...body, api_key: this.options.apiKey },
              token,
              resumeId,
              named,
              {
                takeOver: () => {
                  ended = true;
                  connection.close(CLOSE_CODES.restart, 'resumed elsewhere');
                  return resumePoint(body.user_id);
                },
              },
            );
          } else {
            const type = loginErrorType(typeof message.code === 'string' ? message.code : message.type);
            socket.emit(type, { code: type, description: message.description, body: {} });
            socket.disconnect(true);
          }
          return true;
        },
        onError: (err) => this.ctx.logger.error({ err, session: live?.id }, 'v2 push failed'),
      },
    );
    const resumePoint = (userId: string): ResumePoint => ({
      userId,
      ...reading,
      delivered: connection.delivered(),
    });
    const session = new RealtimeSession(this.ctx, connection);
    this.sessions.add(session);

    socket.onAny((event: unknown, payload: unknown) => {
      const fields =
        typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {};
      if (event === 'session:logout') session.receive({ ...fields, type: 'session:logout' });
      else
        session.refuse(new ParleyError('system:error:unknown-request', 'Chat goes over REST here'), fields);
    });
    socket.on('disconnect', () => {
      this.sessions.delete(session);
      session.closed();
      if (live) this.options.sessions.remove(live.id, ended ? undefined : resumePoint(live.userId));
    });
    session.receive({ type: 'session:login', tid: LOGIN_TID, body: { token } });
  }

  /** `session:success` first; then, for a resumed session, what it missed; then live events. */
  private async loggedIn(
    session: RealtimeSession,
    connection: V2Connection,
    body: { id: string; user_id: string } & Record<string, unknown>,
    token: string,
    resumeId: string | undefined,
    named: boolean,
    hooks: { takeOver: () => ResumePoint },
  ): Promise<void> {
    connection.send({ type: 'session:success', body });
    const resumed = resumeId === undefined ? undefined : this.options.sessions.resume(resumeId, body.user_id);
    if (resumed && !named) {
      connection.reading.keepText = resumed.keepText;
      connection.reading.acknowledge = resumed.acknowledge;
    }
    this.options.sessions.add({
      id: body.id,
      userId: body.user_id,
      renew: (fresh) =>
        session.receive({ type: 'session:update-token', tid: RENEW_TID, body: { token: fresh } }),
      takeOver: hooks.takeOver,
    });
    try {
      if (resumed) await this.catchUp(connection, token, resumed);
    } catch (err) {
      this.ctx.logger.warn({ err, session: body.id }, 'v2 catch-up failed; the client fills gaps over REST');
    }
    connection.release();
  }

  /** Pushes the events of the resumed session's conversations committed after the last one it was sent. */
  private async catchUp(connection: V2Connection, token: string, resumed: ResumePoint): Promise<void> {
    const { domain } = this.ctx;
    const principal = await domain.tokens.verify(token);
    for (const [cid, last] of resumed.delivered) {
      let startId = last + 1;
      for (;;) {
        let page;
        try {
          page = await domain.events.list(principal, cid, { limit: CATCH_UP_PAGE, order: 'asc', startId });
        } catch {
          break; // no longer readable (left, deleted): nothing to catch up there
        }
        for (const view of page.items) connection.replay(toPushedEvent(view.event), view.fromUser);
        const lastItem = page.items.at(-1);
        if (page.next === undefined || !lastItem) break;
        startId = lastItem.event.id + 1;
      }
    }
  }
}
