import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, type Admin } from '../support/harness';

const ROOT = join(__dirname, '../..');
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

let h: Harness;
let admin: Admin;
let dir: string;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
  dir = mkdtempSync(join(tmpdir(), 'stratum-tenant-contract-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await h.stop();
});

const define = (token: string, body: unknown) => h.request('POST', '/v1/crm/custom-fields', { token, json: body });

describe("the tenant's CRM contract", () => {
  it('types the custom fields of the caller, and only of the caller, and changes its ETag when they change', async () => {
    const bare = await h.request('GET', '/v1/crm/openapi.json', { token: admin.token });
    expect(bare.status).toBe(200);
    expect(bare.body.components.schemas.AccountCustomFields).toMatchObject({ type: 'object', additionalProperties: false, properties: {} });

    await define(admin.token, { object: 'account', key: 'tier', label: 'Customer tier', type: 'enum', options: ['bronze', 'silver', 'gold'], required: true });
    await define(admin.token, { object: 'account', key: 'seats', label: 'Seats', type: 'number' });
    await define(admin.token, { object: 'account', key: 'renewal', label: 'Renewal', type: 'date' });
    const other = await h.tenant();
    await define(other.token, { object: 'account', key: 'secret_field', label: 'Not yours', type: 'string' });

    const res = await h.request('GET', '/v1/crm/openapi.json', { token: admin.token });
    expect(res.headers.get('etag')).not.toBe(bare.headers.get('etag'));
    const doc = res.body;
    expect(doc.info.title).toContain(admin.tenantId);
    expect(doc.components.schemas.AccountCustomFields.properties).toEqual({
      renewal: { title: 'Renewal', type: 'string', format: 'date', maxLength: 10 },
      seats: { title: 'Seats', type: 'number', minimum: -1e15, maximum: 1e15 },
      tier: { title: 'Customer tier', type: 'string', enum: ['bronze', 'silver', 'gold'], maxLength: 100 },
    });
    expect(doc.components.schemas.AccountCustomFieldsCreate.required).toEqual(['tier']);
    expect(JSON.stringify(doc)).not.toContain('secret_field');
    const list = doc.paths['/crm/accounts'].get.parameters.map((p: { name?: string; $ref?: string }) => p.name ?? p.$ref);
    expect(list).toEqual(expect.arrayContaining(['custom_fields.tier', 'custom_fields.seats', 'custom_fields.renewal']));
    expect(list).not.toContain('custom_fields');

    // An SDK generated from it is typed for this tenant.
    const file = join(dir, 'tenant.json');
    writeFileSync(file, JSON.stringify(doc));
    // From a directory of its own: in this repository openapi-typescript would lint with our redocly.yaml.
    // Not execFileSync: a blocked event loop lets the server's keep-alive timer close the
    // connection the next request is about to reuse (ECONNRESET).
    await promisify(execFile)(bin('openapi-typescript'), [file, '--output', join(dir, 'tenant.d.ts')], { cwd: dir });
    const types = readFileSync(join(dir, 'tenant.d.ts'), 'utf8');
    expect(types).toMatch(/tier: "bronze" \| "silver" \| "gold";/);
    expect(types).toMatch(/seats\?: number;/);
    expect(types).toMatch(/"custom_fields\.tier"\?: "bronze" \| "silver" \| "gold";/);

    // The same fields, the same document.
    const again = await h.request('GET', '/v1/crm/openapi.json', { token: admin.token });
    expect(again.headers.get('etag')).toBe(res.headers.get('etag'));
  }, 60_000);

  it('needs crm:read', async () => {
    const token = await h.token(admin.clientId, admin.secret, 'wms:read');
    expect((await h.request('GET', '/v1/crm/openapi.json', { token })).status).toBe(403);
    expect((await h.request('GET', '/v1/crm/openapi.json')).status).toBe(401);
  });
});
