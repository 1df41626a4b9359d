import { WebSocket } from 'ws';
import {
  ConversationClient,
  type Application,
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

/**
 * A barrier: a request and its reply. The server answers in order, so once this resolves every frame it sent
 * before (pushes, replies to earlier requests) has reached the client and been handled.
 */
export async function roundTrip(app: Application): Promise<void> {
  await app.getUser();
}
