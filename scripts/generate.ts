/**
 * Bundles the hand-written contract (openapi/) into generated/openapi.json with Redocly, then
 * generates generated/api.d.ts with openapi-typescript. `--check` regenerates into memory and
 * fails when generated/ differs (CI drift check).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

export function generate(outDir: string): void {
  const bundled = join(outDir, 'openapi.json');
  execFileSync(bin('redocly'), ['bundle', join(root, 'openapi/openapi.yaml'), '--output', bundled, '--ext', 'json', '--config', join(root, 'redocly.yaml')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Redocly writes compact JSON; pretty-print for readable diffs.
  writeFileSync(bundled, JSON.stringify(JSON.parse(readFileSync(bundled, 'utf8')), null, 2) + '\n');
  // `--default-non-nullable false`: a request field with a default (`required: false` on a custom
  // field) stays optional for SDK users; the server fills the default in.
  execFileSync(bin('openapi-typescript'), [bundled, '--output', join(outDir, 'api.d.ts'), '--redocly', join(root, 'scripts/typegen.redocly.yaml'), '--default-non-nullable', 'false'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const tmp = mkdtempSync(join(tmpdir(), 'stratum-gen-'));
    generate(tmp);
    const stale = ['openapi.json', 'api.d.ts'].filter((f) => {
      const committed = join(root, 'generated', f);
      return !existsSync(committed) || readFileSync(committed, 'utf8') !== readFileSync(join(tmp, f), 'utf8');
    });
    if (stale.length) {
      console.error(`generated/ is out of step with openapi/ (${stale.join(', ')}): run npm run generate`);
      process.exit(1);
    }
    console.log('generated/ matches openapi/');
  } else {
    generate(join(root, 'generated'));
    console.log('wrote generated/openapi.json and generated/api.d.ts');
  }
}
