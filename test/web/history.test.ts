import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../support/chromium.js';
import { startChatHarness, waitForMessages, type ChatHarness } from './web-harness.js';

const SEEDED = 130;

interface MemberList {
  _embedded: { members: { id: string; _embedded: { user: { name: string } } }[] };
}

describe.skipIf(chromiumSkipReason())('message history', () => {
  let harness: ChatHarness;

  beforeAll(async () => {
    harness = await startChatHarness();
    const cid = harness.server.demo!.conversationId;
    const grant = await harness.server.call('POST', '/demo/token', { body: { name: 'Kevin' } });
    const { token } = (await grant.json()) as { token: string };
    const members = (await (
      await harness.server.call('GET', `/v1/conversations/${cid}/members`, { token })
    ).json()) as MemberList;
    const kevin = members._embedded.members.find((m) => m._embedded.user.name === 'Kevin')!;
    for (let n = 1; n <= SEEDED; n++) {
      const res = await harness.server.call('POST', `/v1/conversations/${cid}/events`, {
        token,
        body: { type: 'text', from: kevin.id, body: { text: `history ${n}` } },
      });
      expect(res.status).toBe(201);
    }
  });

  afterAll(() => harness?.stop());

  it('opens on the latest messages, with the older ones a click away', async () => {
    const page = await harness.loginAs('John');
    await page.locator('#load-earlier').waitFor();
    const latest = await page.locator('#messages .message .message-text').allTextContents();
    expect(latest.length).toBeGreaterThan(0);
    expect(latest.length).toBeLessThan(SEEDED);
    expect(latest.at(-1)).toBe(`history ${SEEDED}`);

    await page.locator('#load-earlier').click();
    const all = await waitForMessages(page, SEEDED);
    expect(all).toEqual(Array.from({ length: SEEDED }, (_, i) => `history ${i + 1}`));
    expect(await page.locator('#load-earlier').isHidden()).toBe(true);
    const stillReadingOlder = await page
      .locator('#messages')
      .evaluate((list) => list.scrollHeight - list.scrollTop - list.clientHeight > 100);
    expect(stillReadingOlder, 'loading older messages keeps the view where the reader was').toBe(true);
  });
});
