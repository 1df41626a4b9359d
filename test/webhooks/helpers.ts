import { createHash } from 'node:crypto';
import { verifySignature } from '@vonage/jwt';
import { decodeJwt } from 'jose';
import { appToken, userToken, type TestApp, type TestServer } from '../support/test-server.js';
import type { ReceivedWebhook } from '../support/webhook-receiver.js';

export const SIGNATURE_SECRET = 'webhook-signature-secret-for-tests';

/** Points the application's event URL at `url` through `PUT /v2/applications/:id`. */
export async function setEventUrl(server: TestServer, app: TestApp, url: string | null): Promise<Response> {
  const rtc =
    url === null ? { webhooks: {} } : { webhooks: { event_url: { address: url, http_method: 'POST' } } };
  const res = await server.call('PUT', `/v2/applications/${app.id}`, {
    basic: true,
    body: { capabilities: { rtc } },
  });
  if (res.status !== 200) throw new Error(`PUT application: ${res.status} ${await res.text()}`);
  return res;
}

/** Sends a text as `name` over REST; resolves with its event id. */
export async function sendText(server: TestServer, app: TestApp, cid: string, name: string, text: string) {
  const res = await server.call('POST', `/v1/conversations/${cid}/events`, {
    token: await userToken(app, name),
    body: { type: 'text', body: { text } },
  });
  if (res.status !== 201) throw new Error(`send: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

/** The id of the conversation's newest event, read as the application. */
export async function lastEventId(server: TestServer, app: TestApp, cid: string): Promise<number> {
  const res = await server.call('GET', `/v1/conversations/${cid}`, { token: await appToken(app) });
  return ((await res.json()) as { sequence_number: number }).sequence_number;
}

/** A receiver's own check, as a backend written for Vonage does it. */
export function verifies(hook: ReceivedWebhook, secret: string, raw = hook.raw): boolean {
  const token = /^Bearer (.+)$/.exec(hook.headers.authorization ?? '')?.[1];
  if (!token || !verifySignature(token, secret)) return false;
  const claims = decodeJwt(token);
  return claims.payload_hash === createHash('sha256').update(raw).digest('hex');
}

/** Each conversation's event ids in arrival order, each delivery id counted once. */
export function idsByConversation(received: readonly ReceivedWebhook[]): Map<string, number[]> {
  const seen = new Set<string>();
  const ids = new Map<string, number[]>();
  for (const hook of received) {
    const delivery = String(hook.headers['x-parley-delivery-id']);
    if (seen.has(delivery)) continue;
    seen.add(delivery);
    const list = ids.get(hook.body.conversation_id) ?? [];
    list.push(hook.body.id ?? -1);
    ids.set(hook.body.conversation_id, list);
  }
  return ids;
}

export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
