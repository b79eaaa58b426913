/**
 * What the WMS scenarios share: the bench tenant's items and stock (made once per run by the
 * modules' bench seed: BENCH_ITEMS items, default 100,000, every tenth stocked with 1,000,000 at
 * both of the two locations), what the scenarios pick their requests from (read once through
 * the API), the SQL's columns and the baseline's mapping of a row to the contract's Item.
 */
import type { BenchContext, RawDb } from '../scenario';
import { benchSeed } from './bench-seed';

export const ITEMS = '/v1/wms/items';
export const STOCK_MOVES = '/v1/wms/stock-moves';
export const PAGE = 50;
/** The bench seed's two locations (src/modules/wms/application/seed.ts). */
const LOCATION_CODES = ['BENCH-A', 'BENCH-B'];
export const ITEM_COLUMNS =
  'id, tenant_id, sku, sku_key, name, name_key, description, category, unit, weight_grams, length_mm, width_mm, height_mm, barcode, supplier_email, reorder_point, tracking, is_active, version, created_at, updated_at';

export interface WmsBench {
  /** Every tenth item of the tenant, in SKU order: what get-item reads. */
  itemIds: string[];
  /** The item list's cursors (sort by SKU) after every 200th item: where list-items starts its pages. */
  cursors: string[];
  /** The items stocked at both locations: what transfer moves. */
  stockedIds: string[];
  /** The two locations, by code. */
  locations: [string, string];
}

type Page<T> = { data: T[]; next_cursor: string | null };

async function pages<T>(ctx: BenchContext, path: string, each: (page: Page<T>) => void): Promise<void> {
  let cursor: string | null = null;
  do {
    const res: Response = await ctx.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as Page<T>;
    each(page);
    cursor = page.next_cursor;
  } while (cursor);
}

/** The seeded items and stock, and what the scenarios pick from: read once per run through the API. */
export function benchItems(ctx: BenchContext): Promise<WmsBench> {
  return ctx.once('wms-items', async () => {
    await benchSeed(ctx);
    const itemIds: string[] = [];
    const cursors: string[] = [];
    let n = 0;
    await pages<{ id: string }>(ctx, ITEMS, (page) => {
      for (const item of page.data) if (n++ % 10 === 0) itemIds.push(item.id);
      if (page.next_cursor) cursors.push(page.next_cursor);
    });
    const locations: string[] = [];
    for (const code of LOCATION_CODES) {
      const res = await ctx.api('GET', `/v1/wms/locations?code=${code}`);
      const found = ((await res.json()) as Page<{ id: string }>).data[0];
      if (!found) throw new Error(`the bench seed made no location ${code}`);
      locations.push(found.id);
    }
    const stockedIds: string[] = [];
    await pages<{ item_id: string; on_hand: string }>(ctx, `/v1/wms/balances?location_id=${locations[0]}`, (page) => {
      for (const b of page.data) if (Number(b.on_hand) >= 100_000) stockedIds.push(b.item_id);
    });
    if (!stockedIds.length || cursors.length < 2) throw new Error(`the bench tenant has ${n} items and ${stockedIds.length} stocked: too few for the WMS scenarios`);
    return { itemIds, cursors, stockedIds, locations: locations as [string, string] };
  });
}

/** A seeded pseudo-random sequence in [0, 1) (mulberry32): both servers get the same requests in the same order. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ItemRow {
  id: string;
  sku: string;
  sku_key: string;
  name: string;
  description: string | null;
  category: string;
  unit: string;
  weight_grams: number | null;
  length_mm: number | null;
  width_mm: number | null;
  height_mm: number | null;
  barcode: string | null;
  supplier_email: string | null;
  reorder_point: number | string;
  tracking: string;
  is_active: boolean | number;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

export const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

/** Thousandths as the contract's decimal string (src/modules/wms/domain/quantity.ts). */
export function formatQuantity(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.floor(abs / 1000);
  const fraction = abs % 1000;
  return fraction === 0 ? `${sign}${whole}` : `${sign}${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}

/** A decimal string (at most 3 decimals, checked by neither server here) in thousandths. */
export function parseQuantity(text: string): number {
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
}

/** The contract's Item, mapped exactly as the app maps it. */
export function itemJson(r: ItemRow) {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    description: r.description,
    category: r.category,
    unit: r.unit,
    weight_grams: r.weight_grams,
    length_mm: r.length_mm,
    width_mm: r.width_mm,
    height_mm: r.height_mm,
    barcode: r.barcode,
    supplier_email: r.supplier_email,
    reorder_point: formatQuantity(Number(r.reorder_point)),
    tracking: r.tracking,
    is_active: r.is_active === true || r.is_active === 1,
    version: Number(r.version),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/**
 * The app's guarded balance change (src/modules/wms/infrastructure/stock.repository.ts,
 * applyChange): on hand and reserved moved by $1 and $2, refused (no row) when it would leave
 * less on hand than reserved or a negative reservation.
 */
export const BALANCE_CHANGE = `UPDATE wms_balances SET on_hand = on_hand + $1, reserved = reserved + $2, updated_at = $3
  WHERE tenant_id = $4 AND item_id = $5 AND location_id = $6 AND lot = $7
    AND on_hand + $1 >= reserved + $2 AND reserved + $2 >= 0
  RETURNING on_hand, reserved`;

/** A time as the app binds it: a Date for pg, Sequelize's stored text on SQLite (src/platform/db/database.ts). */
/**
 * `next_attempt_at` of the baseline's outbox rows: a hundred years ahead, so that no dispatcher
 * (the full stack's runs on the same database) ever delivers them, and the parent's wait for the
 * full stack's backlog (outbox.ts) does not count them. The row is written all the same: its
 * INSERT is part of the work the baseline must match.
 */
export const NEVER_DUE = (now: Date): Date => new Date(now.getTime() + 100 * 365.25 * 24 * 3600 * 1000);
export const timeParam = (db: RawDb, d: Date): Date | string => (db.kind === 'postgres' ? d : d.toISOString().replace('T', ' ').replace('Z', ' +00:00'));
/** A boolean as the app binds it: 1/0 on SQLite. */
export const boolParam = (db: RawDb, b: boolean): boolean | number => (db.kind === 'postgres' ? b : b ? 1 : 0);

/** The request body, read whole (the raw server resumes requests it does not read). */
export function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}
