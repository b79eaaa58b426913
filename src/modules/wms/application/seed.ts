import { Faker, en } from '@faker-js/faker';
import type { Database } from '../../../platform/db/database';
import { type RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import type { Money } from '../../../platform/money';
import type { SeedOptions, SeedReport, Seeder } from '../../../platform/module';
import { gtinCheckDigit } from '../domain/gtin';
import { Item, type ItemCategory, type ItemInput, type Tracking } from '../domain/item';
import type { LocationType } from '../domain/location';
import { formatQuantity, type Thousandths, type Unit } from '../domain/quantity';
import { type MoveRequest, planMove } from '../domain/stock-move';
import { ItemValuation } from '../domain/valuation';
import type { Address } from '../domain/warehouse';
import { ItemRepository } from '../infrastructure/item.repository';
import { LocationRepository } from '../infrastructure/location.repository';
import { insertReceivedStock, refreshStatistics, seededItems, seededMoveReferences, stockedItems, type StockedItem } from '../infrastructure/seed-rows';
import { WarehouseRepository } from '../infrastructure/warehouse.repository';
import { locationUseCases } from './locations';
import { Posting } from './posting';
import { warehouseUseCases } from './warehouses';

/**
 * The WMS's demo and bench data, made like the CRM's (src/modules/crm/application/seed.ts):
 * faker from fixed seeds and a fixed "today", so every run makes the same records; each is keyed
 * (items by SKU prefix `DEMO-` / `BENCH-`, the warehouse and locations by code, the demo's moves
 * by their reference `DEMO-…`), and a run adds only what the tenant does not have yet. Nothing
 * publishes events: a seed fills a tenant, nobody is waiting for it to happen.
 *
 * - demo: a warehouse with a tree of locations (receiving lanes, three storage zones of bins,
 *   pick faces, shipping lanes), 2,000 items (categories, units, lot and serial tracking, GTINs,
 *   reorder points) and a few months of receipts, put-aways and replenishments of about a third
 *   of them, each posted through the posting engine, as the API posts a move: balances,
 *   valuation and ledger agree, and the stock check finds nothing.
 * - bench: 100,000 items (`items`), a warehouse with two locations, and 10,000 of the items (every
 *   tenth) received at both with 1,000,000 on hand each, written in bulk (what posting those
 *   receipts writes: a move per balance, the balances, the item totals and their value).
 */

const TODAY = new Date('2026-12-01T00:00:00.000Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const CHUNK = 1000;
/**
 * Items made per transaction (the repository splits them into multi-row INSERTs): fewer commits,
 * each a WAL append and sync on SQLite. Measured on SQLite (100,000 items, a busy machine):
 * 10.8 s at ten thousand a transaction, 16.3 s at a thousand.
 */
const ITEM_CHUNK = 10_000;
/** Moves posted per transaction by the demo seed. */
const MOVE_CHUNK = 250;
export const DEMO_ITEMS = 2000;
export const BENCH_ITEMS = 100_000;
/** Items of the bench tenant stocked at both of its locations (all of them when there are fewer). */
export const BENCH_STOCKED = 10_000;
/** On hand of each bench balance: 1,000,000 units. */
export const BENCH_ON_HAND: Thousandths = 1_000_000 * 1000;
/** Who posted the seeded moves (`posted_by`). */
const SEED_ACTOR = 'cli_00000000000000000000000000';

const DEMO_WAREHOUSE: { code: string; name: string; address: Address } = {
  code: 'DEMO-BER',
  name: 'Berlin distribution centre',
  address: { line1: 'Lahnstraße 30', line2: null, city: 'Berlin', region: null, postalCode: '12057', country: 'DE' },
};
export const BENCH_WAREHOUSE = { code: 'BENCH', name: 'Bench warehouse' };
/** The bench tenant's two locations: the transfer scenario moves stock between them. */
export const BENCH_LOCATIONS = ['BENCH-A', 'BENCH-B'];

interface PlannedLocation {
  code: string;
  type: LocationType;
  parent?: string;
}

/** The demo warehouse's tree, parents before their children. */
function demoLocations(): PlannedLocation[] {
  const out: PlannedLocation[] = [{ code: 'RCV', type: 'receiving' }];
  for (const lane of ['RCV-01', 'RCV-02']) out.push({ code: lane, type: 'receiving', parent: 'RCV' });
  for (const zone of STORAGE_ZONES) {
    out.push({ code: zone, type: 'storage' });
    for (let aisle = 1; aisle <= 4; aisle++) for (let level = 1; level <= 5; level++) out.push({ code: bin(zone, aisle, level), type: 'storage', parent: zone });
  }
  out.push({ code: 'PICK', type: 'picking' });
  for (let face = 1; face <= PICK_FACES; face++) out.push({ code: pickFace(face), type: 'picking', parent: 'PICK' });
  out.push({ code: 'SHIP', type: 'shipping' });
  for (const lane of ['SHIP-01', 'SHIP-02']) out.push({ code: lane, type: 'shipping', parent: 'SHIP' });
  return out;
}
/** A: bulk racking (raw material, packaging), B: shelving (components, finished goods), C: small parts and consumables. */
const STORAGE_ZONES = ['A', 'B', 'C'];
const ZONE_OF: Record<ItemCategory, string> = { raw: 'A', packaging: 'A', component: 'B', finished: 'B', consumable: 'C' };
const PICK_FACES = 12;
const bin = (zone: string, aisle: number, level: number) => `${zone}-${String(aisle).padStart(2, '0')}-${level}`;
const pickFace = (face: number) => `PICK-${String(face).padStart(2, '0')}`;

/** What an item of a category is called, counted in, and what one unit costs (minor units of EUR). */
interface Kind {
  name: (f: Faker) => string;
  unit: Unit;
  cost: [number, number];
}
const mm = (f: Faker, max: number) => `${f.number.int({ min: 1, max })} mm`;
const KINDS: Record<ItemCategory, Kind[]> = {
  raw: [
    { name: (f) => `Steel sheet ${mm(f, 12)}`, unit: 'kg', cost: [90, 400] },
    { name: (f) => `Aluminium bar Ø ${mm(f, 80)}`, unit: 'kg', cost: [250, 900] },
    { name: (f) => `Copper wire ${f.helpers.arrayElement(['1.5', '2.5', '4', '6'])} mm²`, unit: 'm', cost: [40, 300] },
    { name: (f) => `Oak board ${f.number.int({ min: 18, max: 40 })} × ${f.number.int({ min: 100, max: 300 })} mm`, unit: 'm', cost: [800, 4000] },
    { name: (f) => `PVC granulate ${f.color.human()}`, unit: 'kg', cost: [120, 350] },
    { name: (f) => `Cotton fabric ${f.color.human()}`, unit: 'm', cost: [300, 1500] },
    { name: (f) => `Epoxy resin ${f.helpers.arrayElement(['clear', 'fast cure', 'high temperature'])}`, unit: 'l', cost: [1500, 6000] },
    { name: (f) => `Float glass pane ${f.number.int({ min: 3, max: 10 })} mm`, unit: 'ea', cost: [900, 9000] },
  ],
  component: [
    { name: (f) => `Ball bearing 62${f.number.int({ min: 0, max: 12 }).toString().padStart(2, '0')}`, unit: 'ea', cost: [150, 2500] },
    { name: (f) => `Hex bolt M${f.helpers.arrayElement([6, 8, 10, 12])} × ${f.helpers.arrayElement([20, 30, 40, 60, 80])}, ${f.helpers.arrayElement(['zinc plated', 'stainless A2', 'grade 8.8'])}`, unit: 'ea', cost: [5, 90] },
    { name: (f) => `${f.commerce.productMaterial()} hinge ${f.number.int({ min: 40, max: 120 })} mm`, unit: 'ea', cost: [120, 1800] },
    { name: (f) => `Gasket ${f.helpers.arrayElement(['EPDM', 'NBR', 'silicone', 'PTFE'])} DN${f.helpers.arrayElement([15, 20, 25, 32, 50])}`, unit: 'ea', cost: [30, 600] },
    { name: (f) => `DC motor ${f.helpers.arrayElement([12, 24, 48])} V ${f.number.int({ min: 20, max: 400 })} W`, unit: 'ea', cost: [2500, 25000] },
    { name: (f) => `Ball valve DN${f.helpers.arrayElement([15, 20, 25, 32, 50])} ${f.helpers.arrayElement(['brass', 'stainless'])}`, unit: 'ea', cost: [900, 9000] },
    { name: (f) => `Circuit board rev. ${f.string.alpha({ length: 1, casing: 'upper' })}${f.number.int({ min: 1, max: 9 })}`, unit: 'ea', cost: [1500, 20000] },
    { name: (f) => `Caster wheel ${f.number.int({ min: 50, max: 200 })} mm, ${f.helpers.arrayElement(['braked', 'swivel', 'fixed'])}`, unit: 'ea', cost: [300, 3000] },
  ],
  finished: [{ name: (f) => f.commerce.productName(), unit: 'ea', cost: [1000, 60000] }],
  packaging: [
    { name: (f) => `Shipping carton ${f.number.int({ min: 20, max: 80 })} × ${f.number.int({ min: 15, max: 60 })} × ${f.number.int({ min: 10, max: 50 })} cm`, unit: 'ea', cost: [40, 400] },
    { name: (f) => `Stretch film ${f.helpers.arrayElement([17, 20, 23])} µm`, unit: 'm', cost: [2, 10] },
    { name: (f) => `Packing tape ${f.helpers.arrayElement([38, 50, 75])} mm ${f.helpers.arrayElement(['brown', 'clear', 'printed'])}`, unit: 'm', cost: [1, 6] },
    { name: () => 'Bubble wrap 1.2 m wide', unit: 'm', cost: [20, 80] },
    { name: () => 'Euro pallet 1200 × 800', unit: 'ea', cost: [900, 1600] },
    { name: () => 'Void fill paper', unit: 'kg', cost: [150, 400] },
  ],
  consumable: [
    { name: () => 'Isopropyl alcohol 99.9 %', unit: 'l', cost: [300, 900] },
    { name: (f) => `Machine oil ISO VG ${f.helpers.arrayElement([32, 46, 68, 100])}`, unit: 'l', cost: [400, 1500] },
    { name: (f) => `Nitrile gloves size ${f.helpers.arrayElement(['S', 'M', 'L', 'XL'])}, box of 100`, unit: 'ea', cost: [600, 1500] },
    { name: () => 'Cleaning cloths, pack of 50', unit: 'ea', cost: [300, 900] },
    { name: (f) => `Welding wire ${f.helpers.arrayElement(['0.8', '1.0', '1.2'])} mm`, unit: 'kg', cost: [500, 1800] },
    { name: (f) => `Cutting fluid ${f.helpers.arrayElement(['semi-synthetic', 'mineral'])}`, unit: 'l', cost: [400, 1200] },
  ],
};
const CATEGORY_CODE: Record<ItemCategory, string> = { raw: 'RAW', component: 'CMP', finished: 'FIN', packaging: 'PKG', consumable: 'CON' };

function fakerFor(seed: number): Faker {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  faker.setDefaultRefDate(TODAY);
  return faker;
}

/** A GTIN of `length` digits (GTIN-13 with a German prefix, GTIN-12, GTIN-8) with its check digit. */
function fakeGtin(f: Faker, length: 8 | 12 | 13): string {
  const body = length === 13 ? `4${f.string.numeric({ length: 11 })}` : f.string.numeric({ length: length - 1, allowLeadingZeros: length === 8 });
  return `${body}${gtinCheckDigit(body)}`;
}

/** A quantity of `unit` between min and max: whole for `ea`, else with one decimal. */
function fakeQuantity(f: Faker, unit: Unit, min: number, max: number): Thousandths {
  return unit === 'ea' ? f.number.int({ min, max }) * 1000 : f.number.int({ min: min * 10, max: max * 10 }) * 100;
}

interface FakeItem {
  input: ItemInput;
  createdAt: Date;
  unitCost: Money;
}

/**
 * Item `i` (0-based) of a seed: deterministic for (faker, i). `plain`: no lot or serial tracking
 * and active (the bench's stocked items, which transfers move without naming lots or serials).
 */
function fakeItem(f: Faker, i: number, sku: (category: ItemCategory) => string, suppliers: readonly string[], plain: boolean): FakeItem {
  const category = f.helpers.weightedArrayElement<ItemCategory>([
    { weight: 2, value: 'raw' },
    { weight: 3, value: 'component' },
    { weight: 3, value: 'finished' },
    { weight: 1, value: 'packaging' },
    { weight: 1, value: 'consumable' },
  ]);
  const kind = f.helpers.arrayElement(KINDS[category]);
  const counted = kind.unit === 'ea';
  let tracking: Tracking = 'none';
  if ((category === 'raw' || category === 'consumable') && f.datatype.boolean(0.3)) tracking = 'lot';
  else if ((category === 'finished' || category === 'component') && kind.unit === 'ea' && f.datatype.boolean(0.04)) tracking = 'serial';
  const reorder = f.datatype.boolean(0.3) ? 0 : fakeQuantity(f, kind.unit, 5, 200);
  const input: ItemInput = {
    sku: sku(category),
    name: kind.name(f).slice(0, 200),
    description: f.datatype.boolean(0.5) ? f.commerce.productDescription() : null,
    category,
    unit: kind.unit,
    weightGrams: counted ? f.number.int({ min: 5, max: 25_000 }) : null,
    lengthMm: counted ? f.number.int({ min: 10, max: 1200 }) : null,
    widthMm: counted ? f.number.int({ min: 10, max: 800 }) : null,
    heightMm: counted ? f.number.int({ min: 2, max: 600 }) : null,
    barcode: f.datatype.boolean(0.8) ? fakeGtin(f, f.helpers.weightedArrayElement<8 | 12 | 13>([{ weight: 16, value: 13 }, { weight: 3, value: 12 }, { weight: 1, value: 8 }])) : null,
    supplierEmail: f.datatype.boolean(0.85) ? f.helpers.arrayElement(suppliers) : null,
    reorderPoint: formatQuantity(reorder),
    tracking: plain ? 'none' : tracking,
    isActive: f.datatype.boolean(0.97) || plain,
  };
  const unitCost = { amount: f.number.int({ min: kind.cost[0], max: kind.cost[1] }), currency: 'EUR' };
  return { input, createdAt: f.date.past({ years: 2 }), unitCost };
}

/** The suppliers items are ordered from: a few dozen, shared by many items. */
function fakeSuppliers(f: Faker, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const slug = f.company.name().toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'supplier';
    return `${f.helpers.arrayElement(['orders', 'sales', 'purchasing', 'service'])}@${slug}-${i + 1}.example`;
  });
}

/** One move of the demo's history, keyed by its reference id (`DEMO-PO-00012-3`, `DEMO-PA-000017`, …). */
interface DemoMove {
  at: Date;
  sku: string;
  request: Omit<MoveRequest, 'itemId' | 'fromLocationId' | 'toLocationId'> & { reference: { type: string; id: string }; from?: string; to?: string };
}

/**
 * The demo's stock history, deterministic for (faker, items): about a third of the active items
 * received (a few twice, at another price), each receipt put away into a bin of the item's
 * zone, and some replenished from their bin to a pick face; oldest first.
 */
function demoMoves(f: Faker, items: readonly FakeItem[]): DemoMove[] {
  const moves: DemoMove[] = [];
  let receipts = 0;
  let tasks = 0;
  const line = () => {
    const n = receipts++;
    return `DEMO-PO-${String(Math.floor(n / 5) + 1).padStart(5, '0')}-${(n % 5) + 1}`;
  };
  const task = (kind: 'PA' | 'RP') => `DEMO-${kind}-${String(++tasks).padStart(6, '0')}`;
  items.forEach(({ input, unitCost }, i) => {
    // Drawn for every item, so each item's history is the same whichever items are stocked.
    const stocked = f.datatype.boolean(0.35);
    const t0 = f.date.between({ from: TODAY.getTime() - 120 * DAY, to: TODAY.getTime() - 45 * DAY }).getTime();
    const hours = f.number.int({ min: 1, max: 8 });
    const unit = input.unit ?? 'ea';
    const serial = input.tracking === 'serial';
    const quantity = serial ? f.number.int({ min: 1, max: 4 }) * 1000 : fakeQuantity(f, unit, 10, 400);
    const lot = input.tracking === 'lot' ? `L${f.string.numeric(4)}-${f.string.alphanumeric({ length: 3, casing: 'upper' })}` : undefined;
    const serials = serial ? Array.from({ length: quantity / 1000 }, (_, k) => `SN${String(i + 1).padStart(5, '0')}-${k + 1}`) : undefined;
    const zone = ZONE_OF[input.category];
    const home = bin(zone, f.number.int({ min: 1, max: 4 }), f.number.int({ min: 1, max: 5 }));
    const lane = f.helpers.arrayElement(['RCV-01', 'RCV-02']);
    const replenish = !serial && f.datatype.boolean(0.35);
    const share = f.number.int({ min: 10, max: 40 });
    const face = pickFace(f.number.int({ min: 1, max: PICK_FACES }));
    const replenishAt = t0 + f.number.int({ min: 1, max: 20 }) * DAY + f.number.int({ min: 0, max: 8 }) * HOUR;
    const again = !serial && f.datatype.boolean(0.15);
    const againAt = t0 + f.number.int({ min: 5, max: 40 }) * DAY;
    const againQuantity = fakeQuantity(f, unit, 10, 400);
    const againCost = { amount: Math.max(1, Math.round(unitCost.amount * f.number.float({ min: 0.85, max: 1.2 }))), currency: unitCost.currency };
    const againLot = lot === undefined ? undefined : `L${f.string.numeric(4)}-${f.string.alphanumeric({ length: 3, casing: 'upper' })}`;
    if (!stocked || input.isActive === false) return;

    const q = formatQuantity;
    moves.push({ at: new Date(t0), sku: input.sku, request: { type: 'receipt', quantity: q(quantity), to: lane, unitCost, lot, serials, reference: { type: 'purchase_order', id: line() } } });
    moves.push({ at: new Date(t0 + hours * HOUR), sku: input.sku, request: { type: 'transfer', quantity: q(quantity), from: lane, to: home, lot, serials, reference: { type: 'putaway_task', id: task('PA') } } });
    if (replenish) {
      const part = unit === 'ea' ? Math.max(1, Math.floor(((quantity / 1000) * share) / 100)) * 1000 : Math.max(100, Math.floor((quantity * share) / 100 / 100) * 100);
      moves.push({ at: new Date(replenishAt), sku: input.sku, request: { type: 'transfer', quantity: q(part), from: home, to: face, lot, reference: { type: 'replenishment', id: task('RP') } } });
    }
    if (again) {
      moves.push({ at: new Date(againAt), sku: input.sku, request: { type: 'receipt', quantity: q(againQuantity), to: lane, unitCost: againCost, lot: againLot, reference: { type: 'purchase_order', id: line() } } });
      moves.push({ at: new Date(againAt + hours * HOUR), sku: input.sku, request: { type: 'transfer', quantity: q(againQuantity), from: lane, to: home, lot: againLot, reference: { type: 'putaway_task', id: task('PA') } } });
    }
  });
  // Oldest first (stable: one item's moves keep their order, each later than the one before).
  return moves.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export function wmsSeeder(db: Database, runInUnitOfWork: RunInUnitOfWork): Seeder {
  const warehouses = warehouseUseCases({ db, runInUnitOfWork });
  const locations = locationUseCases({ db, runInUnitOfWork });

  /** The warehouse and its locations by code (made where missing, parents first); what was added. */
  async function seedWarehouse(
    tenantId: string,
    warehouse: { code: string; name: string; address?: Address },
    plan: readonly PlannedLocation[],
  ): Promise<{ warehouseId: string; locationIds: Map<string, string>; added: { warehouses: number; locations: number } }> {
    const added = { warehouses: 0, locations: 0 };
    let warehouseId = await new WarehouseRepository(db, tenantId).idByCode(warehouse.code);
    if (!warehouseId) {
      warehouseId = (await warehouses.create(tenantId, warehouse)).id;
      added.warehouses += 1;
    }
    const repo = new LocationRepository(db, tenantId);
    const locationIds = new Map<string, string>();
    for (const l of plan) {
      let id = await repo.idByCode(warehouseId, l.code);
      if (!id) {
        id = (await locations.create(tenantId, { warehouseId, code: l.code, type: l.type, parentId: l.parent ? locationIds.get(l.parent) : null })).id;
        added.locations += 1;
      }
      locationIds.set(l.code, id);
    }
    return { warehouseId, locationIds, added };
  }

  /** Items `make(i)` for i < count, those whose SKU the tenant lacks, in bulk; what was added. */
  async function seedItems(tenantId: string, count: number, skuPrefix: string, make: (i: number) => FakeItem, options: SeedOptions): Promise<number> {
    const have = await seededItems(db, tenantId, skuPrefix);
    const bar = options.progress('items', count);
    let added = 0;
    for (let start = 0; start < count; start += ITEM_CHUNK) {
      const items: Item[] = [];
      for (let i = start; i < Math.min(start + ITEM_CHUNK, count); i++) {
        // Made even when present, so that every later item comes out the same.
        const { input, createdAt } = make(i);
        if (!have.has(input.sku)) items.push(Item.create(tenantId, input, createdAt));
      }
      if (items.length) await runInUnitOfWork(tenantId, (uow) => ItemRepository.in(uow).bulkAdd(items));
      added += items.length;
      bar.tick(Math.min(ITEM_CHUNK, count - start));
    }
    bar.done();
    return added;
  }

  async function seedDemo(tenantId: string, options: SeedOptions): Promise<SeedReport> {
    const { locationIds, added } = await seedWarehouse(tenantId, DEMO_WAREHOUSE, demoLocations());
    const count = options.items ?? DEMO_ITEMS;
    const itemFaker = fakerFor(11);
    const suppliers = fakeSuppliers(itemFaker, 40);
    const made = Array.from({ length: count }, (_, i) => fakeItem(itemFaker, i, (c) => `DEMO-${CATEGORY_CODE[c]}-${String(i + 1).padStart(5, '0')}`, suppliers, false));
    const items = await seedItems(tenantId, count, 'DEMO-', (i) => made[i], options);
    if (items) await refreshStatistics(db, ['wms_items']);
    const stockMoves = await postDemoMoves(tenantId, demoMoves(fakerFor(12), made), locationIds, options);
    return { warehouses: added.warehouses, locations: added.locations, items, stock_moves: stockMoves };
  }

  /**
   * Posts the demo's moves not posted yet, each as the API posts one (planned by the domain,
   * applied by the posting engine at its own time in the past), a few hundred per transaction.
   * The events they record go nowhere: the unit of work they are recorded in is not the one
   * whose events reach the outbox.
   */
  async function postDemoMoves(tenantId: string, moves: readonly DemoMove[], locationIds: ReadonlyMap<string, string>, options: SeedOptions): Promise<number> {
    const posted = await seededMoveReferences(db, tenantId, 'DEMO-');
    const itemIds = await seededItems(db, tenantId, 'DEMO-');
    const todo = moves.filter((m) => !posted.has(m.request.reference.id) && itemIds.has(m.sku));
    const bar = options.progress('stock moves', moves.length);
    bar.tick(moves.length - todo.length);
    for (let start = 0; start < todo.length; start += MOVE_CHUNK) {
      const chunk = todo.slice(start, start + MOVE_CHUNK);
      await runInUnitOfWork(tenantId, async (uow) => {
        const quiet = new UnitOfWork(uow.db, uow.transaction, tenantId);
        for (const { at, sku, request } of chunk) {
          const { from, to, ...rest } = request;
          const move: MoveRequest = { ...rest, itemId: itemIds.get(sku)!, fromLocationId: from && locationIds.get(from), toLocationId: to && locationIds.get(to) };
          // As moves.post posts one (application/moves.ts), at the move's own time.
          const posting = new Posting(quiet, at);
          const item = (await posting.stock.items([move.itemId], move.type === 'receipt' || move.type === 'adjustment')).get(move.itemId);
          const places = await posting.stock.locations([move.fromLocationId, move.toLocationId]);
          await posting.post(planMove(tenantId, move, item, places, SEED_ACTOR, at), item!);
          await posting.finish();
        }
      });
      bar.tick(chunk.length);
    }
    if (todo.length) await refreshStatistics(db, ['wms_stock_moves', 'wms_balances', 'wms_item_stock']);
    bar.done();
    return todo.length;
  }

  async function seedBench(tenantId: string, options: SeedOptions): Promise<SeedReport> {
    const { warehouseId, locationIds, added } = await seedWarehouse(tenantId, BENCH_WAREHOUSE, BENCH_LOCATIONS.map((code) => ({ code, type: 'storage' as const })));
    const count = options.items ?? BENCH_ITEMS;
    const stockedCount = Math.min(BENCH_STOCKED, count);
    const step = Math.max(1, Math.floor(count / Math.max(stockedCount, 1)));
    const isStocked = (i: number) => i % step === 0 && i / step < stockedCount;
    const faker = fakerFor(21);
    const suppliers = fakeSuppliers(faker, 200);
    const sku = (i: number) => `BENCH-${String(i + 1).padStart(7, '0')}`;
    const costs = new Map<string, Money>();
    const items = await seedItems(
      tenantId,
      count,
      'BENCH-',
      (i) => {
        const made = fakeItem(faker, i, () => sku(i), suppliers, isStocked(i));
        if (isStocked(i)) costs.set(made.input.sku, made.unitCost);
        return made;
      },
      options,
    );

    // The stock: items stocked already (a run stopped half-way) are left as they are.
    const ids = await seededItems(db, tenantId, 'BENCH-');
    const done = await stockedItems(db, tenantId);
    const todo: StockedItem[] = [];
    for (const [s, unitCost] of costs) {
      const itemId = ids.get(s);
      if (itemId && !done.has(itemId)) todo.push({ itemId, unitCost, cost: ItemValuation.costOf(BENCH_ON_HAND, unitCost) });
    }
    const places = BENCH_LOCATIONS.map((code) => ({ id: locationIds.get(code)!, warehouseId }));
    const bar = options.progress('stocked items', todo.length);
    let moves = 0;
    const perChunk = Math.floor(CHUNK / places.length);
    for (let start = 0; start < todo.length; start += perChunk) {
      const chunk = todo.slice(start, start + perChunk);
      moves += await runInUnitOfWork(tenantId, (uow) => insertReceivedStock(db, uow.transaction, tenantId, chunk, places, BENCH_ON_HAND, SEED_ACTOR, TODAY));
      bar.tick(chunk.length);
    }
    bar.done();
    if (items || moves) await refreshStatistics(db, ['wms_items', 'wms_stock_moves', 'wms_balances', 'wms_item_stock']);
    return { warehouses: added.warehouses, locations: added.locations, items, stock_moves: moves };
  }

  return (tenantId, options) => (options.profile === 'bench' ? seedBench(tenantId, options) : seedDemo(tenantId, options));
}
