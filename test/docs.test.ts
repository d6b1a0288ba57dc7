// The rendered reference as a reader meets it: `npm run docs` renders spec/ into a temporary
// directory, headless Chromium opens the pages with the network cut off, and every
// operation of both OpenAPI contracts and every event of both SUBHOOK channels must be
// reachable and shown. The expectations come from the specs themselves.
//
// Redoc renders each operation on a route named after its operationId (#/<tag>/<operationid>,
// lower-cased) but never prints the id as text, so an operation counts as listed when the
// page links to that route and following the link shows the operation's summary as a
// heading, with its method and path. An event counts as listed when its message is in the
// channel's message menu and choosing it shows the event name (the value of `events`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
}

interface SubhookChannel {
  key: string;
  title: string;
  events: { name: string; title: string }[];
}

const readSpec = (file: string) => parse(readFileSync(join(root, file), 'utf8'));

function operationsOf(specFile: string): Operation[] {
  const spec = readSpec(specFile) as { paths: Record<string, Record<string, { operationId?: string; summary?: string }>> };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of httpMethods) {
      const operation = item[method];
      if (!operation) continue;
      // A summary is what the reader sees; the test would have nothing to look for without one.
      if (!operation.operationId || !operation.summary) throw new Error(`${specFile}: ${method} ${path} needs an operationId and a summary`);
      operations.push({ operationId: operation.operationId, method, path, summary: operation.summary });
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
let renderSeconds: number;
// Per rendered file: script errors thrown in the page, and the requests it made off the machine (all refused).
const pageErrors = new Map<string, string[]>();
const blockedRequests = new Map<string, Set<string>>();

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. The docs test opens the rendered pages in Debian's Chromium: ` +
        'install it with `apt-get update && apt-get install -y --no-install-recommends chromium` ' +
        '(.ci/run does this), or point CHROMIUM_PATH at another Chromium.',
    );
  }
  outDir = mkdtempSync(join(tmpdir(), 'smn-kit-docs-'));
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(root, 'scripts/docs.mjs'), '--out', outDir], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  renderSeconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`npm run docs failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    // Without the background-networking switches Chromium keeps trying Google's hosts, which a closed network refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Opens a rendered page with every non-file request refused, so the page is proven to work offline. */
async function open(file: string): Promise<Page> {
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
  await page.goto(pathToFileURL(join(outDir, file)).href, { waitUntil: 'load' });
  return page;
}

/** The page ran its scripts without an error and, offline, missed nothing but the Redocly logo. */
function expectRanOffline(file: string) {
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
describe('npm run docs', { timeout: 120_000 }, () => {
  it('renders every page, and the committed docs/ are what the specs give now', () => {
    console.log(`npm run docs rendered ${allFiles.length} files in ${renderSeconds.toFixed(1)} s`);
    const stale = allFiles.filter((file) => {
      const committed = join(root, 'docs', file);
      return !existsSync(committed) || readFileSync(committed, 'utf8') !== readFileSync(join(outDir, file), 'utf8');
    });
    expect(stale, 'docs/ is stale: run `npm run docs` and commit docs/').toEqual([]);
  });

  it('index.html links every rendered page', async () => {
    const page = await open('index.html');
    const links = await page.locator('a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(links.sort()).toEqual(allFiles.filter((f) => f !== 'index.html').sort());
    for (const file of allFiles.filter((f) => f !== 'index.html')) {
      const spec = readSpec([...openApiPages, asyncApiPage].find((p) => p.file === file)!.spec) as { info: { title: string } };
      await expect.poll(() => page.getByRole('link', { name: spec.info.title }).isVisible()).toBe(true);
    }
    await screenshot(page, 'index');
    await page.close();
    expectRanOffline('index.html');
  });

  for (const { spec, file } of openApiPages) {
    it(`${file} lists every operation of ${spec}`, async () => {
      const operations = operationsOf(spec);
      const [first] = operations;
      if (!first) throw new Error(`${spec} has no operations`);
      const page = await open(file);
      // The operation links exist only once Redoc's script has run; waiting for them waits for it.
      await page.locator(`a[href$="/${first.operationId.toLowerCase()}"]`).first().waitFor({ state: 'attached' });
      await screenshot(page, file.replace(/\.html$/, ''));

      const missing: string[] = [];
      for (const operation of operations) {
        const link = page.locator(`a[href$="/${operation.operationId.toLowerCase()}"]`);
        if ((await link.count()) === 0) {
          missing.push(`${operation.operationId}: no link to it`);
          continue;
        }
        await page.goto(pathToFileURL(join(outDir, file)).href + (await link.first().getAttribute('href')));
        // The heading's accessible name starts with its anchor link's label ("link to ..."), so match its end.
        const heading = page.getByRole('heading', { name: new RegExp(`${escapeRegExp(operation.summary)}$`) });
        try {
          await heading.waitFor({ state: 'visible', timeout: 10_000 });
        } catch {
          missing.push(`${operation.operationId}: its heading "${operation.summary}" is not shown`);
          continue;
        }
        // The method badge and the path sit in the operation's own section, next to its heading.
        const sections = page.locator('section, article, div').filter({ has: heading }).filter({ hasText: operation.path });
        const text = (await sections.count()) > 0 ? (await sections.last().innerText()).replace(/\s+/g, ' ') : '';
        if (!text.includes(`${operation.method.toUpperCase()} ${operation.path}`)) {
          missing.push(`${operation.operationId}: ${operation.method.toUpperCase()} ${operation.path} not shown with it`);
        }
      }
      await page.close();
      expect(missing).toEqual([]);
      expectRanOffline(file);
    });
  }

  it(`${asyncApiPage.file} lists every event of both SUBHOOK channels`, async () => {
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
    expectRanOffline(asyncApiPage.file);
  });
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
