import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const post = (path: string, json: unknown, headers: Record<string, string> = {}, token = admin.token) => h.request('POST', `/v1/crm${path}`, { token, json, headers });
const get = (path: string, token = admin.token) => h.request('GET', `/v1/crm${path}`, { token });

const STAGES = [
  { name: 'Qualification', probability: 10, kind: 'open' },
  { name: 'Proposal', probability: 50, kind: 'open' },
  { name: 'Won', probability: 100, kind: 'won' },
  { name: 'Lost', probability: 0, kind: 'lost' },
];

type Entry = { type: string; at: string; activity: { subject: string } | null; stage_change: { to_stage_id: string; status: string } | null };

/** Every entry of a timeline, page by page. */
async function all(path: string, limit: number, token = admin.token): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { data: Entry[]; next_cursor: string | null } } = await get(`${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return out;
}

const label = (e: Entry) => (e.type === 'activity' ? e.activity!.subject : `stage:${e.stage_change!.status}`);

describe('CRM timelines', () => {
  it("show an account's own activities, its contacts' and opportunities', and its stage changes, newest first, page by page", async () => {
    const account = (await post('/accounts', { name: 'Timeline Co' })).body.id;
    const other = (await post('/accounts', { name: 'Elsewhere' })).body.id;
    const contact = (await post('/contacts', { first_name: 'Tim', email: 'tim@timeline.example', account_id: account })).body.id;
    const pipeline = (await post('/pipelines', { name: 'Timeline sales', stages: STAGES })).body;
    const proposal = pipeline.stages[1].id;
    const opp = (await post('/opportunities', { name: 'Big deal', pipeline_id: pipeline.id, account_id: account })).body;
    // Calls and meetings show when they happened; other activities when they were recorded.
    await post('/activities', { kind: 'call', subject: 'old call', occurred_at: '2026-01-01T10:00:00.000Z', contact_id: contact });
    await post('/activities', { kind: 'note', subject: 'account note', account_id: account });
    await post('/activities', { kind: 'task', subject: 'opp task', opportunity_id: opp.id });
    await post('/activities', { kind: 'note', subject: 'not here', account_id: other });
    const moved = await post(`/opportunities/${opp.id}/move`, { stage_id: proposal }, { 'if-match': '"1"', 'idempotency-key': 'tl-move' });
    expect(moved.status).toBe(200);
    const won = await post(`/opportunities/${opp.id}/win`, undefined, { 'if-match': `"${moved.body.version}"`, 'idempotency-key': 'tl-win' });
    expect(won.status).toBe(200);

    const timeline = await all(`/accounts/${account}/timeline`, 2);
    expect(timeline.map(label)).toEqual(['stage:won', 'stage:open', 'opp task', 'account note', 'stage:open', 'old call']);
    // Newest first, by `at`, across both kinds.
    const ats = timeline.map((e) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    // The same, one page at a time or all at once.
    expect((await all(`/accounts/${account}/timeline`, 50)).map(label)).toEqual(timeline.map(label));

    expect((await all(`/contacts/${contact}/timeline`, 10)).map(label)).toEqual(['old call']);
    expect((await all(`/opportunities/${opp.id}/timeline`, 10)).map(label)).toEqual(['stage:won', 'stage:open', 'opp task', 'stage:open']);
  });

  it("bind a stage history's cursor to its opportunity; a deleted contact is no opportunity's primary contact", async () => {
    const account = (await post('/accounts', { name: 'History Co' })).body.id;
    const contact = (await post('/contacts', { first_name: 'Primary', email: 'primary@history.example', account_id: account })).body.id;
    const pipeline = (await post('/pipelines', { name: 'History sales', stages: STAGES })).body;
    const a = (await post('/opportunities', { name: 'A', pipeline_id: pipeline.id, account_id: account, primary_contact_id: contact })).body;
    const b = (await post('/opportunities', { name: 'B', pipeline_id: pipeline.id, account_id: account })).body;
    await post(`/opportunities/${a.id}/move`, { stage_id: pipeline.stages[1].id }, { 'if-match': '"1"' });
    const first = await get(`/opportunities/${a.id}/stage-history?limit=1`);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    expect((await get(`/opportunities/${a.id}/stage-history?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`)).status).toBe(200);
    const misuse = await get(`/opportunities/${b.id}/stage-history?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(misuse.status).toBe(400);
    expect(misuse.body.type).toBe('/problems/invalid-cursor');

    expect((await h.request('DELETE', `/v1/crm/contacts/${contact}`, { token: admin.token, headers: { 'if-match': '"1"' } })).status).toBe(204);
    const after = (await get(`/opportunities/${a.id}`)).body;
    expect(after).toMatchObject({ primary_contact_id: null, version: 3 });
  });

  it("answers 404 for another tenant's record or an unknown one, and refuses another timeline's cursor", async () => {
    const account = (await post('/accounts', { name: 'Mine' })).body.id;
    const other = await h.tenant();
    expect((await get(`/accounts/${account}/timeline`, other.token)).status).toBe(404);
    expect((await get('/contacts/con_01M8A4D6F8H0K2M4P6R8T0W2Y4/timeline')).status).toBe(404);
    const second = (await post('/accounts', { name: 'Second' })).body.id;
    for (let i = 0; i < 3; i++) await post('/activities', { kind: 'note', subject: `n${i}`, account_id: account });
    const page = await get(`/accounts/${account}/timeline?limit=1`);
    expect(page.body.next_cursor).toEqual(expect.any(String));
    const misuse = await get(`/accounts/${second}/timeline?limit=1&cursor=${encodeURIComponent(page.body.next_cursor)}`);
    expect(misuse.status).toBe(400);
    expect(misuse.body.type).toBe('/problems/invalid-cursor');
  });
});
