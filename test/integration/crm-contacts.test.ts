import { crmModule, type PartyLookups } from '../../src/modules/crm';
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
const patch = (path: string, json: unknown, ifMatch: string | undefined, token = admin.token) =>
  h.request('PATCH', `/v1/crm${path}`, { token, json, headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) } });
const del = (path: string, ifMatch: string | undefined, token = admin.token) => h.request('DELETE', `/v1/crm${path}`, { token, headers: ifMatch ? { 'if-match': ifMatch } : {} });
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => (res.body.errors ?? []).map((e) => e.pointer).sort();
const names = (res: { body: { data: { first_name: string | null; last_name: string | null }[] } }) => res.body.data.map((c) => [c.first_name, c.last_name].filter(Boolean).join(' '));

const ada = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: 'Ada@Northwind.example',
  additional_emails: ['ada.lovelace@example.org'],
  phones: ['+493012345679'],
  title: 'Head of Purchasing',
  owner_id: 'user-4711',
  tags: ['decision-maker', 'decision-maker'],
  external_id: 'sf-c-001',
};

describe('CRM contacts', () => {
  it('creates a contact linked to an account, and serves it with an ETag', async () => {
    const account = await post('/accounts', { name: 'Northwind Traders' });
    const res = await post('/contacts', { ...ada, account_id: account.body.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'Ada@Northwind.example',
      additional_emails: ['ada.lovelace@example.org'],
      phones: ['+493012345679'],
      title: 'Head of Purchasing',
      account_id: account.body.id,
      owner_id: 'user-4711',
      tags: ['decision-maker'],
      external_id: 'sf-c-001',
      custom_fields: {},
      version: 1,
    });
    expect(res.body.id).toMatch(/^con_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.headers.get('location')).toBe(`/v1/crm/contacts/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await get(`/contacts/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(res.body);
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const t = await h.tenant();
    const res = await post(
      '/contacts',
      {
        first_name: 'x'.repeat(101),
        last_name: 42,
        email: 'not an email',
        additional_emails: Array.from({ length: 11 }, (_, i) => `a${i}@x.example`),
        phones: ['030 1234', '+4930123456789012'],
        title: '',
        account_id: 'acc_nope',
        owner_id: 'has spaces',
        tags: ['a,b'],
        external_id: 'x'.repeat(256),
        custom_fields: { 'Bad-Key': 1 },
        colour: 'red',
        id: 'con_01M8A4D6F8H0K2M4P6R8T0W2Y4',
      },
      t.token,
    );
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/validation-error');
    expect(pointersOf(res)).toEqual(
      expect.arrayContaining(['/first_name', '/last_name', '/email', '/additional_emails', '/phones/0', '/phones/1', '/title', '/account_id', '/owner_id', '/tags/0', '/external_id', '/colour', '/id']),
    );
    expect(res.body.errors.find((e: { pointer: string }) => e.pointer === '/id').detail).toBe('is set by the server and may not be sent');
    // Duplicate phones and a body that is not an object.
    expect(pointersOf(await post('/contacts', { first_name: 'A', phones: ['+493012345678', '+493012345678'] }, t.token))).toEqual(['/phones']);
    expect((await post('/contacts', ['Ada'], t.token)).status).toBe(400);
    expect((await get('/contacts', t.token)).body.data).toEqual([]);
  });

  it('needs a first or a last name: a 400 naming both when neither is given', async () => {
    const none = await post('/contacts', { email: 'nobody@example.org' });
    expect(none.status).toBe(400);
    expect(pointersOf(none)).toEqual(['/first_name', '/last_name']);
    expect(pointersOf(await post('/contacts', { first_name: null, last_name: null }))).toEqual(['/first_name', '/last_name']);
    expect((await post('/contacts', { last_name: 'Only' })).status).toBe(201);
    const created = await post('/contacts', { first_name: 'Grace', last_name: 'Hopper' });
    const path = `/contacts/${created.body.id}`;
    expect((await patch(path, { first_name: null }, '"1"')).status).toBe(200);
    const cleared = await patch(path, { last_name: null }, '"2"');
    expect(cleared.status).toBe(400);
    expect(pointersOf(cleared)).toEqual(['/first_name', '/last_name']);
    expect((await get(path)).body).toMatchObject({ first_name: null, last_name: 'Hopper', version: 2 });
  });

  it('refuses additional emails that repeat each other or the primary email, ignoring case', async () => {
    const res = await post('/contacts', { first_name: 'A', email: 'a@x.example', additional_emails: ['A@X.example', 'b@x.example', 'B@X.EXAMPLE'] });
    expect(res.status).toBe(400);
    expect(pointersOf(res)).toEqual(['/additional_emails/0', '/additional_emails/2']);
  });

  it('keeps email unique per tenant ignoring case, and names the contact that has it', async () => {
    const t = await h.tenant();
    const first = await post('/contacts', { first_name: 'Ada', email: 'ada@dup.example' }, t.token);
    expect(first.status).toBe(201);
    const again = await post('/contacts', { first_name: 'Other', email: 'ADA@Dup.Example' }, t.token);
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('/problems/conflict');
    expect(again.body.existing_contact_id).toBe(first.body.id);
    // Another tenant may use the same address.
    expect((await post('/contacts', { first_name: 'Ada', email: 'ada@dup.example' }, admin.token)).status).toBe(201);
    // Taking it by a patch is refused too; keeping one's own (in another case) is fine.
    const other = await post('/contacts', { first_name: 'Bob', email: 'bob@dup.example' }, t.token);
    const taken = await patch(`/contacts/${other.body.id}`, { email: 'Ada@dup.example' }, '"1"', t.token);
    expect(taken.status).toBe(409);
    expect(taken.body.existing_contact_id).toBe(first.body.id);
    const recased = await patch(`/contacts/${first.body.id}`, { email: 'Ada@Dup.example' }, '"1"', t.token);
    expect(recased.status).toBe(200);
    expect(recased.body.email).toBe('Ada@Dup.example');
    // Deleted, the address is free again.
    expect((await del(`/contacts/${first.body.id}`, '"2"', t.token)).status).toBe(204);
    expect((await post('/contacts', { first_name: 'Ada II', email: 'ada@dup.example' }, t.token)).status).toBe(201);
  });

  it('lets exactly one of several racing creates with one email win; the others name it', async () => {
    const t = await h.tenant();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => post('/contacts', { first_name: `Racer ${i}`, email: i % 2 ? 'RACE@race.example' : 'race@race.example' }, t.token)));
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.status)).toEqual([409, 409, 409, 409, 409]);
    for (const r of refused) expect(r.body.existing_contact_id).toBe(created[0].body.id);
    expect((await get('/contacts', t.token)).body.data).toHaveLength(1);
  });

  it('keeps external_id unique per tenant and names the contact that has it', async () => {
    const t = await h.tenant();
    const first = await post('/contacts', { first_name: 'A', external_id: 'ext-1' }, t.token);
    const second = await post('/contacts', { first_name: 'B', external_id: 'ext-1' }, t.token);
    expect(second.status).toBe(409);
    expect(second.body.existing_contact_id).toBe(first.body.id);
    const b = await post('/contacts', { first_name: 'B' }, t.token);
    const taken = await patch(`/contacts/${b.body.id}`, { external_id: 'ext-1' }, '"1"', t.token);
    expect(taken.status).toBe(409);
    expect(taken.body.existing_contact_id).toBe(first.body.id);
    const found = await get('/contacts?external_id=ext-1', t.token);
    expect(found.body.data.map((c: { id: string }) => c.id)).toEqual([first.body.id]);
  });

  it("refuses an account_id that is not one of the tenant's (400) or is archived (409)", async () => {
    const t = await h.tenant();
    const mine = await post('/accounts', { name: 'Mine' }, t.token);
    const theirs = await post('/accounts', { name: 'Theirs' });
    const unknown = await post('/contacts', { first_name: 'A', account_id: 'acc_01M8A3C5E7G9J1K3M5P7R9T1V3' }, t.token);
    expect(unknown.status).toBe(400);
    expect(pointersOf(unknown)).toEqual(['/account_id']);
    const foreign = await post('/contacts', { first_name: 'A', account_id: theirs.body.id }, t.token);
    expect(foreign.status).toBe(400);
    expect(pointersOf(foreign)).toEqual(['/account_id']);
    const linked = await post('/contacts', { first_name: 'A', account_id: mine.body.id }, t.token);
    expect(linked.status).toBe(201);
    const loose = await post('/contacts', { first_name: 'B' }, t.token);
    expect((await del(`/accounts/${mine.body.id}`, '"1"', t.token)).status).toBe(204);
    // A new link to the archived account is refused; the contact already linked may stay and change.
    const archived = await post('/contacts', { first_name: 'C', account_id: mine.body.id }, t.token);
    expect(archived.status).toBe(409);
    expect((await patch(`/contacts/${loose.body.id}`, { account_id: mine.body.id }, '"1"', t.token)).status).toBe(409);
    const stays = await patch(`/contacts/${linked.body.id}`, { title: 'CEO' }, '"1"', t.token);
    expect(stays.status).toBe(200);
    expect(stays.body.account_id).toBe(mine.body.id);
    expect((await patch(`/contacts/${linked.body.id}`, { account_id: null }, '"2"', t.token)).body.account_id).toBeNull();
    expect((await get('/contacts', t.token)).body.data).toHaveLength(2);
  });

  it('patches as JSON Merge Patch: null clears, lists replace; If-Match is required and checked', async () => {
    const created = (await post('/contacts', { ...ada, email: 'patch@x.example', external_id: 'sf-c-patch' })).body;
    const path = `/contacts/${created.id}`;
    expect((await patch(path, { title: null }, undefined)).status).toBe(428);
    const stale = await patch(path, { title: null }, '"7"');
    expect(stale.status).toBe(412);
    expect(stale.body.type).toBe('/problems/precondition-failed');
    const res = await patch(path, { title: null, phones: ['+4930111111', '+4930222222'], tags: ['vip'], additional_emails: [] }, '"1"');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ title: null, phones: ['+4930111111', '+4930222222'], tags: ['vip'], additional_emails: [], first_name: 'Ada', version: 2 });
    // A patch that changes nothing keeps the version; `*` matches any version.
    const same = await patch(path, { tags: ['vip'] }, '*');
    expect(same.body.version).toBe(2);
    // Server-owned and unknown fields are refused.
    expect(pointersOf(await patch(path, { version: 3, nickname: 'A' }, '"2"'))).toEqual(['/nickname', '/version']);
  });

  it('deletes with If-Match: 428 without, 412 when stale, then 404', async () => {
    const created = await post('/contacts', { first_name: 'Gone' });
    const path = `/contacts/${created.body.id}`;
    expect((await del(path, undefined)).status).toBe(428);
    expect((await del(path, '"2"')).status).toBe(412);
    expect((await get(path)).status).toBe(200);
    expect((await del(path, '"1"')).status).toBe(204);
    expect((await get(path)).status).toBe(404);
    expect((await del(path, '"1"')).status).toBe(404);
    expect((await patch(path, { title: 'x' }, '"1"')).status).toBe(404);
  });

  it("answers 404 for another tenant's contact and for a malformed id, and needs the CRM scopes", async () => {
    const created = await post('/contacts', { first_name: 'Mine' });
    const other = await h.tenant();
    const path = `/contacts/${created.body.id}`;
    expect((await get(path, other.token)).status).toBe(404);
    expect((await patch(path, { title: 'x' }, '"1"', other.token)).status).toBe(404);
    expect((await del(path, '"1"', other.token)).status).toBe(404);
    expect((await get('/contacts/con_01M8A4D6F8H0K2M4P6R8T0W2Y4')).status).toBe(404);
    const malformed = await get('/contacts/acc_01M8A3C5E7G9J1K3M5P7R9T1V3');
    expect(malformed.status).toBe(400);
    expect(pointersOf(malformed)).toEqual(['/path/contact_id']);
    const readOnly = await h.token(admin.clientId, admin.secret, 'crm:read');
    expect((await get(path, readOnly)).status).toBe(200);
    expect((await post('/contacts', { first_name: 'x' }, readOnly)).status).toBe(403);
    expect((await del(path, '"1"', readOnly)).status).toBe(403);
  });

  it('replays a create for the same Idempotency-Key', async () => {
    const t = await h.tenant();
    const key = { 'idempotency-key': 'contact-create-1' };
    const first = await post('/contacts', { first_name: 'Once', email: 'once@x.example' }, t.token, key);
    const again = await post('/contacts', { first_name: 'Once', email: 'once@x.example' }, t.token, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await get('/contacts', t.token)).body.data).toHaveLength(1);
  });

  it('lists with every filter and sort, and pages to the end', async () => {
    const t = await h.tenant();
    const acme = (await post('/accounts', { name: 'Acme' }, t.token)).body.id;
    const people = [
      { first_name: 'zoe', last_name: 'Adams', email: 'zoe@acme.example', owner_id: 'u1', tags: ['vip'], account_id: acme },
      { first_name: 'Anna', last_name: 'Brown', email: 'Anna.Brown@Other.example', owner_id: 'u2', tags: [] },
      { first_name: 'Bert', last_name: 'adams', email: 'bert@acme.example', owner_id: 'u1', tags: ['vip', 'b2b'], account_id: acme },
      { first_name: 'Carla', email: 'carla@x.example', owner_id: 'u2', tags: ['b2b'] },
    ];
    const ids: string[] = [];
    for (const p of people) ids.push((await post('/contacts', p, t.token)).body.id);

    expect(names(await get('/contacts', t.token))).toEqual(['Carla', 'Bert adams', 'Anna Brown', 'zoe Adams']);
    expect(names(await get('/contacts?sort=created_at', t.token))).toEqual(['zoe Adams', 'Anna Brown', 'Bert adams', 'Carla']);
    // Last name, then first name, ignoring case; a contact with one name sorts by it.
    expect(names(await get('/contacts?sort=name', t.token))).toEqual(['Bert adams', 'zoe Adams', 'Anna Brown', 'Carla']);
    expect(names(await get('/contacts?sort=-name', t.token))).toEqual(['Carla', 'Anna Brown', 'zoe Adams', 'Bert adams']);
    expect(names(await get(`/contacts?account_id=${acme}&sort=name`, t.token))).toEqual(['Bert adams', 'zoe Adams']);
    expect(names(await get('/contacts?owner_id=u2&sort=name', t.token))).toEqual(['Anna Brown', 'Carla']);
    expect(names(await get('/contacts?tag=b2b&sort=name', t.token))).toEqual(['Bert adams', 'Carla']);
    expect(names(await get('/contacts?email=ANNA.BROWN@other.EXAMPLE', t.token))).toEqual(['Anna Brown']);
    expect(names(await get('/contacts?email=anna@other.example', t.token))).toEqual([]);
    expect(names(await get('/contacts?q=ADAM&sort=name', t.token))).toEqual(['Bert adams', 'zoe Adams']);
    expect(names(await get('/contacts?q=carla@x', t.token))).toEqual(['Carla']);
    expect(names(await get('/contacts?q=anna brown', t.token))).toEqual(['Anna Brown']);
    expect(names(await get('/contacts?q=50%25', t.token))).toEqual([]);

    // Updated range: only the one changed after the mark.
    await new Promise((r) => setTimeout(r, 5));
    const mark = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await patch(`/contacts/${ids[1]}`, { title: 'CFO' }, '"1"', t.token);
    expect(names(await get(`/contacts?updated_after=${encodeURIComponent(mark)}`, t.token))).toEqual(['Anna Brown']);
    expect(names(await get(`/contacts?updated_before=${encodeURIComponent(mark)}&sort=name`, t.token))).toEqual(['Bert adams', 'zoe Adams', 'Carla']);
    expect(names(await get(`/contacts?created_after=${encodeURIComponent(mark)}`, t.token))).toEqual([]);
    expect((await get('/contacts?sort=-updated_at&limit=1', t.token)).body.data[0].id).toBe(ids[1]);

    // Paging by name reaches the last row, and a cursor is bound to its filters.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof get>> = await get(`/contacts?sort=name&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, t.token);
      seen.push(...names(page));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['Bert adams', 'zoe Adams', 'Anna Brown', 'Carla']);
    const first = await get('/contacts?sort=name&limit=1', t.token);
    const wrong = await get(`/contacts?sort=name&limit=1&owner_id=u1&cursor=${encodeURIComponent(first.body.next_cursor)}`, t.token);
    expect(wrong.status).toBe(400);
    expect(wrong.body.type).toBe('/problems/invalid-cursor');

    // Bad list parameters are named.
    const bad = await get('/contacts?sort=title&account_id=nope', t.token);
    expect(bad.status).toBe(400);
    expect([...new Set(pointersOf(bad))]).toEqual(['/query/account_id', '/query/sort']);
    const unknown = await get('/contacts?colour=red', t.token);
    expect(unknown.status).toBe(400);
    expect(pointersOf(unknown)).toEqual(['/query/colour']);
  });

  it('validates custom fields against the contact definitions, filters on them, and clears them when a definition goes', async () => {
    const t = await h.tenant();
    const newsletter = await post('/custom-fields', { object: 'contact', key: 'newsletter', label: 'Newsletter', type: 'boolean' }, t.token);
    expect(newsletter.status).toBe(201);
    await post('/custom-fields', { object: 'contact', key: 'birthday', label: 'Birthday', type: 'date' }, t.token);
    // An account field is not a contact field.
    await post('/custom-fields', { object: 'account', key: 'tier', label: 'Tier', type: 'string' }, t.token);
    const bad = await post('/contacts', { first_name: 'X', custom_fields: { newsletter: 'yes', birthday: '2026-02-30', tier: 'gold' } }, t.token);
    expect(bad.status).toBe(400);
    expect(pointersOf(bad)).toEqual(['/custom_fields/birthday', '/custom_fields/newsletter', '/custom_fields/tier']);
    const yes = await post('/contacts', { first_name: 'Yes', custom_fields: { newsletter: true, birthday: '1990-05-17' } }, t.token);
    expect(yes.status).toBe(201);
    expect(yes.body.custom_fields).toEqual({ newsletter: true, birthday: '1990-05-17' });
    await post('/contacts', { first_name: 'No', custom_fields: { newsletter: false } }, t.token);
    expect(names(await get('/contacts?custom_fields.newsletter=true', t.token))).toEqual(['Yes']);
    expect(names(await get('/contacts?custom_fields.newsletter=false', t.token))).toEqual(['No']);
    expect(names(await get('/contacts?custom_fields.birthday=1990-05-17', t.token))).toEqual(['Yes']);
    const unknown = await get('/contacts?custom_fields.tier=gold', t.token);
    expect(unknown.status).toBe(400);
    expect(pointersOf(unknown)).toEqual(['/query/custom_fields.tier']);
    expect((await get('/contacts?custom_fields.newsletter=maybe', t.token)).status).toBe(400);
    const cleared = await patch(`/contacts/${yes.body.id}`, { custom_fields: { birthday: null } }, '"1"', t.token);
    expect(cleared.body.custom_fields).toEqual({ newsletter: true });
    expect((await del(`/custom-fields/${newsletter.body.id}`, '"1"', t.token)).status).toBe(204);
    const after = await get(`/contacts/${yes.body.id}`, t.token);
    expect(after.body.custom_fields).toEqual({});
    expect(after.body.version).toBe(3);
  });

  it('writes crm.contact.created, updated and deleted to the outbox with the change', async () => {
    const t = await h.tenant();
    const c = await post('/contacts', { first_name: 'Evented', email: 'ev@x.example' }, t.token);
    await patch(`/contacts/${c.body.id}`, { title: 'CTO' }, '"1"', t.token);
    await patch(`/contacts/${c.body.id}`, { title: 'CTO' }, '"2"', t.token);
    await post('/contacts', { first_name: 'Refused', email: 'EV@x.example' }, t.token);
    await del(`/contacts/${c.body.id}`, '"2"', t.token);
    const rows = await h.stratum.kernel.db.select<{ type: string; aggregate_id: string; payload: string }>(
      "SELECT type, aggregate_id, payload FROM outbox_events WHERE tenant_id = :tenantId AND type LIKE 'crm.contact.%' ORDER BY id",
      { tenantId: t.tenantId },
    );
    expect(rows.map((r) => [r.type, r.aggregate_id, JSON.parse(r.payload)])).toEqual([
      ['crm.contact.created', c.body.id, { contact_id: c.body.id, email: 'ev@x.example', account_id: null, owner_id: null, external_id: null }],
      ['crm.contact.updated', c.body.id, { contact_id: c.body.id, changed: ['title'] }],
      ['crm.contact.deleted', c.body.id, { contact_id: c.body.id }],
    ]);
  });

  it('offers other modules an account or a contact as a party', async () => {
    const t = await h.tenant();
    const account = await post('/accounts', { name: 'Billable GmbH', billing_address: { line1: 'Hauptstraße 1', city: 'Berlin', country: 'DE' } }, t.token);
    const contact = await post('/contacts', { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@billable.example', account_id: account.body.id }, t.token);
    // What another module gets from `use(crmModule)`.
    const parties: PartyLookups = h.stratum.use(crmModule).parties;
    const address = { line1: 'Hauptstraße 1', line2: null, city: 'Berlin', region: null, postalCode: null, country: 'DE' };
    expect(await parties.account(t.tenantId, account.body.id)).toEqual({ kind: 'account', id: account.body.id, name: 'Billable GmbH', email: null, billingAddress: address, accountId: null, archived: false });
    expect(await parties.contact(t.tenantId, contact.body.id)).toEqual({
      kind: 'contact',
      id: contact.body.id,
      name: 'Ada Lovelace',
      email: 'ada@billable.example',
      billingAddress: address,
      accountId: account.body.id,
      archived: false,
    });
    expect(await parties.contact(admin.tenantId, contact.body.id)).toBeNull();
    expect(await parties.account(admin.tenantId, account.body.id)).toBeNull();
  });
});
