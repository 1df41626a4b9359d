import { WebSocket } from 'ws';
import {
  ConversationClient,
  type ConnectionState,
  type ConversationClientOptions,
  type StateChange,
} from '../../src/client/index.js';

export interface TestClient {
  client: ConversationClient;
  /** Every WebSocket the client opened, oldest first. */
  sockets: WebSocket[];
  states: StateChange[];
}

/** A client on `ws` that records its sockets, with fast reconnects for tests. */
export function createClient(url: string, options: ConversationClientOptions = {}): TestClient {
  const sockets: WebSocket[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(address: string) {
      super(address);
      sockets.push(this);
    }
  }
  const client = new ConversationClient({
    url,
    WebSocket: RecordingWebSocket,
    reconnect: { minDelayMs: 10, maxDelayMs: 50 },
    requestTimeoutMs: 2000,
    ...options,
  });
  const states: StateChange[] = [];
  client.on('state', (change) => states.push(change));
  return { client, sockets, states };
}

export async function waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function nextState(client: ConversationClient, state: ConnectionState): Promise<StateChange> {
  return new Promise((resolve) => {
    const listener = (change: StateChange): void => {
      if (change.newState !== state) return;
      client.off('state', listener);
      resolve(change);
    };
    client.on('state', listener);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
