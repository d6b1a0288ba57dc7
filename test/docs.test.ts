// The rendered reference as a reader meets it: headless Chromium opens the committed pages
// in docs/ with the network cut off, and every operation of both OpenAPI contracts and every
// event of both SUBHOOK channels must be reachable and shown; meanwhile `npm run docs` renders
// spec/ into a temporary directory, and docs/ must be exactly that render (so what the browser
// checked is what the specs give now). The expectations come from the specs themselves.
//
// The browser is CHROMIUM_PATH, else a Chromium or Chrome on PATH, else the Chromium shipped
// inside the @sparticuz/chromium npm package (a dev dependency), so `npm ci` is all it needs.
//
// Redoc renders each operation on a route named after its operationId (#/<tag>/<operationid>,
// lower-cased) but never prints the id as text, so an operation counts as listed when the
// page links to that route and following the link shows the operation's summary as a
// heading, with its method and path. An event counts as listed when its message is in the
// channel's message menu and choosing it shows the event name (the value of `events`).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
// Where to save one screenshot per page for a person to look at; unset, none are taken.
const screenshotDir = process.env.DOCS_SCREENSHOT_DIR;

const openApiPages = [
  { spec: 'spec/smn.openapi.yaml', file: 'smn.html' },
  { spec: 'spec/mock-admin.openapi.yaml', file: 'mock-admin.html' },
];
const asyncApiPage = { spec: 'spec/subhook.asyncapi.yaml', file: 'subhook.html' };
const allFiles = ['index.html', ...openApiPages.map((p) => p.file), asyncApiPage.file];

const httpMethods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

interface Operation {
  operationId: string;
  method: string;
  path: string;
  summary: string;
  /** The tag it is listed under, when it has one. */
  tag?: string;
  /** Marked deprecated (mobile push: deprecated in one edition). */
  deprecated?: boolean;
}

interface SubhookChannel {
  key: string;
  title: string;
  events: { name: string; title: string }[];
}

const readSpec = (file: string) => parse(readFileSync(join(root, file), 'utf8'));

function operationsOf(specFile: string): Operation[] {
  const spec = readSpec(specFile) as { paths: Record<string, Record<string, { operationId?: string; summary?: string; tags?: string[]; deprecated?: boolean }>> };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of httpMethods) {
      const operation = item[method];
      if (!operation) continue;
      // A summary is what the reader sees; the test would have nothing to look for without one.
      if (!operation.operationId || !operation.summary) throw new Error(`${specFile}: ${method} ${path} needs an operationId and a summary`);
      operations.push({ operationId: operation.operationId, method, path, summary: operation.summary, tag: operation.tags?.[0], deprecated: operation.deprecated === true });
    }
  }
  return operations;
}

function subhookChannels(): SubhookChannel[] {
  const spec = readSpec(asyncApiPage.spec) as {
    channels: Record<string, { title: string; messages: Record<string, { name?: string; title: string }> }>;
  };
  return Object.entries(spec.channels).map(([key, channel]) => ({
    key,
    title: channel.title,
    events: Object.entries(channel.messages).map(([messageKey, message]) => ({ name: message.name ?? messageKey, title: message.title })),
  }));
}

let outDir: string;
let browser: Browser;
let browserName = 'the browser';
let browserSeconds: number;
let browserFailure: Error | undefined;
// Per rendered file: script errors thrown in the page, and the requests it made off the machine (all refused).
const pageErrors = new Map<string, string[]>();
const blockedRequests = new Map<string, Set<string>>();

// Without the background-networking switches Chromium keeps trying Google's hosts, which a closed network refuses.
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const systemChromiums = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

interface BrowserChoice {
  name: string;
  executablePath: string;
  env?: Record<string, string>;
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** CHROMIUM_PATH, else a Chromium or Chrome on PATH, else the one shipped in the @sparticuz/chromium npm package. */
async function chooseBrowser(): Promise<BrowserChoice> {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!isExecutable(given)) throw new Error(`CHROMIUM_PATH=${given} is not an executable file; unset it to use the Chromium that npm ci installed`);
    return { name: `CHROMIUM_PATH ${given}`, executablePath: given };
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const found = systemChromiums.map((name) => join(dir, name)).find(isExecutable);
    if (found) return { name: found, executablePath: found };
  }
  return npmChromium();
}

/**
 * The Chromium inside the @sparticuz/chromium tarball (a dev dependency: no download at install
 * or run time), unpacked once per version under .cache/ (git-ignored; outside node_modules, where
 * a change makes npm read the whole tree again on every npx). The package unpacks into
 * os.tmpdir(), so TMPDIR points at a fresh folder while it does, and the folder is renamed into
 * place only when complete: an interrupted run or a second test run never sees half a browser.
 */
async function npmChromium(): Promise<BrowserChoice> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the npm Chromium (@sparticuz/chromium) is for Linux x64 only; on ${process.platform}-${process.arch} set CHROMIUM_PATH to a Chromium or Chrome`);
  }
  const packageDir = join(dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))), '../..');
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const cacheDir = join(root, '.cache');
  const dir = join(cacheDir, `chromium-${version}`);
  const name = `@sparticuz/chromium ${version}`;
  // Its own fonts only (Open Sans), so the pages lay out the same on a machine without fonts.
  const env = { FONTCONFIG_FILE: join(dir, 'fonts.conf') };
  if (existsSync(join(dir, 'chromium'))) return { name, executablePath: join(dir, 'chromium'), env };

  mkdirSync(cacheDir, { recursive: true });
  const partial = mkdtempSync(join(cacheDir, `chromium-${version}.partial-`));
  const savedTmpdir = process.env.TMPDIR;
  try {
    process.env.TMPDIR = partial;
    const { default: sparticuz } = await import('@sparticuz/chromium');
    const unpacked = await sparticuz.executablePath(join(packageDir, 'bin'));
    if (unpacked !== join(partial, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not into ${partial}`);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  } finally {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  }
  writeFileSync(
    join(partial, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${join(dir, 'fonts')}</dir><cachedir>${join(dir, 'fonts-cache')}</cachedir></fontconfig>\n`,
  );
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another run finished first: use its copy.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, 'chromium'))) throw error;
  }
  return { name, executablePath: join(dir, 'chromium'), env };
}

async function launchBrowser(): Promise<Browser> {
  const choice = await chooseBrowser();
  browserName = choice.name;
  try {
    return await chromium.launch({ executablePath: choice.executablePath, args: chromiumArgs, env: { ...process.env, ...choice.env } });
  } catch (error) {
    throw new Error(`could not start ${choice.name} for the docs test (set CHROMIUM_PATH to another Chromium or Chrome): ${(error as Error).message}`);
  }
}

/** npm run docs into a temporary directory, in a child process so that the browser starts meanwhile. */
function renderDocs(out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/docs.mjs'), '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`npm run docs failed (${code ?? signal}):\n${output}`))));
  });
}

const docsDir = join(root, 'docs');
let render: Promise<{ seconds: number; error?: Error }>;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'smn-kit-docs-'));
  const started = performance.now();
  // The render runs in child processes while the browser checks the committed pages; the last test waits for it.
  render = renderDocs(outDir).then(
    () => ({ seconds: (performance.now() - started) / 1000 }),
    (error: Error) => ({ seconds: (performance.now() - started) / 1000, error }),
  );
  // A browser that cannot start fails each test that needs it, with the reason; a failing hook would only mark them skipped.
  try {
    browser = await launchBrowser();
  } catch (error) {
    browserFailure = error as Error;
  }
  browserSeconds = (performance.now() - started) / 1000;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await render;
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Opens a rendered page with every non-file request refused, so the page is proven to work offline. */
async function open(file: string): Promise<Page> {
  if (browserFailure) throw browserFailure;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // A missing element should fail its check with a message, not wait for the test's timeout.
  page.setDefaultTimeout(15_000);
  const errors = pageErrors.get(file) ?? [];
  const blocked = blockedRequests.get(file) ?? new Set<string>();
  pageErrors.set(file, errors);
  blockedRequests.set(file, blocked);
  page.on('pageerror', (error) => errors.push(error.message));
  await page.route(
    (url) => url.protocol !== 'file:',
    (route) => {
      blocked.add(route.request().url());
      return route.abort();
    },
  );
  await page.goto(pathToFileURL(join(docsDir, file)).href, { waitUntil: 'load' });
  return page;
}

/** The page ran its scripts without an error and, offline, missed nothing but the Redocly logo. */
function expectRanOffline(expect: ExpectStatic, file: string) {
  expect(pageErrors.get(file), `script errors in ${file}`).toEqual([]);
  // The footer's "API docs by" logo is an image on Redocly's CDN; offline it is simply left out.
  const logo = /^https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg$/;
  expect([...(blockedRequests.get(file) ?? [])].filter((url) => !logo.test(url)), `requests off the machine from ${file}`).toEqual([]);
}

async function screenshot(page: Page, name: string) {
  if (!screenshotDir) return;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

// Each page parses a 2.5 MB inline script; on a busy 2-core machine a page test takes 10-20 s.
// The tests run at once, each page in a tab of its own: most of a page test is waiting for
// Redoc to render what a click or a route asked for, and the waits overlap. (Each uses the
// `expect` of its own context, as concurrent tests must.)
describe('the HTML reference in docs/', { timeout: 120_000, concurrent: true }, () => {
  it('index.html links every rendered page', async ({ expect }) => {
    const page = await open('index.html');
    const links = await page.locator('a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(links.sort()).toEqual(allFiles.filter((f) => f !== 'index.html').sort());
    for (const file of allFiles.filter((f) => f !== 'index.html')) {
      const spec = readSpec([...openApiPages, asyncApiPage].find((p) => p.file === file)!.spec) as { info: { title: string } };
      await expect.poll(() => page.getByRole('link', { name: spec.info.title }).isVisible()).toBe(true);
    }
    await screenshot(page, 'index');
    await page.close();
    expectRanOffline(expect, 'index.html');
  });

  for (const { spec, file } of openApiPages) {
    it(`${file} lists every operation of ${spec}`, async ({ expect }) => {
      const operations = operationsOf(spec);
      const [first] = operations;
      if (!first) throw new Error(`${spec} has no operations`);
      const page = await open(file);
      // A larger contract's menu shows its tags folded (Redoc renders one section at a
      // time): unfold the operation's tag, as a reader does, when its link is not there.
      const linkTo = async (operation: Operation) => {
        const link = page.locator(`a[href$="/${operation.operationId.toLowerCase()}"]`);
        if ((await link.count()) > 0 || !operation.tag) return link;
        // Going to the tag's route unfolds it, whether or not the page has finished loading.
        const tagRoute = await page.getByRole('link', { name: operation.tag, exact: true }).first().getAttribute('href');
        await page.goto(`${pathToFileURL(join(docsDir, file)).href}#${(tagRoute ?? '').replace(/^#/, '')}`);
        await link.first().waitFor({ state: 'attached' }).catch(() => undefined);
        return link;
      };
      // The menu exists only once Redoc's script has run; waiting for it waits for it.
      await (await linkTo(first)).first().waitFor({ state: 'attached' });
      await screenshot(page, file.replace(/\.html$/, ''));

      const missing: string[] = [];
      for (const operation of operations) {
        const link = await linkTo(operation);
        if ((await link.count()) === 0) {
          missing.push(`${operation.operationId}: no link to it`);
          continue;
        }
        await page.goto(pathToFileURL(join(docsDir, file)).href + (await link.first().getAttribute('href')));
        // The heading's accessible name starts with its anchor link's label ("link to ..."), so match its end.
        // A deprecated operation's heading ends with its badge ("deprecated" in the DOM, shown in capitals).
        const heading = page.getByRole('heading', { name: new RegExp(`${escapeRegExp(operation.summary)}${operation.deprecated ? '\\s*[Dd]eprecated' : ''}$`) });
        try {
          await heading.waitFor({ state: 'visible', timeout: 10_000 });
        } catch {
          missing.push(`${operation.operationId}: its heading "${operation.summary}" is not shown`);
          continue;
        }
        // The method badge and the path sit in the operation's own section, next to its heading:
        // its nearest enclosing block that shows the path (found up from the heading, not by
        // searching every block of the page, which takes minutes on a contract of 73 operations).
        // Redoc may show the heading before the rest of the section: look again for a few seconds.
        const sections = heading.first().locator(`xpath=ancestor::*[self::section or self::article or self::div][contains(., "${operation.path}")][1]`);
        const shown = `${operation.method.toUpperCase()} ${operation.path}`;
        let text = '';
        for (let attempt = 0; attempt < 20 && !text.includes(shown); attempt++) {
          if (attempt > 0) await page.waitForTimeout(250);
          text = (await sections.count()) > 0 ? (await sections.first().innerText()).replace(/\s+/g, ' ') : '';
        }
        if (!text.includes(shown)) {
          missing.push(`${operation.operationId}: ${operation.method.toUpperCase()} ${operation.path} not shown with it`);
        }
      }
      await page.close();
      expect(missing).toEqual([]);
      expectRanOffline(expect, file);
    });
  }

  it(`${asyncApiPage.file} lists every event of both SUBHOOK channels`, async ({ expect }) => {
    const channels = subhookChannels();
    expect(channels.map((c) => c.key)).toEqual(expect.arrayContaining(['sms', 'intersms']));
    const page = await open(asyncApiPage.file);
    await screenshot(page, asyncApiPage.file.replace(/\.html$/, ''));

    const missing: string[] = [];
    for (const channel of channels) {
      await page.getByRole('link', { name: channel.title }).first().click();
      await page.getByRole('heading', { name: new RegExp(`${escapeRegExp(channel.title)}$`) }).waitFor({ state: 'visible' });
      // The channel shows one message at a time, picked from a menu that lists them all; it opens on the first.
      let chosen = channel.events[0]?.title ?? '';
      const openMenu = async () => {
        if (await page.getByRole('menu').isVisible()) return;
        await page.getByRole('button', { name: chosen, exact: true }).click();
        await page.getByRole('menu').waitFor({ state: 'visible' });
      };
      await openMenu();
      const listed = (await page.getByRole('menuitem').allInnerTexts()).map((text) => text.trim());
      if (channel.key === 'sms') await screenshot(page, 'subhook-sms-messages');

      for (const event of channel.events) {
        if (!listed.includes(event.title)) {
          missing.push(`${channel.key}/${event.name}: "${event.title}" is not in the message menu`);
          continue;
        }
        // Choose the event, then look for its name where the payload's `events` value is shown.
        await openMenu();
        await page.getByRole('menuitem', { name: event.title, exact: true }).click();
        chosen = event.title;
        try {
          await page.getByText(`"${event.name}"`, { exact: true }).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: 10_000 });
        } catch {
          missing.push(`${channel.key}/${event.name}: the event name is not shown when its message is chosen`);
        }
      }
    }
    await page.close();
    expect(missing).toEqual([]);
    expectRanOffline(expect, asyncApiPage.file);
  });

  it('npm run docs renders every page, and the committed docs/ are that render', async ({ expect }) => {
    const { seconds, error } = await render;
    if (error) throw error;
    console.log(`npm run docs rendered ${allFiles.length} files in ${seconds.toFixed(1)} s; ${browserName} ${browserFailure ? 'failed' : 'was ready'} in ${browserSeconds.toFixed(1)} s`);
    const stale = allFiles.filter((file) => {
      const committed = join(docsDir, file);
      return !existsSync(committed) || readFileSync(committed, 'utf8') !== readFileSync(join(outDir, file), 'utf8');
    });
    expect(stale, 'docs/ is stale: run `npm run docs` and commit docs/').toEqual([]);
  });
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
