import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, serviceSkipReason } from '../support/services.js';
import { startTestServer, userToken, type TestServer } from '../support/test-server.js';
import { getBytes, jpegWithGps, postForm, stitchRatios } from './media-support.js';

const skip = await serviceSkipReason('postgres');

/** Two nodes on one PostgreSQL database: media live in the database, so either node serves any upload. */
describe.skipIf(skip !== undefined)('media on PostgreSQL, across nodes', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let nodes: TestServer[];

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    nodes = [];
    for (let i = 0; i < 2; i++) nodes.push(await startTestServer({ databaseUrl: database.url }));
  });
  afterAll(async () => {
    for (const node of nodes ?? []) await node.stop();
    await database?.drop();
  });

  it('serves an image uploaded on one node from the other, by bearer token and by signed URL', async () => {
    const [one, two] = nodes as [TestServer, TestServer];
    const app = await one.createApp();
    const { cid } = await one.createRoom(app, ['alice', 'bob']);
    const alice = await userToken(app, 'alice');
    const bob = await userToken(app, 'bob');

    const { status, body } = await postForm(
      one,
      '/v1/image',
      alice,
      { bytes: await jpegWithGps(), type: 'image/jpeg', name: 'p.jpg' },
      stitchRatios,
    );
    expect(status).toBe(200);
    const sent = await two.call('POST', `/v1/conversations/${cid}/events`, {
      token: alice,
      body: { type: 'image', body: { representations: body } },
    });
    expect(sent.status).toBe(201);

    const original = body.original as { id: string; size: number; url: string };
    const onTwo = await getBytes(`${two.url}/v3/media/${original.id}`, bob);
    expect(onTwo.res.status).toBe(200);
    expect(onTwo.bytes.length).toBe(original.size);
    const onOne = await getBytes(original.url, bob);
    expect(onOne.bytes.equals(onTwo.bytes)).toBe(true);

    // Every node signs with the one key stored in the database.
    const signed = (await (
      await fetch(`${one.url}/v3/media/${original.id}/url`, { headers: { authorization: `Bearer ${bob}` } })
    ).json()) as { url: string };
    const elsewhere = new URL(signed.url);
    elsewhere.host = new URL(two.url).host;
    expect((await getBytes(elsewhere.toString())).res.status).toBe(200);
  });
});
