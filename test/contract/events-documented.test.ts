import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every event type a business module's domain records (`crm.…`, `wms.…`, `erp.…`) has its body
 * documented in the contract's `webhooks` section, and every documented one is recorded
 * somewhere. (The platform's own `platform.api_client.…` events are internal and not listed.)
 */
const document = JSON.parse(readFileSync(join(__dirname, '../../generated/openapi.json'), 'utf8'));
const MODULES_DIR = join(__dirname, '../../src/modules');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const EVENT = /'((?:crm|wms|erp)\.[a-z_]+\.[a-z_]+)'/g;

describe('events', () => {
  it('that the domain records are the ones the webhooks section documents', () => {
    const recorded = new Set<string>();
    for (const file of files(MODULES_DIR).filter((f) => f.includes('/domain/'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(EVENT)) recorded.add(m[1]);
    }
    expect(recorded.size).toBeGreaterThan(0);
    const documented = Object.keys(document.webhooks ?? {});
    expect([...recorded].filter((t) => !documented.includes(t)).sort()).toEqual([]);
    expect(documented.filter((t) => !recorded.has(t)).sort()).toEqual([]);
  });
});
