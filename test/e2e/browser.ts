import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { makeTempDir } from '../helpers/db';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Debian's headless Chromium with a fresh profile. --no-sandbox because CI
 * runs as root; the rest keeps it off the network (no updates, no sync).
 */
export async function launchChromium(): Promise<Browser> {
  const profile = makeTempDir('fluent-jobs-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where browser tests keep their screenshots (git-ignored): test-results/screenshots/<name>.png. */
export function screenshotPath(name: string): string {
  const dir = path.join(import.meta.dirname, '../../test-results/screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
