/** Shared by the e2e tests: the Chromium they drive, and the privacy check of a page's requests. */
import { chromium, type Browser, type Request } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Every request (but blob: and data: URLs) went to `origin`, was a GET and carried no body; with
 * `forbiddenPath`, none asked for a path matching it.
 */
export function expectOnlyBodylessGets(requests: readonly Request[], origin: string, forbiddenPath?: RegExp): void {
  for (const request of requests) {
    const url = new URL(request.url());
    if (url.protocol === 'blob:' || url.protocol === 'data:') continue;
    expect(url.origin, request.url()).toBe(origin);
    expect(request.method(), request.url()).toBe('GET');
    expect(request.postData(), request.url()).toBeNull();
    if (forbiddenPath) expect(url.pathname, request.url()).not.toMatch(forbiddenPath);
  }
}
