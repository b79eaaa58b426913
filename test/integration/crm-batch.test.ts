import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const post = (path: string, json: unknown, token = admin.token, headers: Record<string, string> = {}) => h.request('POST', `/v1/crm${path}`, { token, json, headers });
const get = (path: string, token = admin.token) => h.request('GET', `/v1/crm${path}`, { token });

interface ItemResult {
  index: number;
  status: 'created' | 'updated' | 'failed';
  id: string | null;
  problem: { type: string; status: number; detail: string; errors?: { pointer: string; detail: string }[]; existing_contact_id?: string; existing_account_id?: string } | null;
}
const results = (res: { body: { data: ItemResult[] } }) => res.body.data;

async function countAll(path: string, token: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof get>> = await get(`${path}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    n += page.body.data.length;
    cursor = page.body.next_cursor;
  } while (cursor);
  return n;
}

async function outboxCount(tenantId: string, type: string): Promise<number> {
  const rows = await h.stratum.kernel.db.select<{ n: number | string }>('SELECT COUNT(*) AS n FROM outbox_events WHERE tenant_id = :tenantId AND type = :type', { tenantId, type });
  return Number(rows[0].n);
}

describe('CRM batch upserts', () => {
  it('writes 97 of 100 contacts, reports the 3 bad ones with their problems, and replays the answer for the same key', async () => {
    const t = await h.tenant();
    const items: Record<string, unknown>[] = Array.from({ length: 100 }, (_, i) => ({ first_name: `Person ${i}`, email: `p${i}@batch.example`, external_id: `ext-${i}` }));
    items[5] = { first_name: 'Bad email', email: 'not an email' };
    items[37] = { first_name: 'Bad phone', phones: ['0301234'], colour: 'red' };
    items[80] = { email: 'nameless@batch.example' };
    const key = { 'idempotency-key': 'contacts-batch-100' };
    const res = await post('/contacts/batch', { items }, t.token, key);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ created: 97, updated: 0, failed: 3 });
    const data = results(res);
    expect(data.map((d) => d.index)).toEqual(items.map((_, i) => i));
    const failed = data.filter((d) => d.status === 'failed');
    expect(failed.map((d) => d.index)).toEqual([5, 37, 80]);
    for (const f of failed) {
      expect(f.id).toBeNull();
      expect(f.problem).toMatchObject({ type: '/problems/validation-error', status: 400, instance: expect.any(String) });
    }
    expect(failed[0].problem!.errors!.map((e) => e.pointer)).toEqual(['/items/5/email']);
    expect([...new Set(failed[1].problem!.errors!.map((e) => e.pointer))].sort()).toEqual(['/items/37/colour', '/items/37/phones/0']);
    expect(failed[2].problem!.errors!.map((e) => e.pointer).sort()).toEqual(['/items/80/first_name', '/items/80/last_name']);
    for (const d of data.filter((x) => x.status !== 'failed')) {
      expect(d.status).toBe('created');
      expect(d.id).toMatch(/^con_/);
      expect(d.problem).toBeNull();
    }
    expect(await countAll('/contacts', t.token)).toBe(97);
    expect(await outboxCount(t.tenantId, 'crm.contact.created')).toBe(97);
    const one = await get(`/contacts/${data[42].id}`, t.token);
    expect(one.body).toMatchObject({ first_name: 'Person 42', email: 'p42@batch.example', external_id: 'ext-42' });

    const again = await post('/contacts/batch', { items }, t.token, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(res.body);
    expect(await countAll('/contacts', t.token)).toBe(97);
    // The same key with another body is refused.
    expect((await post('/contacts/batch', { items: items.slice(1) }, t.token, key)).status).toBe(422);
  });

  it('matches contacts by external_id, else by email ignoring case; updates by merge', async () => {
    const t = await h.tenant();
    const ada = await post('/contacts', { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@x.example', title: 'CTO', tags: ['a'] }, t.token);
    const grace = await post('/contacts', { first_name: 'Grace', email: 'grace@x.example', external_id: 'sf-grace' }, t.token);
    const res = await post(
      '/contacts/batch',
      {
        items: [
          // By email: takes the external id it did not have (and the email as written); the title stays.
          { email: 'ADA@x.example', external_id: 'sf-ada', last_name: 'King' },
          // By external id: the email changes too.
          { external_id: 'sf-grace', email: 'grace.hopper@x.example' },
          // New.
          { first_name: 'Alan', email: 'alan@x.example', external_id: 'sf-alan' },
          // Matches the one just created in this batch.
          { external_id: 'sf-alan', title: 'Mathematician' },
          // By email, but the contact stands for another external id: 409 naming it.
          { email: 'grace.hopper@x.example', external_id: 'sf-someone-else', first_name: 'X' },
          // Taking another contact's email: 409 naming it, nothing written for this item.
          { external_id: 'sf-ada', email: 'alan@x.example' },
          // An account that is not the tenant's.
          { first_name: 'Y', account_id: 'acc_01M8A3C5E7G9J1K3M5P7R9T1V3' },
        ],
      },
      t.token,
    );
    expect(res.status).toBe(200);
    const data = results(res);
    expect(data.map((d) => [d.status, d.id])).toEqual([
      ['updated', ada.body.id],
      ['updated', grace.body.id],
      ['created', expect.stringMatching(/^con_/)],
      ['updated', data[2].id],
      ['failed', null],
      ['failed', null],
      ['failed', null],
    ]);
    expect(data[4].problem).toMatchObject({ status: 409, type: '/problems/conflict', existing_contact_id: grace.body.id });
    expect(data[5].problem).toMatchObject({ status: 409, existing_contact_id: data[2].id });
    expect(data[6].problem).toMatchObject({ status: 400, errors: [{ pointer: '/items/6/account_id', detail: expect.any(String) }] });
    expect(res.body.summary).toEqual({ created: 1, updated: 3, failed: 3 });
    expect((await get(`/contacts/${ada.body.id}`, t.token)).body).toMatchObject({ first_name: 'Ada', last_name: 'King', title: 'CTO', email: 'ADA@x.example', external_id: 'sf-ada', tags: ['a'], version: 2 });
    expect((await get(`/contacts/${grace.body.id}`, t.token)).body).toMatchObject({ email: 'grace.hopper@x.example', version: 2 });
    expect((await get(`/contacts/${data[2].id}`, t.token)).body).toMatchObject({ first_name: 'Alan', title: 'Mathematician', version: 2 });
    expect(await countAll('/contacts', t.token)).toBe(3);
    // Events of the failed items were undone with them.
    expect(await outboxCount(t.tenantId, 'crm.contact.created')).toBe(3);
    expect(await outboxCount(t.tenantId, 'crm.contact.updated')).toBe(3);
  });

  it('upserts accounts by external_id: creates, merges into a match, and fails items alone', async () => {
    const t = await h.tenant();
    await post('/custom-fields', { object: 'account', key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver'] }, t.token);
    const existing = await post('/accounts', { name: 'Northwind', external_id: 'sf-1', billing_address: { line1: 'Street 1', city: 'Berlin', country: 'DE' }, custom_fields: { tier: 'gold' } }, t.token);
    const archived = await post('/accounts', { name: 'Old', external_id: 'sf-old' }, t.token);
    await h.request('DELETE', `/v1/crm/accounts/${archived.body.id}`, { token: t.token, headers: { 'if-match': '"1"' } });
    const res = await post(
      '/accounts/batch',
      {
        items: [
          { external_id: 'sf-1', billing_address: { city: 'Potsdam' }, industry: 'Retail' },
          { external_id: 'sf-2', name: 'Contoso', custom_fields: { tier: 'silver' } },
          { external_id: 'sf-3' },
          { name: 'No external id', website: 'ftp://nope' },
          { name: 'Bad tier', custom_fields: { tier: 'platinum' } },
          { external_id: 'sf-old', name: 'Revived?' },
          { name: 'Half an address', shipping_address: { city: 'Hamburg' } },
          { name: 'Plain' },
          { external_id: 'sf-2', tags: ['second-pass'] },
        ],
      },
      t.token,
    );
    expect(res.status).toBe(200);
    const data = results(res);
    expect(data.map((d) => d.status)).toEqual(['updated', 'created', 'failed', 'failed', 'failed', 'failed', 'failed', 'created', 'updated']);
    expect(data[0].id).toBe(existing.body.id);
    expect(data[8].id).toBe(data[1].id);
    expect(data[2].problem!.errors).toEqual([{ pointer: '/items/2/name', detail: expect.stringContaining('required') }]);
    expect(data[3].problem!.errors!.map((e) => e.pointer)).toEqual(['/items/3/website']);
    expect(data[4].problem!.errors!.map((e) => e.pointer)).toEqual(['/items/4/custom_fields/tier']);
    expect(data[5].problem).toMatchObject({ status: 409, type: '/problems/conflict' });
    expect(data[6].problem!.errors!.map((e) => e.pointer).sort()).toEqual(['/items/6/shipping_address/country', '/items/6/shipping_address/line1']);
    expect((await get(`/accounts/${existing.body.id}`, t.token)).body).toMatchObject({
      name: 'Northwind',
      industry: 'Retail',
      billing_address: { line1: 'Street 1', city: 'Potsdam', country: 'DE' },
      custom_fields: { tier: 'gold' },
      version: 2,
    });
    expect((await get(`/accounts/${data[1].id}`, t.token)).body).toMatchObject({ name: 'Contoso', custom_fields: { tier: 'silver' }, tags: ['second-pass'], version: 2 });
    expect(await countAll('/accounts', t.token)).toBe(3);
    expect(await outboxCount(t.tenantId, 'crm.account.created')).toBe(4);
  });

  it('refuses a malformed batch as a whole: no items, over 100, not objects, unknown members', async () => {
    const t = await h.tenant();
    const pointers = (res: { body: { errors?: { pointer: string }[] } }) => (res.body.errors ?? []).map((e) => e.pointer);
    const empty = await post('/contacts/batch', { items: [] }, t.token);
    expect(empty.status).toBe(400);
    expect(pointers(empty)).toEqual(['/items']);
    const tooMany = await post('/accounts/batch', { items: Array.from({ length: 101 }, (_, i) => ({ name: `A${i}` })) }, t.token);
    expect(tooMany.status).toBe(400);
    expect(pointers(tooMany)).toEqual(['/items']);
    expect((await post('/contacts/batch', { items: ['ada@x.example'] }, t.token)).status).toBe(400);
    expect(pointers(await post('/contacts/batch', { items: [{ first_name: 'A' }], dry_run: true }, t.token))).toEqual(['/dry_run']);
    expect((await post('/contacts/batch', {}, t.token)).status).toBe(400);
    expect(await countAll('/accounts', t.token)).toBe(0);
    const readOnly = await h.token(t.clientId, t.secret, 'crm:read');
    expect((await post('/contacts/batch', { items: [{ first_name: 'A' }] }, readOnly)).status).toBe(403);
  });

  it('answers 200 when every item fails, and still replays it for the same key', async () => {
    const t = await h.tenant();
    const key = { 'idempotency-key': 'all-fail' };
    const res = await post('/contacts/batch', { items: [{ email: 'x@x.example' }, { title: 'No name' }] }, t.token, key);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ created: 0, updated: 0, failed: 2 });
    const again = await post('/contacts/batch', { items: [{ email: 'x@x.example' }, { title: 'No name' }] }, t.token, key);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(res.body);
  });

  it('lets racing batches with one new email create it once: the other batch updates it', async () => {
    const t = await h.tenant();
    const batch = (i: number) => post('/contacts/batch', { items: [{ first_name: `Racer ${i}`, email: 'race@batch.example' }, { first_name: `Solo ${i}`, email: `solo${i}@batch.example` }] }, t.token);
    const answers = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(batch));
    for (const a of answers) expect(a.status).toBe(200);
    const first = answers.map((a) => results(a)[0]);
    expect(first.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(first.filter((r) => r.status === 'updated')).toHaveLength(7);
    expect(new Set(first.map((r) => r.id)).size).toBe(1);
    expect(answers.every((a) => results(a)[1].status === 'created')).toBe(true);
    expect(await countAll('/contacts', t.token)).toBe(9);
  });
});
