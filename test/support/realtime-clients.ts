import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { waitFor as waitUntil } from './wait.js';

export { waitFor } from './wait.js';

export interface Message {
  type: string;
  rid?: string | null;
  body?: unknown;
  cid?: string;
  id?: number;
  from?: string | null;
  code?: string;
  [key: string]: unknown;
}

/** A bare realtime client for tests: sends requests, awaits their replies, records every pushed event. */
export interface RawClient {
  request(type: string, fields?: Record<string, unknown>): Promise<Message>;
  /** Pushed (unsolicited) messages in arrival order. */
  pushed: Message[];
  waitFor(predicate: (m: Message) => boolean, timeoutMs?: number): Promise<Message>;
  close(): void;
  closed: Promise<{ code?: number }>;
}

function clientCore(send: (type: string, payload: Record<string, unknown>) => void) {
  const waiting = new Map<string, (m: Message) => void>();
  const pushed: Message[] = [];
  const onMessage = (m: Message) => {
    if (typeof m.rid === 'string' && waiting.has(m.rid)) {
      waiting.get(m.rid)!(m);
      waiting.delete(m.rid);
      return;
    }
    pushed.push(m);
  };
  const request = (type: string, fields: Record<string, unknown> = {}) =>
    new Promise<Message>((resolve) => {
      const tid = randomUUID();
      waiting.set(tid, resolve);
      send(type, { ...fields, tid });
    });
  const waitFor = (predicate: (m: Message) => boolean, timeoutMs = 5000) =>
    waitUntil(() => pushed.find(predicate), timeoutMs, 'a pushed message');
  return { onMessage, request, pushed, waitFor };
}

export async function nativeClient(baseUrl: string): Promise<RawClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
  const core = clientCore((type, payload) => ws.send(JSON.stringify({ ...payload, type })));
  ws.on('message', (data) => core.onMessage(JSON.parse(data.toString()) as Message));
  const closed = new Promise<{ code?: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ...core, close: () => ws.close(), closed };
}

export async function socketIoClient(baseUrl: string): Promise<RawClient & { socket: Socket }> {
  const socket = io(baseUrl, {
    path: '/rtc',
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  const core = clientCore((type, payload) => socket.emit(type, payload));
  socket.onAny((type: string, payload: Record<string, unknown>) => core.onMessage({ ...payload, type }));
  const closed = new Promise<{ code?: number }>((resolve) => socket.on('disconnect', () => resolve({})));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { ...core, socket, close: () => socket.disconnect(), closed };
}
