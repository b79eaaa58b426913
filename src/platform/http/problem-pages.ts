import { PROBLEM_KINDS, type ProblemKind } from './problem';

/** The HTML pages that problem `type` URIs resolve to: an index, and one page per kind. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/`([^`]+)`/g, '<code>$1</code>');

export function problemIndex(): string {
  const rows = (Object.keys(PROBLEM_KINDS) as ProblemKind[])
    .map((kind) => `<tr><td>${PROBLEM_KINDS[kind].status}</td><td><a href="/problems/${kind}"><code>/problems/${kind}</code></a></td><td>${esc(PROBLEM_KINDS[kind].title)}</td></tr>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stratum problem types</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}td{padding:.2em .8em .2em 0}</style></head>
<body><h1>Problem types</h1><p>Every error of the API is an RFC 9457 <code>application/problem+json</code> body whose <code>type</code> is one of these.</p>
<table><tr><th>status</th><th>type</th><th>title</th></tr>
${rows}</table><p><a href="/docs">API reference</a></p></body></html>`;
}

export function problemPage(kind: ProblemKind): string {
  const p = PROBLEM_KINDS[kind];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(p.title)} — Stratum problem types</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style></head>
<body><h1>${esc(p.title)}</h1><p><code>type: /problems/${kind}</code> · status ${p.status}</p><p>${esc(p.explain)}</p><p><a href="/problems">All problem types</a> · <a href="/docs">API reference</a></p></body></html>`;
}
