import { testDbKind } from '../support/databases';
import { Harness, type Admin } from '../support/harness';

/**
 * `POST /v1/wms/reservations/batch` over HTTP, on SQLite and PostgreSQL: an order's lines
 * reserved all or none, a line no one place holds split over the warehouse's locations (or a
 * location's lots), the 409 listing every short line, the 400s naming `/lines/<n>/…`, the
 * idempotent retry, each reservation released on its own; and, on PostgreSQL, batches racing
 * for the last units from two app instances.
 */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

type Json = Record<string, any>;
const call = (method: string, path: string, json?: unknown, headers: Record<string, string> = {}, token = admin.token, harness = h) => harness.request(method, `/v1/wms${path}`, { token, json, headers });
const post = (path: string, json?: unknown, headers: Record<string, string> = {}, token = admin.token) => call('POST', path, json, headers, token);
const get = (path: string, token = admin.token) => call('GET', path, undefined, {}, token);
const batch = (json: unknown, headers: Record<string, string> = {}, token = admin.token, harness = h) => call('POST', '/reservations/batch', json, headers, token, harness);
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => (res.body.errors ?? []).map((e) => e.pointer).sort();
const eur = (amount: number) => ({ amount, currency: 'EUR' });
let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}-${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

async function created(res: Promise<{ status: number; body: Json; text: string }>): Promise<Json> {
  const r = await res;
  if (r.status !== 201) throw new Error(`expected 201, got ${r.status}: ${r.text}`);
  return r.body;
}

/** A warehouse with `bins` storage locations. */
async function site(bins: number, token = admin.token): Promise<{ warehouse: Json; bins: Json[] }> {
  const warehouse = await created(post('/warehouses', { code: unique('W'), name: 'Webshop warehouse' }, {}, token));
  const made: Json[] = [];
  for (let i = 0; i < bins; i++) made.push(await created(post('/locations', { warehouse_id: warehouse.id, code: unique('BIN'), type: 'storage' }, {}, token)));
  return { warehouse, bins: made };
}

const item = (fields: Json = {}, token = admin.token) => created(post('/items', { sku: unique('SKU'), name: 'Hex bolt M8', category: 'component', unit: 'ea', ...fields }, {}, token));
const receive = (itemId: string, locationId: string, quantity: string, extra: Json = {}) =>
  created(post('/stock-moves', { type: 'receipt', item_id: itemId, quantity, to_location_id: locationId, unit_cost: eur(100), ...extra }));
const balances = async (itemId: string) =>
  Object.fromEntries(((await get(`/balances?item_id=${itemId}`)).body.data as Json[]).map((b) => [`${b.location_id}${b.lot ? `/${b.lot}` : ''}`, `${b.on_hand}/${b.reserved}`]));
const reservationsOf = async (referenceId: string) => (await get(`/reservations?reference_type=sales_order&reference_id=${referenceId}`)).body.data as Json[];
const order = (id: string) => ({ type: 'sales_order', id });
/** Each line's reservations as [location, lot, quantity]. */
const heldAs = (body: Json) => (body.lines as Json[]).map((l) => (l.reservations as Json[]).map((r) => [r.location_id, r.lot, r.quantity]));

describe('reserving a batch of lines', () => {
  it('splits a warehouse line no one bin holds over the bins, most available first, and holds a line one bin covers whole', async () => {
    const { warehouse, bins } = await site(3);
    const [a, b, c] = bins.map((x) => x.id);
    const bolt = (await item()).id;
    const nut = (await item({ name: 'Hex nut M8' })).id;
    await receive(bolt, a, '4');
    await receive(bolt, b, '6');
    await receive(nut, a, '5');
    await receive(nut, c, '8');
    const reference = order(unique('WEB'));

    const res = await batch({
      reference,
      lines: [
        { item_id: bolt, quantity: '10', warehouse_id: warehouse.id },
        { item_id: nut, quantity: '2', location_id: a },
        // Bin c has 8, bin a 3 after the line above: c covers it whole.
        { item_id: nut, quantity: '3', warehouse_id: warehouse.id },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBeNull();
    expect(heldAs(res.body)).toEqual([
      [
        [b, null, '6'],
        [a, null, '4'],
      ],
      [[a, null, '2']],
      [[c, null, '3']],
    ]);
    const all = (res.body.lines as Json[]).flatMap((l) => l.reservations as Json[]);
    for (const r of all) expect(r).toMatchObject({ warehouse_id: warehouse.id, status: 'active', reference, expires_at: null, version: 1 });
    expect(all[0].remaining).toBe('6');

    expect(await balances(bolt)).toEqual({ [a]: '4/4', [b]: '6/6' });
    expect(await balances(nut)).toEqual({ [a]: '5/2', [c]: '8/3' });
    expect((await get(`/items/${bolt}/stock`)).body).toMatchObject({ on_hand: '10', reserved: '10', available: '0' });
    expect((await reservationsOf(reference.id)).map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort());

    // One wms.stock.reserved per reservation, a split line's parts each.
    const events = await h.stratum.kernel.db.select<{ aggregate_id: string }>("SELECT aggregate_id FROM outbox_events WHERE tenant_id = :tenantId AND type = 'wms.stock.reserved'", { tenantId: admin.tenantId });
    const reservedEvents = events.map((e) => e.aggregate_id).filter((id) => all.some((r) => r.id === id));
    expect(reservedEvents.sort()).toEqual(all.map((r) => r.id).sort());
  });

  it('splits a lot-tracked line without a lot over the lots at its location, and a later line of the item takes what is left', async () => {
    const { warehouse, bins } = await site(2);
    const [a, b] = bins.map((x) => x.id);
    const resin = (await item({ name: 'Resin', category: 'raw', unit: 'l', tracking: 'lot' })).id;
    await receive(resin, a, '3', { lot: 'L-1' });
    await receive(resin, a, '5', { lot: 'L-2' });
    await receive(resin, b, '2.5', { lot: 'L-1' });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();

    const res = await batch({
      reference: order(unique('WEB')),
      lines: [
        { item_id: resin, quantity: '7', location_id: a },
        // L-1: a has 1 left, b 2.5; together they cover 3.
        { item_id: resin, quantity: '3', warehouse_id: warehouse.id, lot: 'L-1' },
      ],
      expires_at: expiresAt,
    });
    expect(res.status).toBe(201);
    expect(heldAs(res.body)).toEqual([
      [
        [a, 'L-2', '5'],
        [a, 'L-1', '2'],
      ],
      [
        [b, 'L-1', '2.5'],
        [a, 'L-1', '0.5'],
      ],
    ]);
    for (const line of res.body.lines) for (const r of line.reservations) expect(r.expires_at).toBe(expiresAt);
    expect(await balances(resin)).toEqual({ [`${a}/L-1`]: '3/2.5', [`${a}/L-2`]: '5/5', [`${b}/L-1`]: '2.5/2.5' });
  });

  it('reserves nothing when any line is short, listing every short line with its shortfall', async () => {
    const { warehouse, bins } = await site(2);
    const [a, b] = bins.map((x) => x.id);
    const bolt = (await item()).id;
    const nut = (await item({ name: 'Hex nut M8' })).id;
    const washer = (await item({ name: 'Washer M8' })).id;
    await receive(bolt, a, '6');
    await receive(bolt, b, '4');
    await receive(nut, a, '3');
    await receive(washer, b, '9');
    const reference = order(unique('WEB'));
    const before = { bolt: await balances(bolt), nut: await balances(nut), washer: await balances(washer) };

    const res = await batch({
      reference,
      lines: [
        { item_id: washer, quantity: '9', location_id: b },
        { item_id: bolt, quantity: '12', warehouse_id: warehouse.id },
        { item_id: nut, quantity: '5', location_id: a },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: '/problems/conflict', status: 409 });
    expect(res.body.shortages).toEqual([
      { line: 1, item_id: bolt, location_id: null, lot: null, requested: '12', available: '10', shortfall: '2' },
      { line: 2, item_id: nut, location_id: a, lot: null, requested: '5', available: '3', shortfall: '2' },
    ]);
    expect(res.body.detail).toContain('2 of 3 lines');
    expect(res.body.detail).toContain('/lines/1');
    expect(res.body.detail).toContain('/lines/2');
    expect(res.body.detail).not.toContain('/lines/0');

    // The first line, reservable alone, was not reserved either.
    expect({ bolt: await balances(bolt), nut: await balances(nut), washer: await balances(washer) }).toEqual(before);
    expect(await reservationsOf(reference.id)).toEqual([]);

    // An inactive item is a 409 too.
    const retired = await item();
    await receive(retired.id, a, '1');
    expect((await call('PATCH', `/items/${retired.id}`, { is_active: false }, { 'if-match': `"${retired.version}"` })).status).toBe(200);
    const inactive = await batch({ reference, lines: [{ item_id: retired.id, quantity: '1', location_id: a }] });
    expect(inactive.status).toBe(409);
    expect(inactive.body.detail).toContain('inactive');
  });

  it('names the first short lines in detail and lists all of them in shortages, however many', async () => {
    const { bins } = await site(1);
    const [a] = bins.map((x) => x.id);
    const resin = (await item({ name: 'Resin', category: 'raw', unit: 'l', tracking: 'lot' })).id;
    const lot = 'L'.repeat(64);
    await receive(resin, a, '1', { lot });
    const res = await batch({ reference: order(unique('WEB')), lines: Array.from({ length: 100 }, () => ({ item_id: resin, quantity: '999999999999.999', location_id: a, lot })) });
    expect(res.status).toBe(409);
    expect(res.body.shortages).toHaveLength(100);
    expect(res.body.shortages[0]).toEqual({ line: 0, item_id: resin, location_id: a, lot, requested: '999999999999.999', available: '1', shortfall: '999999999998.999' });
    expect(res.body.shortages.map((s: Json) => s.line)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(res.body.detail).toContain('100 of 100 lines');
    expect(res.body.detail).toContain('/lines/4:');
    expect(res.body.detail).not.toContain('/lines/5:');
    expect(res.body.detail).toContain('and 95 more (see shortages)');
    expect(res.body.detail.length).toBeLessThanOrEqual(2000);
    expect(await balances(resin)).toEqual({ [`${a}/${lot}`]: '1/0' });
  });

  it('refuses bad lines with a 400 naming /lines/<n>/…, reserving nothing', async () => {
    const { warehouse, bins } = await site(1);
    const [a] = bins.map((x) => x.id);
    const bolt = (await item()).id;
    await receive(bolt, a, '100');
    const other = await h.tenant();
    const foreign = await site(1, other.token);
    const reference = order(unique('WEB'));
    const ok = { item_id: bolt, quantity: '1', location_id: a };
    const refused = async (body: Json) => {
      const res = await batch(body);
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('/problems/validation-error');
      return pointersOf(res);
    };

    expect(await refused({ reference, lines: [ok, { item_id: bolt, quantity: '2.5', location_id: a }] })).toEqual(['/lines/1/quantity']);
    expect(await refused({ reference, lines: [{ item_id: bolt, quantity: '1', location_id: a, warehouse_id: warehouse.id }] })).toEqual(['/lines/0/location_id', '/lines/0/warehouse_id']);
    expect(await refused({ reference, lines: [ok, { item_id: bolt, quantity: '1' }] })).toEqual(['/lines/1/location_id', '/lines/1/warehouse_id']);
    expect(await refused({ reference, lines: [{ item_id: 'itm_01M8RDA4M0BAN7CSRWPDWF0GPZ', quantity: '1', location_id: a }] })).toEqual(['/lines/0/item_id']);
    expect(await refused({ reference, lines: [ok, { item_id: bolt, quantity: '1', location_id: foreign.bins[0].id }] })).toEqual(['/lines/1/location_id']);
    expect(await refused({ reference, lines: [{ item_id: bolt, quantity: '1', warehouse_id: foreign.warehouse.id }] })).toEqual(['/lines/0/warehouse_id']);
    expect(await refused({ reference, lines: [{ ...ok, lot: 'L-1' }] })).toEqual(['/lines/0/lot']);
    expect(await refused({ reference, lines: [ok], expires_at: new Date(Date.now() - 1000).toISOString() })).toEqual(['/expires_at']);
    expect(await refused({ reference, lines: [] })).toEqual(['/lines']);
    expect(await refused({ reference, lines: Array.from({ length: 101 }, () => ok) })).toEqual(['/lines']);
    expect(await refused({ lines: [ok] })).toEqual(['/reference']);
    expect(await refused({ reference, lines: [{ ...ok, quantity: '0' }] })).toEqual(['/lines/0/quantity']);

    // Nothing was reserved; a hundred lines are taken.
    expect(await balances(bolt)).toEqual({ [a]: '100/0' });
    const hundred = await batch({ reference, lines: Array.from({ length: 100 }, () => ok) });
    expect(hundred.status).toBe(201);
    expect(hundred.body.lines).toHaveLength(100);
    expect(await balances(bolt)).toEqual({ [a]: '100/100' });
  });

  it('replays the first answer to a retry with the same Idempotency-Key, reserving once', async () => {
    const { warehouse, bins } = await site(2);
    const [a, b] = bins.map((x) => x.id);
    const bolt = (await item()).id;
    await receive(bolt, a, '3');
    await receive(bolt, b, '2');
    const body = { reference: order(unique('WEB')), lines: [{ item_id: bolt, quantity: '4', warehouse_id: warehouse.id }] };
    const key = `batch-${unique('K')}`;

    const first = await batch(body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const again = await batch(body, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await balances(bolt)).toEqual({ [a]: '3/3', [b]: '2/1' });
    expect(await reservationsOf(body.reference.id)).toHaveLength(2);

    const changed = await batch({ ...body, lines: [{ item_id: bolt, quantity: '1', warehouse_id: warehouse.id }] }, { 'idempotency-key': key });
    expect(changed.status).toBe(422);
    expect(await balances(bolt)).toEqual({ [a]: '3/3', [b]: '2/1' });
  });

  it('releases each reservation of a split line on its own', async () => {
    const { warehouse, bins } = await site(2);
    const [a, b] = bins.map((x) => x.id);
    const bolt = (await item()).id;
    await receive(bolt, a, '6');
    await receive(bolt, b, '4');
    const res = await batch({ reference: order(unique('WEB')), lines: [{ item_id: bolt, quantity: '10', warehouse_id: warehouse.id }] });
    expect(res.status).toBe(201);
    const [first, second] = res.body.lines[0].reservations as Json[];
    expect([first.location_id, second.location_id]).toEqual([a, b]);

    const released = await post(`/reservations/${first.id}/release`, undefined, { 'if-match': `"${first.version}"` });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ id: first.id, status: 'released', remaining: '0' });
    expect(await balances(bolt)).toEqual({ [a]: '6/0', [b]: '4/4' });
    expect((await get(`/reservations/${second.id}`)).body).toMatchObject({ status: 'active', remaining: '4' });

    expect((await post(`/reservations/${second.id}/release`, undefined, { 'if-match': `"${second.version}"` })).status).toBe(200);
    expect(await balances(bolt)).toEqual({ [a]: '6/0', [b]: '4/0' });
    expect((await get('/stock-check', admin.token)).body.drift).toEqual([]);
  });

  it('answers a GET on /reservations/batch with 405, not as a reservation id', async () => {
    const res = await get('/reservations/batch');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
  });
});

const onPostgres = testDbKind() === 'postgres';

(onPostgres ? describe : describe.skip)('batches racing on PostgreSQL', () => {
  let other: Harness;
  beforeAll(async () => {
    other = await Harness.start({}, h.db);
  }, 180_000);
  afterAll(() => other?.stop(), 60_000);

  it('gives the last units to exactly one of two batches racing from two app instances, the balances consistent', async () => {
    for (let round = 0; round < 5; round++) {
      const { warehouse, bins } = await site(2);
      const [a, b] = bins.map((x) => x.id);
      const bolt = (await item()).id;
      const nut = (await item({ name: 'Hex nut M8' })).id;
      await receive(bolt, a, '6');
      await receive(bolt, b, '4');
      await receive(nut, a, '5');
      // Each wants 7 bolts (split over both bins) and 3 nuts, in opposite line order: only one fits.
      const [x, y] = await Promise.all([
        batch({ reference: order(`RACE-${round}-A`), lines: [{ item_id: bolt, quantity: '7', warehouse_id: warehouse.id }, { item_id: nut, quantity: '3', location_id: a }] }, {}, admin.token, h),
        batch({ reference: order(`RACE-${round}-B`), lines: [{ item_id: nut, quantity: '3', warehouse_id: warehouse.id }, { item_id: bolt, quantity: '7', warehouse_id: warehouse.id }] }, {}, admin.token, other),
      ]);
      expect([x.status, y.status].sort()).toEqual([201, 409]);
      const [won, lost] = x.status === 201 ? [x, y] : [y, x];
      expect(lost.body.shortages.length).toBeGreaterThanOrEqual(1);
      expect(lost.body.shortages.map((s: Json) => s.item_id).sort()).toEqual([bolt, nut].sort());
      expect(heldAs(won.body).flat().length).toBe(3);
      expect(await balances(bolt)).toEqual({ [a]: '6/6', [b]: '4/1' });
      expect(await balances(nut)).toEqual({ [a]: '5/3' });
      const loser = x.status === 201 ? `RACE-${round}-B` : `RACE-${round}-A`;
      expect(await reservationsOf(loser)).toEqual([]);
    }
    expect((await get('/stock-check')).body.drift).toEqual([]);
  });
});
