import { Item, type ItemInput, isItemId, SkuTakenError, skuKey } from '../../src/modules/wms/domain/item';
import { ConflictError, InvalidInputError } from '../../src/platform/errors';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const at = (iso: string) => new Date(iso);
const chair: ItemInput = { sku: 'CHAIR-OAK-01', name: 'Oak dining chair', category: 'finished' };

const refusal = (fn: () => unknown): { pointer: string; detail: string }[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return [...err.fields].sort((a, b) => a.pointer.localeCompare(b.pointer));
    throw err;
  }
  throw new Error('expected an InvalidInputError');
};
const pointers = (fn: () => unknown) => refusal(fn).map((f) => f.pointer);

describe('Item', () => {
  it('is created with an itm_ id and the defaults: counted in each, untracked, active, reorder point 0', () => {
    const now = at('2026-12-07T09:00:00.000Z');
    const item = Item.create(TENANT, chair, now);
    expect(isItemId(item.id)).toBe(true);
    expect(item.snapshot).toEqual({
      id: item.id,
      tenantId: TENANT,
      sku: 'CHAIR-OAK-01',
      name: 'Oak dining chair',
      description: null,
      category: 'finished',
      unit: 'ea',
      weightGrams: null,
      lengthMm: null,
      widthMm: null,
      heightMm: null,
      barcode: null,
      supplierEmail: null,
      reorderPoint: 0,
      tracking: 'none',
      isActive: true,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  });

  it('keeps the reorder point in thousandths of its unit', () => {
    expect(Item.create(TENANT, { ...chair, unit: 'kg', reorderPoint: '12.5' }).snapshot.reorderPoint).toBe(12_500);
    expect(Item.create(TENANT, { ...chair, unit: 'l', reorderPoint: '0.001' }).snapshot.reorderPoint).toBe(1);
    expect(Item.create(TENANT, { ...chair, reorderPoint: '20' }).snapshot.reorderPoint).toBe(20_000);
    expect(Item.create(TENANT, { ...chair, reorderPoint: '0' }).snapshot.reorderPoint).toBe(0);
  });

  it('refuses a fractional reorder point for an item counted in each, and a malformed one', () => {
    expect(pointers(() => Item.create(TENANT, { ...chair, reorderPoint: '2.5' }))).toEqual(['/reorder_point']);
    expect(pointers(() => Item.create(TENANT, { ...chair, unit: 'kg', reorderPoint: '1.0005' }))).toEqual(['/reorder_point']);
    expect(pointers(() => Item.create(TENANT, { ...chair, unit: 'kg', reorderPoint: '-1' }))).toEqual(['/reorder_point']);
  });

  it('checks the barcode check digit', () => {
    expect(Item.create(TENANT, { ...chair, barcode: '4006381333931' }).snapshot.barcode).toBe('4006381333931');
    const [problem] = refusal(() => Item.create(TENANT, { ...chair, barcode: '4006381333932' }));
    expect(problem).toEqual({ pointer: '/barcode', detail: expect.stringContaining('check digit') });
  });

  it('tracks serials only of items counted in each, naming the field that broke the rule', () => {
    expect(Item.create(TENANT, { ...chair, tracking: 'serial' }).snapshot.tracking).toBe('serial');
    expect(pointers(() => Item.create(TENANT, { ...chair, unit: 'kg', tracking: 'serial' }))).toEqual(['/tracking']);
    const serial = Item.create(TENANT, { ...chair, tracking: 'serial' });
    expect(pointers(() => serial.change({ unit: 'kg' }, false))).toEqual(['/unit']);
    const kg = Item.create(TENANT, { ...chair, unit: 'kg' });
    expect(pointers(() => kg.change({ tracking: 'serial' }, false))).toEqual(['/tracking']);
    expect(kg.change({ tracking: 'lot' }, false)).toBe(true);
  });

  it('names every broken rule at once', () => {
    expect(pointers(() => Item.create(TENANT, { ...chair, unit: 'm', tracking: 'serial', barcode: '12345678', reorderPoint: 'ten' }))).toEqual(['/barcode', '/reorder_point', '/tracking']);
  });

  it('changes as a merge patch: sent fields replace, null clears, the version moves once per real change', () => {
    const created = at('2026-12-07T09:00:00.000Z');
    const later = at('2026-12-08T15:30:00.000Z');
    const item = Item.create(TENANT, { ...chair, description: 'Oak', weightGrams: 6200, supplierEmail: 'orders@oak.example' }, created);
    expect(item.change({ description: null, weightGrams: 6100, reorderPoint: '35', name: 'Oak chair' }, false, later)).toBe(true);
    expect(item.snapshot).toMatchObject({ description: null, weightGrams: 6100, reorderPoint: 35_000, name: 'Oak chair', supplierEmail: 'orders@oak.example', version: 2, createdAt: created, updatedAt: later });
    expect(item.change({ name: 'Oak chair', reorderPoint: '35.000' }, false)).toBe(false);
    expect(item.version).toBe(2);
  });

  it('refuses to make an item counted in each while its reorder point is a fraction', () => {
    const kg = Item.create(TENANT, { ...chair, unit: 'kg', reorderPoint: '2.5' });
    expect(pointers(() => kg.change({ unit: 'ea' }, false))).toEqual(['/unit']);
    expect(pointers(() => kg.change({ unit: 'ea', reorderPoint: '2.5' }, false))).toEqual(['/reorder_point']);
    expect(kg.change({ unit: 'ea', reorderPoint: '3' }, false)).toBe(true);
    expect(kg.snapshot).toMatchObject({ unit: 'ea', reorderPoint: 3000 });
  });

  it('fixes unit and tracking once the item has had stock (409), and asks only when a patch changes them', () => {
    const item = Item.create(TENANT, { ...chair, unit: 'kg', tracking: 'lot' });
    expect(item.ledgerFieldsChangedBy({ name: 'x', unit: 'kg', tracking: 'lot' })).toEqual([]);
    expect(item.ledgerFieldsChangedBy({ unit: 'l', tracking: 'none' })).toEqual(['unit', 'tracking']);
    expect(() => item.change({ unit: 'l' }, true)).toThrow(ConflictError);
    expect(() => item.change({ tracking: 'none' }, true)).toThrow(/its tracking cannot change/);
    // Other fields still change, and restating the fixed ones is no change.
    expect(item.change({ name: 'Linseed oil', unit: 'kg' }, true)).toBe(true);
    expect(item.snapshot).toMatchObject({ name: 'Linseed oil', unit: 'kg', tracking: 'lot', version: 2 });
    expect(item.change({ unit: 'l' }, false)).toBe(true);
  });

  it('compares SKUs ignoring case, and names the item that has one', () => {
    expect(skuKey('Chair-OAK-01')).toBe(skuKey('chair-oak-01'));
    expect(skuKey('ÄB-1')).toBe(skuKey('äb-1'));
    // NFC: a composed and a decomposed ä are one SKU.
    expect(skuKey('a\u0308')).toBe(skuKey('\u00e4'));
    const taken = new SkuTakenError('AB-1', 'itm_01M8B2D4F6H8K0M2P4R6T8V0X2');
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken.extensions).toEqual({ existing_item_id: 'itm_01M8B2D4F6H8K0M2P4R6T8V0X2' });
    expect(new SkuTakenError('AB-1').extensions).toEqual({});
  });

  it('restores state without a change, and retires by is_active', () => {
    const item = Item.restore(Item.create(TENANT, chair).snapshot);
    expect(item.version).toBe(1);
    expect(item.change({ isActive: false }, false)).toBe(true);
    expect(item.snapshot.isActive).toBe(false);
  });
});
