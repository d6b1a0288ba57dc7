// npm run docs                   renders the contracts in spec/ to static HTML in docs/
// node scripts/docs.mjs --out DIR  renders into DIR instead (the docs test uses a temporary one)
//
// Redocly CLI's build-docs (Redoc 3) renders both the OpenAPI and the AsyncAPI contracts,
// so the three pages look and behave alike. Each page carries the Redoc script inline:
// it works opened from disk, offline, and needs no server. docs/index.html links them.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));

/** One rendered page per contract; `file` is relative to the output directory. */
const pages = [
  { spec: 'spec/smn.openapi.yaml', file: 'smn.html' },
  { spec: 'spec/mock-admin.openapi.yaml', file: 'mock-admin.html' },
  { spec: 'spec/subhook.asyncapi.yaml', file: 'subhook.html' },
];

const { values: options } = parseArgs({ options: { out: { type: 'string', default: join(root, 'docs') } } });
const outDir = resolve(options.out);

// Telemetry off keeps the CLI from reporting usage and is also written into the pages,
// where it turns off Redoc's in-browser telemetry; the update notice would ask the registry.
const redoclyEnv = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
const redoclyPackage = JSON.parse(await readFile(join(root, 'node_modules/@redocly/cli/package.json'), 'utf8'));
const redoclyCli = join(root, 'node_modules/@redocly/cli', redoclyPackage.bin.redocly);

/** Runs `redocly build-docs` for one page; resolves when the file is written, rejects with the CLI's output otherwise. */
function render(page) {
  const args = [redoclyCli, 'build-docs', join(root, page.spec), '--output', join(outDir, page.file), '--inlineBundle', '--lint-config', 'off'];
  return new Promise((resolveRender, rejectRender) => {
    const child = spawn(process.execPath, args, { cwd: root, env: redoclyEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', rejectRender);
    child.on('exit', (code) => {
      if (code === 0) resolveRender();
      else rejectRender(new Error(`redocly build-docs ${page.spec} exited with ${code}:\n${output}`));
    });
  });
}

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** The landing page: one card per contract, with its title, version, kind and first line of description. */
async function indexPage() {
  const cards = [];
  for (const page of pages) {
    const spec = parse(await readFile(join(root, page.spec), 'utf8'));
    const kind = spec.openapi ? `OpenAPI ${spec.openapi}` : `AsyncAPI ${spec.asyncapi}`;
    const blurb = spec.info.summary ?? spec.info.description?.split('\n\n')[0] ?? '';
    cards.push(`    <li>
      <a href="${escapeHtml(page.file)}">${escapeHtml(spec.info.title)}</a>
      <span class="meta">${escapeHtml(kind)} · version ${escapeHtml(spec.info.version)} · <code>${escapeHtml(page.spec)}</code></span>
      <p>${escapeHtml(blurb.replace(/\s+/g, ' ').trim())}</p>
    </li>`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>smn-kit contracts</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
    h1 { font-size: 1.75rem; margin-bottom: 0.25rem; }
    ul { list-style: none; padding: 0; }
    li { border: 1px solid #d0d7de; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
    li a { font-size: 1.15rem; font-weight: 600; color: #0969da; text-decoration: none; }
    li a:hover { text-decoration: underline; }
    .meta { display: block; color: #59636e; font-size: 0.875rem; }
    p { margin: 0.5rem 0 0; }
  </style>
</head>
<body>
  <h1>smn-kit contracts</h1>
  <p>The contracts smn-kit mocks and checks, rendered from <code>spec/</code> by <code>npm run docs</code>.
  Each page works offline, opened straight from disk.</p>
  <ul>
${cards.join('\n')}
  </ul>
</body>
</html>
`;
}

await mkdir(outDir, { recursive: true });
const started = performance.now();
await Promise.all(
  pages.map(async (page) => {
    await render(page);
    console.log(`wrote ${relative(process.cwd(), join(outDir, page.file))} from ${page.spec}`);
  }),
);
await writeFile(join(outDir, 'index.html'), await indexPage());
console.log(`wrote ${relative(process.cwd(), join(outDir, 'index.html'))} (${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
