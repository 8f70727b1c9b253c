/**
 * A page in headless Chromium (playwright-core over Debian's `chromium`) that records what a
 * person could not see: every request it makes and every console message or script error.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, ensureSystemPackages } from './system-deps.js';

/** A browser with one page, and what the page requested and logged. */
export interface WatchedPage {
  browser: Browser;
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Console messages (`type: text`) and uncaught errors (`pageerror: message`). */
  consoleLines: string[];
}

/** Starts Chromium (installing Debian's package when missing, as root) with one watched page. */
export async function openWatchedPage(viewport = { width: 1280, height: 1000 }): Promise<WatchedPage> {
  ensureSystemPackages([CHROMIUM]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM.provides,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const consoleLines: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`pageerror: ${err.message}`));
  return { browser, page, requests, consoleLines };
}
