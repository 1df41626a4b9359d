import { mkdir, readdir, copyFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const WEB_SRC = 'web';
const WEB_OUT = 'dist/web';

/**
 * Builds the chat app into dist/web the way scripts/bundle.mjs does, so the server under test serves the current
 * sources. Test files run in parallel processes: every file lands under a temporary name and is renamed into
 * place, so a server never reads a half-written file.
 */
export async function buildWebApp(): Promise<void> {
  await mkdir(WEB_OUT, { recursive: true });
  const suffix = `.tmp-${process.pid}`;
  const result = await build({
    entryPoints: [join(WEB_SRC, 'app.ts')],
    outfile: join(WEB_OUT, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  for (const file of result.outputFiles) {
    await writeFile(file.path + suffix, file.contents);
    await rename(file.path + suffix, file.path);
  }
  for (const name of await readdir(WEB_SRC)) {
    if (!/\.(html|css|svg|png|ico)$/.test(name)) continue;
    await copyFile(join(WEB_SRC, name), join(WEB_OUT, name + suffix));
    await rename(join(WEB_OUT, name + suffix), join(WEB_OUT, name));
  }
}

export interface ChatHarness {
  server: TestServer;
  browser: Browser;
  /** A fresh browser context (its own storage) showing the app. */
  openPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Opens the app and logs in through the demo login box. */
  loginAs(name: string, viewport?: { width: number; height: number }): Promise<Page>;
  stop(): Promise<void>;
}

/**
 * A server (in demo mode unless told otherwise), the freshly built app and one Chromium. Errors in a page fail
 * the suite when it stops.
 */
export async function startChatHarness({ demo = true } = {}): Promise<ChatHarness> {
  await buildWebApp();
  const server = await startTestServer({ demo });
  const browser = await launchChromium().catch(async (e: unknown) => {
    await server.stop();
    throw e;
  });
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const openPage: ChatHarness['openPage'] = async (viewport = { width: 1280, height: 800 }) => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // A refused request (an unknown demo user, say) is logged by the browser itself; the app's own are not.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(message.text());
      }
    });
    await page.goto(server.url);
    return page;
  };

  const loginAs: ChatHarness['loginAs'] = async (name, viewport) => {
    const page = await openPage(viewport);
    await page.locator('#login-name').fill(name);
    await page.locator('#login-submit').click();
    await page.waitForFunction((n) => document.getElementById('logged-in-as')?.textContent === n, name);
    // The demo conversation opens by itself; the composer is enabled once we are a joined member.
    await page.locator('#composer:enabled').waitFor();
    return page;
  };

  return {
    server,
    browser,
    openPage,
    loginAs,
    stop: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await server.stop();
      if (pageErrors.length > 0) throw new Error(`errors in the browser:\n${pageErrors.join('\n')}`);
    },
  };
}

/** Sends a message through the composer the way a user does. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.locator('#composer').fill(text);
  await page.locator('#composer').press('Enter');
}

/** The texts of the messages shown, in order, once there are `count` of them. */
export async function waitForMessages(page: Page, count: number): Promise<string[]> {
  await expect.poll(() => page.locator('#messages .message').count(), { timeout: 10_000 }).toBe(count);
  return page.locator('#messages .message .message-text').allTextContents();
}

export const eventIds = (page: Page): Promise<string[]> =>
  page
    .locator('#messages .message')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-event-id') ?? ''));
