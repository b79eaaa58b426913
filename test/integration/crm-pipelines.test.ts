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
const patch = (path: string, json: unknown, ifMatch: string | undefined, token = admin.token) =>
  h.request('PATCH', `/v1/crm${path}`, { token, json, headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) } });
const del = (path: string, ifMatch: string | undefined, token = admin.token) => h.request('DELETE', `/v1/crm${path}`, { token, headers: ifMatch ? { 'if-match': ifMatch } : {} });
const pointers = (body: { errors?: { pointer: string }[] }) => (body.errors ?? []).map((e) => e.pointer).sort();

const STAGES = [
  { name: 'Qualification', probability: 10, kind: 'open' },
  { name: 'Proposal', probability: 50, kind: 'open' },
  { name: 'Won', probability: 100, kind: 'won' },
  { name: 'Lost', probability: 0, kind: 'lost' },
];

async function pipeline(token = admin.token, name = 'Sales') {
  const res = await post('/pipelines', { name, stages: STAGES }, {}, token);
  expect(res.status).toBe(201);
  return res.body;
}

describe('CRM pipelines', () => {
  it('creates a pipeline with its stages in order and serves it with an ETag', async () => {
    const res = await post('/pipelines', { name: 'New business', stages: STAGES });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^pip_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.body.stages.map((s: { name: string }) => s.name)).toEqual(['Qualification', 'Proposal', 'Won', 'Lost']);
    for (const s of res.body.stages) expect(s.id).toMatch(/^stg_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.body.version).toBe(1);
    expect(res.headers.get('location')).toBe(`/v1/crm/pipelines/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await get(`/pipelines/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('refuses stages that break the rules, naming each, and writes nothing', async () => {
    const t = await h.tenant();
    const noWon = await post('/pipelines', { name: 'X', stages: [STAGES[0], STAGES[1], STAGES[3]] }, {}, t.token);
    expect(noWon.status).toBe(400);
    expect(noWon.body.errors).toEqual([{ pointer: '/stages', detail: 'must have exactly one won stage (0 given)' }]);
    const twoLost = await post('/pipelines', { name: 'X', stages: [...STAGES, { name: 'Lost again', probability: 0, kind: 'lost' }] }, {}, t.token);
    expect(twoLost.status).toBe(400);
    expect(pointers(twoLost.body)).toEqual(['/stages']);
    const noOpen = await post('/pipelines', { name: 'X', stages: [STAGES[2], STAGES[3], { ...STAGES[2], name: 'Won 2' }] }, {}, t.token);
    expect(noOpen.status).toBe(400);
    const badProbability = await post(
      '/pipelines',
      { name: 'X', stages: [{ ...STAGES[0], name: 'proposal' }, STAGES[1], { ...STAGES[2], probability: 90 }, { ...STAGES[3], probability: 5 }] },
      {},
      t.token,
    );
    expect(badProbability.status).toBe(400);
    expect(pointers(badProbability.body)).toEqual(['/stages/1/name', '/stages/2/probability', '/stages/3/probability']);
    const contract = await post('/pipelines', { name: 'x'.repeat(101), stages: [{ name: '', probability: 101, kind: 'maybe' }, 'x', STAGES[2]], colour: 'red' }, {}, t.token);
    expect(contract.status).toBe(400);
    expect(pointers(contract.body)).toEqual(expect.arrayContaining(['/name', '/stages/0/name', '/stages/0/probability', '/stages/0/kind', '/stages/1', '/colour']));
    const wrongTypes = await post('/pipelines', { name: 5, stages: 'all' }, {}, t.token);
    expect(wrongTypes.status).toBe(400);
    expect((await get('/pipelines', t.token)).body.data).toEqual([]);
  });

  it('renames with If-Match: 428 without it, 412 when stale', async () => {
    const p = await pipeline();
    expect((await patch(`/pipelines/${p.id}`, { name: 'Renamed' }, undefined)).status).toBe(428);
    expect((await patch(`/pipelines/${p.id}`, { name: 'Renamed' }, '"2"')).status).toBe(412);
    const res = await patch(`/pipelines/${p.id}`, { name: 'Renamed' }, '"1"');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ name: 'Renamed', version: 2 });
    // The same name again changes nothing.
    expect((await patch(`/pipelines/${p.id}`, { name: 'Renamed' }, '"2"')).body.version).toBe(2);
    expect((await patch(`/pipelines/${p.id}`, { stages: [] }, '"2"')).status).toBe(400);
  });

  it('adds, changes, reorders and deletes stages, each under the pipeline version', async () => {
    const p = await pipeline();
    const base = `/pipelines/${p.id}`;
    const [qual, proposal, won, lost] = p.stages;
    // Add
    expect((await post(`${base}/stages`, { name: 'Demo', probability: 30 })).status).toBe(428);
    expect((await post(`${base}/stages`, { name: 'Demo', probability: 30 }, { 'if-match': '"9"' })).status).toBe(412);
    const added = await post(`${base}/stages`, { name: 'Demo', probability: 30, position: 1 }, { 'if-match': '"1"' });
    expect(added.status).toBe(200);
    expect(added.headers.get('etag')).toBe('"2"');
    expect(added.body.stages.map((s: { name: string }) => s.name)).toEqual(['Qualification', 'Demo', 'Proposal', 'Won', 'Lost']);
    const demo = added.body.stages[1];
    expect(demo).toMatchObject({ kind: 'open', probability: 30 });
    const again = await post(`${base}/stages`, { name: 'won', probability: 100, kind: 'won' }, { 'if-match': '"2"' });
    expect(again.status).toBe(409);
    expect((await post(`${base}/stages`, { name: 'DEMO', probability: 30 }, { 'if-match': '"2"' })).status).toBe(409);
    expect((await post(`${base}/stages`, { name: 'Late', probability: 30, position: 49 }, { 'if-match': '"2"' })).body.stages.at(-1).name).toBe('Late');
    // Change
    const changed = await patch(`${base}/stages/${demo.id}`, { name: 'Demo done', probability: 35 }, '"3"');
    expect(changed.status).toBe(200);
    expect(changed.body.stages[1]).toEqual({ id: demo.id, name: 'Demo done', probability: 35, kind: 'open' });
    expect((await patch(`${base}/stages/${won.id}`, { probability: 90 }, '"4"')).status).toBe(400);
    expect((await patch(`${base}/stages/${demo.id}`, { kind: 'won' }, '"4"')).status).toBe(400);
    expect((await patch(`${base}/stages/${demo.id}`, { name: 'Proposal' }, '"4"')).status).toBe(409);
    expect((await patch(`${base}/stages/stg_01M8A5B2C4D6E8F0G2H4J6K8M0`, { name: 'x' }, '"4"')).status).toBe(404);
    expect((await patch(`${base}/stages/${demo.id}`, { name: 'x' }, undefined)).status).toBe(428);
    // Reorder
    const current = (await get(base)).body;
    const ids = current.stages.map((s: { id: string }) => s.id);
    const reversed = [...ids].reverse();
    expect((await post(`${base}/reorder-stages`, { stage_ids: reversed }, { 'if-match': '"3"' })).status).toBe(412);
    const missing = await post(`${base}/reorder-stages`, { stage_ids: reversed.slice(1) }, { 'if-match': '"4"' });
    expect(missing.status).toBe(400);
    expect(pointers(missing.body)).toEqual(['/stage_ids']);
    const foreign = await post(`${base}/reorder-stages`, { stage_ids: [...reversed.slice(1), 'stg_01M8A5B2C4D6E8F0G2H4J6K8M0'] }, { 'if-match': '"4"' });
    expect(pointers(foreign.body)).toEqual([`/stage_ids`, `/stage_ids/${ids.length - 1}`]);
    const dup = await post(`${base}/reorder-stages`, { stage_ids: [ids[0], ...ids] }, { 'if-match': '"4"' });
    expect(dup.status).toBe(400);
    const reordered = await post(`${base}/reorder-stages`, { stage_ids: reversed }, { 'if-match': '"4"' });
    expect(reordered.status).toBe(200);
    expect(reordered.body.stages.map((s: { id: string }) => s.id)).toEqual(reversed);
    expect(reordered.body.version).toBe(5);
    // Delete: won, lost and the last open stage stay.
    expect((await del(`${base}/stages/${won.id}`, '"5"')).status).toBe(409);
    expect((await del(`${base}/stages/${lost.id}`, '"5"')).status).toBe(409);
    expect((await del(`${base}/stages/${demo.id}`, undefined)).status).toBe(428);
    expect((await del(`${base}/stages/${demo.id}?move_to=${won.id}`, '"5"')).status).toBe(400);
    expect((await del(`${base}/stages/${demo.id}?move_to=${demo.id}`, '"5"')).status).toBe(400);
    expect((await del(`${base}/stages/${demo.id}?move_to=nope`, '"5"')).status).toBe(400);
    const deleted = await del(`${base}/stages/${demo.id}`, '"5"');
    expect(deleted.status).toBe(200);
    expect(deleted.body.stages.map((s: { id: string }) => s.id)).not.toContain(demo.id);
    const late = deleted.body.stages.find((s: { name: string }) => s.name === 'Late');
    expect((await del(`${base}/stages/${late.id}`, '"6"')).status).toBe(200);
    expect((await del(`${base}/stages/${qual.id}`, '"7"')).status).toBe(200);
    const last = await del(`${base}/stages/${proposal.id}`, '"8"');
    expect(last.status).toBe(409);
    expect(last.body.detail).toMatch(/only open stage/);
    expect((await get(base)).body.stages.map((s: { kind: string }) => s.kind)).toEqual(['lost', 'won', 'open']);
  });

  it('lists pipelines oldest first, pages, and deletes one without opportunities', async () => {
    const t = await h.tenant();
    const a = await pipeline(t.token, 'A');
    const b = await pipeline(t.token, 'B');
    const c = await pipeline(t.token, 'C');
    const first = await get('/pipelines?limit=2', t.token);
    expect(first.body.data.map((p: { name: string }) => p.name)).toEqual(['A', 'B']);
    expect(first.body.data[0].stages).toHaveLength(4);
    const rest = await get(`/pipelines?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, t.token);
    expect(rest.body.data.map((p: { id: string }) => p.id)).toEqual([c.id]);
    expect(rest.body.next_cursor).toBeNull();
    expect((await get('/pipelines?sort=-created_at', t.token)).body.data.map((p: { name: string }) => p.name)).toEqual(['C', 'B', 'A']);
    expect((await get('/pipelines?sort=name', t.token)).status).toBe(400);
    expect((await get('/pipelines?stage=x', t.token)).status).toBe(400);
    expect((await del(`/pipelines/${b.id}`, undefined, t.token)).status).toBe(428);
    expect((await del(`/pipelines/${b.id}`, '"2"', t.token)).status).toBe(412);
    expect((await del(`/pipelines/${b.id}`, '"1"', t.token)).status).toBe(204);
    expect((await get(`/pipelines/${b.id}`, t.token)).status).toBe(404);
    expect((await get('/pipelines', t.token)).body.data.map((p: { id: string }) => p.id)).toEqual([a.id, c.id]);
  });

  it("answers 404 for another tenant's pipeline and for unknown ids, and needs the CRM scopes", async () => {
    const p = await pipeline();
    const other = await h.tenant();
    expect((await get(`/pipelines/${p.id}`, other.token)).status).toBe(404);
    expect((await get(`/pipelines/${p.id}/summary`, other.token)).status).toBe(404);
    expect((await patch(`/pipelines/${p.id}`, { name: 'x' }, '"1"', other.token)).status).toBe(404);
    expect((await post(`/pipelines/${p.id}/stages`, { name: 'x', probability: 1 }, { 'if-match': '"1"' }, other.token)).status).toBe(404);
    expect((await del(`/pipelines/${p.id}/stages/${p.stages[0].id}`, '"1"', other.token)).status).toBe(404);
    expect((await del(`/pipelines/${p.id}`, '"1"', other.token)).status).toBe(404);
    expect((await get('/pipelines/pip_01M8A5A0B2C4D6E8F0G2H4J6K8')).status).toBe(404);
    expect((await get('/pipelines/not-an-id')).status).toBe(400);
    const readOnly = await h.token(admin.clientId, admin.secret, 'crm:read');
    expect((await get(`/pipelines/${p.id}`, readOnly)).status).toBe(200);
    expect((await post('/pipelines', { name: 'x', stages: STAGES }, {}, readOnly)).status).toBe(403);
  });
});
