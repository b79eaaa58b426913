import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;
let accountId: string;
let contactId: string;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
  accountId = (await post('/accounts', { name: 'Northwind' })).body.id;
  contactId = (await post('/contacts', { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@northwind.example', account_id: accountId })).body.id;
});
afterAll(() => h.stop());

function post(path: string, json: unknown, token = admin.token, headers: Record<string, string> = {}) {
  return h.request('POST', `/v1/crm${path}`, { token, json, headers });
}
const get = (path: string, token = admin.token) => h.request('GET', `/v1/crm${path}`, { token });
const patch = (path: string, json: unknown, ifMatch?: string) => h.request('PATCH', `/v1/crm${path}`, { token: admin.token, json, headers: ifMatch ? { 'if-match': ifMatch } : {} });
const act = (path: string, ifMatch?: string, headers: Record<string, string> = {}) => h.request('POST', `/v1/crm${path}`, { token: admin.token, headers: { ...(ifMatch ? { 'if-match': ifMatch } : {}), ...headers } });
const pointers = (body: { errors?: { pointer: string }[] }) => (body.errors ?? []).map((e) => e.pointer).sort();

describe('CRM activities', () => {
  it('records a call on an account, with occurred_at defaulting to now', async () => {
    const before = Date.now();
    const res = await post('/activities', { kind: 'call', subject: 'Discovery call', duration_minutes: 30, account_id: accountId });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'call', subject: 'Discovery call', duration_minutes: 30, account_id: accountId, contact_id: null, opportunity_id: null, due_at: null, completed_at: null, version: 1 });
    expect(new Date(res.body.occurred_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(res.headers.get('location')).toBe(`/v1/crm/activities/${res.body.id}`);
    expect((await get(`/activities/${res.body.id}`)).body).toEqual(res.body);
  });

  it('is attached to exactly one record of the tenant, and takes only the fields of its kind', async () => {
    expect(pointers((await post('/activities', { kind: 'note', subject: 'x' })).body)).toEqual(['/account_id', '/contact_id', '/opportunity_id']);
    expect(pointers((await post('/activities', { kind: 'note', subject: 'x', account_id: accountId, contact_id: contactId })).body)).toEqual(['/account_id', '/contact_id']);
    expect(pointers((await post('/activities', { kind: 'note', subject: 'x', due_at: '2026-12-01T00:00:00Z', duration_minutes: 5, account_id: accountId })).body)).toEqual(['/due_at', '/duration_minutes']);
    expect(pointers((await post('/activities', { kind: 'call', subject: 'x', completed_at: '2026-12-01T00:00:00Z', contact_id: contactId })).body)).toEqual(['/completed_at']);
    const other = await h.tenant();
    const theirs = (await post('/accounts', { name: 'Theirs' }, other.token)).body.id;
    const res = await post('/activities', { kind: 'note', subject: 'x', account_id: theirs });
    expect(res.status).toBe(400);
    expect(pointers(res.body)).toEqual(['/account_id']);
    expect(pointers((await post('/activities', { kind: 'note', subject: 'x', opportunity_id: 'opp_01M8A3C5E7G9J1K3M5P7R9T1V3' })).body)).toEqual(['/opportunity_id']);
    expect(pointers((await post('/activities', { kind: 'gossip', subject: '', account_id: accountId, duration_minutes: -1 })).body)).toEqual(['/duration_minutes', '/kind', '/subject']);
  });

  it('completes a task once, with If-Match, and replays the completion for its Idempotency-Key', async () => {
    const task = (await post('/activities', { kind: 'task', subject: 'Send the quote', due_at: '2026-12-03T17:00:00.000Z', contact_id: contactId })).body;
    expect((await act(`/activities/${task.id}/complete`)).status).toBe(428);
    expect((await act(`/activities/${task.id}/complete`, '"9"')).status).toBe(412);
    const done = await act(`/activities/${task.id}/complete`, '"1"', { 'idempotency-key': `complete-${task.id}` });
    expect(done.status).toBe(200);
    expect(done.body.completed_at).not.toBeNull();
    expect(done.headers.get('etag')).toBe('"2"');
    const replay = await act(`/activities/${task.id}/complete`, '"1"', { 'idempotency-key': `complete-${task.id}` });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(done.body);
    expect((await act(`/activities/${task.id}/complete`, '"2"')).status).toBe(409);
    const note = (await post('/activities', { kind: 'note', subject: 'n', account_id: accountId })).body;
    expect((await act(`/activities/${note.id}/complete`, '"1"')).status).toBe(409);
  });

  it('patches the fields of its kind, and deletes with If-Match', async () => {
    const task = (await post('/activities', { kind: 'task', subject: 'Call back', account_id: accountId })).body;
    const changed = await patch(`/activities/${task.id}`, { subject: 'Call back Ada', due_at: '2026-12-10T09:00:00.000Z', body: 'About the quote' }, '"1"');
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ subject: 'Call back Ada', due_at: '2026-12-10T09:00:00.000Z', body: 'About the quote', version: 2 });
    expect(pointers((await patch(`/activities/${task.id}`, { duration_minutes: 5 }, '"2"')).body)).toEqual(['/duration_minutes']);
    expect(pointers((await patch(`/activities/${task.id}`, { kind: 'note', account_id: accountId }, '"2"')).body)).toEqual(['/account_id', '/kind']);
    expect((await h.request('DELETE', `/v1/crm/activities/${task.id}`, { token: admin.token })).status).toBe(428);
    expect((await h.request('DELETE', `/v1/crm/activities/${task.id}`, { token: admin.token, headers: { 'if-match': '"2"' } })).status).toBe(204);
    expect((await get(`/activities/${task.id}`)).status).toBe(404);
  });

  it("go with the contact they are attached to when it is deleted", async () => {
    const c = (await post('/contacts', { first_name: 'Gone', email: 'gone@northwind.example' })).body;
    const note = (await post('/activities', { kind: 'note', subject: 'about Gone', contact_id: c.id })).body;
    expect((await h.request('DELETE', `/v1/crm/contacts/${c.id}`, { token: admin.token, headers: { 'if-match': '"1"' } })).status).toBe(204);
    expect((await get(`/activities/${note.id}`)).status).toBe(404);
  });

  it('lists with filters and sorts; another tenant sees none of them', async () => {
    const t = await h.tenant();
    const acc = (await post('/accounts', { name: 'A' }, t.token)).body.id;
    const mk = (body: object) => post('/activities', { account_id: acc, ...body }, t.token);
    const late = (await mk({ kind: 'task', subject: 'late', due_at: '2026-12-20T00:00:00.000Z', owner_id: 'u1' })).body;
    const soon = (await mk({ kind: 'task', subject: 'soon', due_at: '2026-12-02T00:00:00.000Z', owner_id: 'u2' })).body;
    await mk({ kind: 'task', subject: 'someday' });
    await mk({ kind: 'note', subject: 'note', owner_id: 'u1' });
    await mk({ kind: 'meeting', subject: 'meeting', occurred_at: '2026-11-01T10:00:00.000Z', duration_minutes: 60 });
    const subjects = async (q: string) => (await get(`/activities?${q}`, t.token)).body.data.map((a: { subject: string }) => a.subject);
    expect(await subjects('kind=task&sort=due_at')).toEqual(['soon', 'late', 'someday']);
    expect(await subjects('kind=task&sort=-due_at')).toEqual(['someday', 'late', 'soon']);
    expect(await subjects('due_at_after=2026-12-01T00:00:00Z&due_at_before=2026-12-10T00:00:00Z')).toEqual(['soon']);
    expect(await subjects('owner_id=u1&sort=created_at')).toEqual(['late', 'note']);
    expect((await h.request('POST', `/v1/crm/activities/${soon.id}/complete`, { token: t.token, headers: { 'if-match': '"1"' } })).status).toBe(200);
    expect(await subjects('completed=true')).toEqual(['soon']);
    expect(await subjects('kind=task&completed=false&sort=due_at')).toEqual(['late', 'someday']);
    expect((await get(`/activities?account_id=${acc}`)).body.data).toEqual([]);
    expect((await get(`/activities/${late.id}`)).status).toBe(404);
    expect((await get('/activities?kind=gossip', t.token)).status).toBe(400);
  });
});
