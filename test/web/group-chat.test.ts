import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../support/chromium.js';
import { eventIds, sendMessage, startChatHarness, waitForMessages, type ChatHarness } from './web-harness.js';

const NAMES = ['John', 'Kevin', 'Larry'] as const;

describe.skipIf(chromiumSkipReason())('three people chatting in the browser', () => {
  let harness: ChatHarness;
  let pages: Page[];

  beforeAll(async () => {
    harness = await startChatHarness();
    pages = [];
    for (const name of NAMES) pages.push(await harness.loginAs(name));
  });

  afterAll(() => harness?.stop());

  it('shows every member of the demo conversation as online', async () => {
    for (const page of pages) {
      await expect
        .poll(() => page.locator('#members .member[data-online="true"]').count(), { timeout: 10_000 })
        .toBe(3);
      const names = await page.locator('#members .member .member-name').allTextContents();
      expect(names.map((n) => n.replace(' (you)', '')).sort()).toEqual([...NAMES].sort());
    }
  });

  it('tells the others who is typing, and stops when the message is sent', async () => {
    const [john, kevin, larry] = pages as [Page, Page, Page];
    await john.locator('#composer').pressSequentially('Hel');
    for (const page of [kevin, larry]) {
      await expect.poll(() => page.locator('#typing').textContent()).toBe('John is typing…');
    }
    expect(await john.locator('#typing').textContent()).toBe('');
    await john.locator('#composer').pressSequentially('lo all');
    await john.locator('#composer').press('Enter');
    for (const page of [kevin, larry]) {
      await expect.poll(() => page.locator('#typing').textContent()).toBe('');
    }
  });

  it('shows everyone every message exactly once, in the same order', async () => {
    const before = await waitForMessages(pages[0]!, 1);
    expect(before).toEqual(['Hello all']);

    // Each person sends three messages, all at once, so the server sees them interleaved.
    await Promise.all(
      pages.map(async (page, i) => {
        for (let n = 1; n <= 3; n++) await sendMessage(page, `${NAMES[i]} says ${n}`);
      }),
    );

    const expected = 1 + NAMES.length * 3;
    const texts = await Promise.all(pages.map((page) => waitForMessages(page, expected)));
    const ids = await Promise.all(pages.map(eventIds));
    expect(new Set(ids[0]).size).toBe(expected);
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    expect(texts[1]).toEqual(texts[0]);
    expect(texts[2]).toEqual(texts[0]);
    for (const name of NAMES) {
      const own = texts[0]!.filter((t) => t.startsWith(`${name} says`));
      expect(own, `${name}'s messages keep their order`).toEqual([1, 2, 3].map((n) => `${name} says ${n}`));
    }
    expect(ids[0]!.map(Number)).toEqual([...ids[0]!.map(Number)].sort((a, b) => a - b));
  });

  it('names the sender of each message', async () => {
    const kevin = pages[1]!;
    const rows = await kevin
      .locator('#messages .message')
      .evaluateAll((nodes) =>
        nodes.map((n): [string, string] => [
          n.querySelector('.message-sender')?.textContent ?? '',
          n.querySelector('.message-text')?.textContent ?? '',
        ]),
      );
    for (const [sender, text] of rows) {
      if (text.includes(' says ')) expect(text.startsWith(sender)).toBe(true);
    }
    expect(rows[0]).toEqual(['John', 'Hello all']);
  });

  it('tells the sender who has seen their message', async () => {
    const john = pages[0]!;
    const first = john.locator('#messages .message').first();
    await expect
      .poll(() => first.locator('.message-seen').textContent(), { timeout: 10_000 })
      .toMatch(/^Seen by /);
    const seen = (await first.locator('.message-seen').textContent()) ?? '';
    expect(seen).toContain('Kevin');
    expect(seen).toContain('Larry');
  });

  it('shows a member going offline when they log out', async () => {
    const [john, , larry] = pages as [Page, Page, Page];
    await larry.locator('#logout').click();
    await larry.locator('#login').waitFor();
    await expect
      .poll(() => john.locator('#members .member[data-online="true"]').count(), { timeout: 10_000 })
      .toBe(2);
  });
});
