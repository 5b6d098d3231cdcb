// Debian's chromium driven by playwright-core (npx playwright install cannot download browsers here).
// Tests that need a browser call launchBrowser(t); it skips the test with a reason when there is none.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { needs, which } from './tools.js';

/** KABI_CHROMIUM, else chromium on PATH. */
export const CHROMIUM = process.env.KABI_CHROMIUM ?? which('chromium');

// Without the background-networking flags chromium keeps dialling out of a closed network.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-quic',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(t: TestContext): Promise<Browser | undefined> {
  if (CHROMIUM === undefined) {
    t.skip(`${needs('chromium')} (apt-get install chromium, or set KABI_CHROMIUM)`);
    return undefined;
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  } catch (error) {
    t.skip(`chromium at ${CHROMIUM} did not start: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

// Screenshots are for people to look at after a run; they are never committed.
export function screenshotDir(): string {
  const dir = process.env.KABI_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'kabi-screens-'));
  return dir;
}
