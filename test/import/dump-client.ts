import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportSummaryBody } from '../../src/protocol/dump.js';
import { expect } from 'vitest';
import { API_KEY, API_SECRET, appToken, type TestApp, type TestServer } from '../support/test-server.js';

export const FIXTURE = join(import.meta.dirname, 'fixtures', 'vonage-dump.ndjson');

export const BASIC = `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`;

/** The fixture's lines, parsed. */
export async function fixtureLines(): Promise<Record<string, any>[]> {
  const text = await readFile(FIXTURE, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Posts an NDJSON dump to the import route; `authorization` defaults to the API key and secret. */
export async function postImport(
  server: TestServer,
  appId: string,
  body: string,
  options: { query?: string; authorization?: string; contentType?: string } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/v2/applications/${appId}/import${options.query ?? ''}`, {
    method: 'POST',
    headers: {
      authorization: options.authorization ?? BASIC,
      'content-type': options.contentType ?? 'application/x-ndjson',
    },
    body,
  });
  return { status: res.status, body: await res.json() };
}

/** Imports and expects a 200 summary. */
export async function importDump(
  server: TestServer,
  appId: string,
  body: string,
  query = '',
): Promise<ImportSummaryBody> {
  const { status, body: summary } = await postImport(server, appId, body, { query });
  if (status !== 200) throw new Error(`import: ${status} ${JSON.stringify(summary)}`);
  return summary as ImportSummaryBody;
}

/** The application's dump, as the export route streams it. */
export async function exportDump(server: TestServer, appId: string, query = ''): Promise<string> {
  const res = await fetch(`${server.url}/v2/applications/${appId}/export${query}`, {
    headers: { authorization: BASIC },
  });
  if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
  return res.text();
}

export const counts = (users: number, conversations: number, members: number, events: number) => ({
  users,
  conversations,
  members,
  events,
});

/** Every REST listing of an application, `_links` left out (they name the server). */
export async function listings(server: TestServer, app: TestApp): Promise<unknown> {
  const token = await appToken(app);
  const get = async (path: string): Promise<any> => {
    const res = await server.call('GET', path, { token });
    expect(res.status, path).toBe(200);
    return JSON.parse(await res.text(), (key, value: unknown) => (key === '_links' ? undefined : value));
  };
  const users = await get('/v1/users?page_size=100');
  const conversations = await get('/v1/conversations?page_size=100');
  const rooms = [];
  for (const { id } of conversations._embedded.conversations) {
    const members = await get(`/v1/conversations/${id}/members?page_size=100`);
    rooms.push({
      conversation: await get(`/v1/conversations/${id}`),
      members: await Promise.all(
        members._embedded.members.map((m: { id: string }) => get(`/v1/conversations/${id}/members/${m.id}`)),
      ),
      events: await get(`/v1/conversations/${id}/events?page_size=100`),
      userConversations: await Promise.all(
        members._embedded.members.map((m: any) => get(`/v1/users/${m._embedded.user.id}/conversations`)),
      ),
    });
  }
  return { users, conversations, rooms };
}
