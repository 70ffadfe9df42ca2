/**
 * Debian's Chromium through playwright-core, for the hosted-page tests: where it is, how it is launched,
 * the CI rule (under CI=true a missing Chromium fails the suite; locally the suite is skipped with a
 * message), screenshots (always taken; written to docs/images/ with GATEHOUSE_SCREENSHOTS=1), and the
 * application's side of a redirect: a tiny server on 127.0.0.1 recording what reaches it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

const executablePath = process.env['GATEHOUSE_CHROMIUM'] ?? '/usr/bin/chromium';
const chromiumFound = existsSync(executablePath);
const writeScreenshots = process.env['GATEHOUSE_SCREENSHOTS'] === '1';
const imagesDir = new URL('../../../../docs/images/', import.meta.url);

/** A describe() that runs in Chromium when it is installed (see above for the CI rule). */
export function describeInChromium(name: string, body: () => void): void {
  if (!chromiumFound && process.env['CI'] === 'true') {
    describe(name, () => {
      it('needs Chromium', () => assert.fail(`Chromium not found at ${executablePath}: install it (apt-get install -y chromium) or set GATEHOUSE_CHROMIUM`));
    });
    return;
  }
  describe(name, { skip: chromiumFound ? false : `Chromium not found at ${executablePath} (apt-get install -y chromium)` }, body);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ fullPage: true });
  assert.ok(image.length > 1000, `${name} screenshot taken`);
  if (!writeScreenshots) return;
  await mkdir(imagesDir, { recursive: true });
  await writeFile(new URL(name, imagesDir), image);
}

export interface Callback {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

/** The client's side: a server on 127.0.0.1 that records every request reaching it (`url` ends in /callback). */
export async function startCallbackServer(): Promise<{ server: Server; url: string; received: Callback[] }> {
  const received: Callback[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', body });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Client</title><p>Signed in.</p>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, received };
}
