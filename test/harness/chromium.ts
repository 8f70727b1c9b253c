/**
 * Opens a report file in headless Chromium as a client's browser would: the rendered DOM (after
 * parsing and style), every console message (script errors, blocked loads under the page's
 * Content-Security-Policy), and a screenshot. Installs Debian's `chromium` when missing (as root).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, ensureSystemPackages } from './system-deps.js';

/** What Chromium made of a page. */
export interface RenderedPage {
  /** The DOM after loading (`--dump-dom`). */
  dom: string;
  /** Console messages of the page (`:CONSOLE` log lines): errors, warnings, CSP violations. */
  console: string[];
  /** Page load failures reported by the headless shell (`Page load failed`, `net::ERR_`). */
  loadErrors: string[];
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-logging=stderr',
  '--v=0',
];

function chromium(args: string[]): { stdout: string; stderr: string } {
  ensureSystemPackages([CHROMIUM]);
  const profile = mkdtempSync(join(tmpdir(), 'mailshift-chromium-'));
  try {
    const res = spawnSync(CHROMIUM.provides, [...FLAGS, `--user-data-dir=${profile}`, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (res.error) throw res.error;
    if (res.status !== 0) throw new Error(`chromium exited with ${res.status}: ${res.stderr.slice(-2000)}`);
    return { stdout: res.stdout, stderr: res.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function consoleLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l));
}

function loadErrors(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /Page load failed|net::ERR_/.test(l));
}

/** Loads a local HTML file and returns its DOM and console output. */
export function renderPage(file: string): RenderedPage {
  const { stdout, stderr } = chromium(['--dump-dom', pathToFileURL(file).href]);
  return { dom: stdout, console: consoleLines(stderr), loadErrors: loadErrors(stderr) };
}

/**
 * Takes a screenshot of a local HTML file.
 * @param size window size "width,height" (the PNG has this size)
 * @returns console lines and load errors seen while rendering it
 */
export function screenshotPage(file: string, png: string, size = '1200,3000'): Omit<RenderedPage, 'dom'> {
  const { stderr } = chromium([`--screenshot=${png}`, `--window-size=${size}`, pathToFileURL(file).href]);
  return { console: consoleLines(stderr), loadErrors: loadErrors(stderr) };
}
