/**
 * `npm run docs`: builds the offline Redoc reference docs/reference/index.html from
 * generated/openapi.json, using the page template docs/redoc-template.hbs.
 *
 * The page inlines the Redoc standalone bundle (the project's `redoc` 2.x, patched exactly like the
 * one served at GET /docs), the contract and the init script, so it opens from a file:// URL and
 * loads nothing from the network. Its meta Content-Security-Policy admits the two inline scripts by
 * hash and nothing from any host.
 *
 * Why not `redocly build-docs --template`: @redocly/cli 2.x's build-docs renders with its own
 * Redoc 3 bundle (not the `redoc` 2.x package), which loads from cdn.redocly.com unless
 * `--inlineBundle` is given and even then hard-codes a logo from cdn.redoc.ly, icon URLs on
 * cdn.redocly.com and a telemetry endpoint. A template variable cannot carry the 1.1 MB Redoc 2
 * bundle either (`--templateOptions.x` is a single argv string, capped at 128 KiB on Linux).
 * So this script renders the template itself; @redocly/cli is only used to bundle a contract
 * that still has external $refs.
 *
 * Usage: tsx scripts/docs.ts [--spec generated/openapi.json] [--out docs/reference/index.html]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRedocStandalone, redocInitScript, SYSTEM_FONT_STACK } from '../src/platform/http/docs';

const ROOT = path.resolve(__dirname, '..');
export const DEFAULT_SPEC = path.join(ROOT, 'generated', 'openapi.json');
export const DEFAULT_OUT = path.join(ROOT, 'docs', 'reference', 'index.html');
export const DEFAULT_TEMPLATE = path.join(ROOT, 'docs', 'redoc-template.hbs');

export interface BuildReferenceDocsOptions {
  /** Path of the contract (JSON or YAML), or the contract object itself (must be self-contained). */
  spec: string | object;
  /** Output HTML file; its directory is created. */
  outFile: string;
  /** Page template; defaults to docs/redoc-template.hbs. */
  templateFile?: string;
}

export interface BuildReferenceDocsResult {
  outFile: string;
  bytes: number;
}

/** Minimal Handlebars subset: `{{! comments }}`, `{{name}}` (HTML-escaped), `{{{name}}}` (raw). */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  const lookup = (name: string): string => {
    const value = vars[name];
    if (value === undefined) throw new Error(`docs template: unknown variable "${name}"`);
    return value;
  };
  return template
    .replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, '')
    .replace(/\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{\s*([\w.]+)\s*\}\}/g, (_m, raw?: string, escaped?: string) =>
      raw !== undefined ? lookup(raw) : escapeHtml(lookup(escaped as string)),
    )
    .replace(/^\s+/, '');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Makes JS safe to place inside <script>…</script> (the HTML parser must not end or "escape" it early). */
function inlineScript(js: string): string {
  return js.replace(/\r\n?/g, '\n').replace(/<(\/script|script|!--)/gi, '\\x3C$1');
}

/** JSON for a <script type="application/json"> data block. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function cspHash(inlineText: string): string {
  return `'sha256-${createHash('sha256').update(inlineText, 'utf8').digest('base64')}'`;
}

function hasExternalRef(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasExternalRef);
  if (node === null || typeof node !== 'object') return false;
  return Object.entries(node).some(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? !value.startsWith('#') : hasExternalRef(value),
  );
}

/** Reads the contract; a YAML file or one with external $refs is bundled with `redocly bundle`. */
export function loadSpec(specPath: string): object {
  if (specPath.endsWith('.json')) {
    const parsed = JSON.parse(readFileSync(specPath, 'utf8')) as object;
    if (!hasExternalRef(parsed)) return parsed;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-docs-'));
  try {
    const out = path.join(tmp, 'openapi.json');
    const cli = require.resolve('@redocly/cli/bin/cli.js');
    try {
      execFileSync(process.execPath, [cli, 'bundle', specPath, '--ext', 'json', '--output', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`docs: \`redocly bundle ${specPath}\` failed\n${stderr}`);
    }
    return JSON.parse(readFileSync(out, 'utf8')) as object;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function buildReferenceDocs(options: BuildReferenceDocsOptions): BuildReferenceDocsResult {
  const spec = typeof options.spec === 'string' ? loadSpec(options.spec) : options.spec;
  const template = readFileSync(options.templateFile ?? DEFAULT_TEMPLATE, 'utf8');
  const info = (spec as { info?: { title?: unknown } }).info;
  const title = typeof info?.title === 'string' && info.title.length > 0 ? info.title : 'API';

  const redocScript = inlineScript(loadRedocStandalone());
  const initScript = inlineScript(redocInitScript('JSON.parse(document.getElementById("redoc-spec").textContent)'));
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(redocScript)} ${cspHash(initScript)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join('; ');

  const html = renderTemplate(template, {
    title: `${title} – API reference`,
    csp,
    fontFamily: SYSTEM_FONT_STACK,
    specJson: inlineJson(spec),
    redocScript,
    initScript,
  });
  mkdirSync(path.dirname(options.outFile), { recursive: true });
  writeFileSync(options.outFile, html);
  return { outFile: options.outFile, bytes: Buffer.byteLength(html) };
}

function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(): void {
  const args = process.argv.slice(2);
  const specPath = path.resolve(argValue(args, '--spec') ?? DEFAULT_SPEC);
  const outFile = path.resolve(argValue(args, '--out') ?? DEFAULT_OUT);
  if (!existsSync(specPath)) {
    console.error(`docs: ${path.relative(process.cwd(), specPath)} not found (run \`npm run generate\` first)`);
    process.exitCode = 1;
    return;
  }
  const { bytes } = buildReferenceDocs({ spec: specPath, outFile });
  console.log(`docs: wrote ${path.relative(process.cwd(), outFile)} (${Math.round(bytes / 1024)} KiB)`);
}

if (require.main === module) main();
