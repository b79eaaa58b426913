import { searchText } from '../../src/platform/search-text';
import { newId } from '../../src/platform/ids';
import { API_CLIENT_LIST } from '../../src/modules/platform/infrastructure/api-client.repository';
import { ApiClientModel } from '../../src/modules/platform/infrastructure/models';
import { Harness, type Admin } from '../support/harness';
import { INSTANTS, NAMES, compareBy, pick, random } from '../support/list-fixtures';

/** The API-client list on the kernel's list-query piece, through the real app. */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(() => h.stop());

describe('the API-client list', () => {
  interface Client {
    id: string;
    name: string;
    status: string;
    created_at: Date;
  }

  /** `count` clients in one multi-row INSERT, names and creation times drawn from ten values each. */
  async function addClients(tenantId: string, count: number): Promise<void> {
    const rows = Array.from({ length: count }, () => {
      const name = pick(NAMES);
      const created = pick(INSTANTS);
      const revoked = random(5) === 0;
      return { id: newId('cli'), tenant_id: tenantId, name, name_search: searchText(name), description: null, scopes: '["crm:read"]', status: revoked ? 'revoked' : 'active', secret_hash: 'unused', version: 1, created_at: created, updated_at: created, secret_rotated_at: null, revoked_at: revoked ? created : null };
    });
    await ApiClientModel.bulkCreate(rows);
  }

  async function clientsOf(tenantId: string): Promise<Client[]> {
    const rows = await ApiClientModel.findAll({ where: { tenant_id: tenantId }, raw: true });
    return rows.map((r) => ({ id: r.id, name: r.name, status: r.status, created_at: new Date(r.created_at) }));
  }

  async function pageHttp(who: Admin, query: string, between?: (page: string[]) => Promise<void>): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.request('GET', `/v1/platform/api-clients?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: who.token });
      expect(res.status).toBe(200);
      ids.push(...res.body.data.map((c: { id: string }) => c.id));
      cursor = res.body.next_cursor;
      if (between) await between(res.body.data.map((c: { id: string }) => c.id));
    } while (cursor);
    return ids;
  }

  let tenant: Admin;
  let clients: Client[];
  beforeAll(async () => {
    tenant = await h.tenant();
    await addClients(tenant.tenantId, 1000);
    clients = await clientsOf(tenant.tenantId);
  });

  it.each(API_CLIENT_LIST.sortOptions)('pages 1,000 clients with many ties by %s: each once, in order', async (sort) => {
    const ids = await pageHttp(tenant, `sort=${sort}&limit=9`);
    expect(ids).toEqual([...clients].sort(compareBy(sort)).map((c) => c.id));
  });

  it('filters by status, text and creation time while paging', async () => {
    const from = INSTANTS[2].toISOString();
    const to = INSTANTS[5].toISOString();
    const cases: [string, (c: Client) => boolean][] = [
      ['status=revoked&sort=name', (c) => c.status === 'revoked'],
      ['q=HA&sort=-created_at', (c) => c.name.includes('ha')],
      [`created_after=${from}&created_before=${to}&sort=created_at`, (c) => c.created_at >= INSTANTS[2] && c.created_at < INSTANTS[5]],
      [`status=active&q=o&created_after=${from}&sort=-name`, (c) => c.status === 'active' && c.name.includes('o') && c.created_at >= INSTANTS[2]],
    ];
    for (const [query, keep] of cases) {
      const sort = new URLSearchParams(query).get('sort')!;
      expect({ query, ids: await pageHttp(tenant, `${query}&limit=40`) }).toEqual({ query, ids: clients.filter(keep).sort(compareBy(sort)).map((c) => c.id) });
    }
  });

  it('sees every client that stays exactly once while clients come and go', async () => {
    const other = await h.tenant();
    await addClients(other.tenantId, 200);
    const initial = (await clientsOf(other.tenantId)).map((c) => c.id);
    const deleted = new Set<string>();
    const ids = await pageHttp(other, 'sort=name&limit=13', async (page) => {
      await addClients(other.tenantId, 3);
      const live = initial.filter((id) => !deleted.has(id) && id !== other.clientId);
      const gone = [page[page.length - 1], live[random(live.length)]].filter((id) => id !== other.clientId);
      gone.forEach((id) => deleted.add(id));
      await ApiClientModel.destroy({ where: { id: gone } });
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(initial.filter((id) => !deleted.has(id) && !ids.includes(id))).toEqual([]);
  });

  it('refuses a cursor used with other filters, another sort or another tenant: 400 naming /query/cursor', async () => {
    const base = `status=active&q=a&created_after=${INSTANTS[1].toISOString()}&sort=name&limit=5`;
    const first = await h.request('GET', `/v1/platform/api-clients?${base}`, { token: tenant.token });
    const cursor = encodeURIComponent(first.body.next_cursor);
    expect((await h.request('GET', `/v1/platform/api-clients?${base}&cursor=${cursor}`, { token: tenant.token })).status).toBe(200);
    const other = await h.tenant();
    const changed: [string, Admin][] = [
      [base.replace('status=active', 'status=revoked'), tenant],
      [base.replace('q=a', 'q=b'), tenant],
      [base.replace('q=a&', ''), tenant],
      [base.replace(INSTANTS[1].toISOString(), INSTANTS[2].toISOString()), tenant],
      [`${base}&created_before=${INSTANTS[9].toISOString()}`, tenant],
      [base.replace('sort=name', 'sort=-name'), tenant],
      [base, other],
    ];
    for (const [query, who] of changed) {
      const res = await h.request('GET', `/v1/platform/api-clients?${query}&cursor=${cursor}`, { token: who.token });
      expect({ query, status: res.status, type: res.body.type, errors: res.body.errors }).toEqual({ query, status: 400, type: '/problems/invalid-cursor', errors: [{ pointer: '/query/cursor', detail: expect.any(String) }] });
    }
  });

  it('refuses an unknown sort key or a bad filter value: 400 naming the parameter', async () => {
    for (const [query, name] of [['sort=size', 'sort'], ['sort=-id', 'sort'], ['status=paused', 'status'], ['created_after=yesterday', 'created_after'], ['created_before=2016-12-31T23:59:60Z', 'created_before']]) {
      const res = await h.request('GET', `/v1/platform/api-clients?${query}`, { token: tenant.token });
      expect({ query, status: res.status, type: res.body.type, pointers: res.body.errors.map((e: { pointer: string }) => e.pointer) }).toEqual({ query, status: 400, type: '/problems/validation-error', pointers: [`/query/${name}`] });
    }
  });
});
