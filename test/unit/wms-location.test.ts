import { checkParent, isLocationId, Location, LocationCodeTakenError, type TreeNode } from '../../src/modules/wms/domain/location';
import { codeKey, Warehouse, WarehouseCodeTakenError } from '../../src/modules/wms/domain/warehouse';
import { ConflictError, InvalidInputError } from '../../src/platform/errors';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const W1 = 'whs_01M8B0A2C4E6G8J0K2M4P6R8T0';
const W2 = 'whs_01M8B0A2C4E6G8J0K2M4P6R8T1';

const refusal = (fn: () => unknown): { pointer: string; detail: string } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError && err.fields.length === 1) return err.fields[0];
    throw err;
  }
  throw new Error('expected an InvalidInputError');
};

/**
 * A tree of W1:   zone ─ aisle ─ bin
 *                      └ dock
 */
const node = (id: string, parentId: string | null, warehouseId = W1): TreeNode => ({ id, warehouseId, parentId });
const tree: Record<string, TreeNode> = {
  zone: node('zone', null),
  aisle: node('aisle', 'zone'),
  bin: node('bin', 'aisle'),
  dock: node('dock', 'zone'),
  other: node('other', null, W2),
};
/** What the repository's ancestry query returns: the location, then its parent, up to the top. */
const ancestry = (id: string): TreeNode[] => {
  const out: TreeNode[] = [];
  for (let n: TreeNode | undefined = tree[id]; n; n = n.parentId ? tree[n.parentId] : undefined) out.push(n);
  return out;
};

describe('the location tree', () => {
  it('takes a parent of the same warehouse', () => {
    expect(() => checkParent({ warehouseId: W1 }, 'aisle', ancestry('aisle'))).not.toThrow();
    expect(() => checkParent({ id: 'dock', warehouseId: W1 }, 'aisle', ancestry('aisle'))).not.toThrow();
    expect(() => checkParent({ id: 'bin', warehouseId: W1 }, 'zone', ancestry('zone'))).not.toThrow();
  });

  it('refuses an unknown parent, and one of another warehouse, naming parent_id', () => {
    expect(refusal(() => checkParent({ warehouseId: W1 }, 'nowhere', ancestry('nowhere')))).toEqual({ pointer: '/parent_id', detail: expect.stringContaining('is not a location of this tenant') });
    expect(refusal(() => checkParent({ warehouseId: W1 }, 'other', ancestry('other')))).toEqual({ pointer: '/parent_id', detail: expect.stringContaining(`is a location of warehouse ${W2}`) });
  });

  it('refuses a move that would make a cycle: under itself, under a child, under a grandchild', () => {
    expect(refusal(() => checkParent({ id: 'aisle', warehouseId: W1 }, 'aisle', ancestry('aisle'))).detail).toMatch(/its own parent/);
    expect(refusal(() => checkParent({ id: 'aisle', warehouseId: W1 }, 'bin', ancestry('bin'))).detail).toMatch(/would make a cycle/);
    expect(refusal(() => checkParent({ id: 'zone', warehouseId: W1 }, 'bin', ancestry('bin'))).detail).toMatch(/would make a cycle/);
    // A sibling's subtree is fine.
    expect(() => checkParent({ id: 'dock', warehouseId: W1 }, 'bin', ancestry('bin'))).not.toThrow();
  });

  it('creates a location with a loc_ id, active by default, checking its parent', () => {
    const loc = Location.create(TENANT, { warehouseId: W1, parentId: 'aisle', code: 'A-01-03', type: 'storage' }, ancestry('aisle'));
    expect(isLocationId(loc.id)).toBe(true);
    expect(loc.snapshot).toMatchObject({ warehouseId: W1, parentId: 'aisle', code: 'A-01-03', type: 'storage', isActive: true, version: 1 });
    expect(Location.create(TENANT, { warehouseId: W1, code: 'DOCK', type: 'receiving', isActive: false }).snapshot).toMatchObject({ parentId: null, isActive: false });
    expect(refusal(() => Location.create(TENANT, { warehouseId: W1, parentId: 'other', code: 'X', type: 'storage' }, ancestry('other'))).pointer).toBe('/parent_id');
  });

  it('moves in its tree through a patch, and to the top with null', () => {
    const aisle = Location.restore({ ...Location.create(TENANT, { warehouseId: W1, code: 'A', type: 'storage' }).snapshot, id: 'aisle', parentId: 'zone' });
    expect(aisle.movesBy({ parentId: 'zone' })).toBe(false);
    expect(aisle.movesBy({ parentId: 'dock' })).toBe(true);
    expect(refusal(() => aisle.change({ parentId: 'bin' }, { ancestry: ancestry('bin') })).pointer).toBe('/parent_id');
    expect(aisle.version).toBe(1);
    expect(aisle.change({ parentId: 'dock' }, { ancestry: ancestry('dock') }).changed).toBe(true);
    expect(aisle.snapshot).toMatchObject({ parentId: 'dock', version: 2 });
    expect(aisle.change({ parentId: null }).changed).toBe(true);
    expect(aisle.snapshot.parentId).toBeNull();
    expect(aisle.change({ parentId: null, code: 'A' }).changed).toBe(false);
    expect(aisle.version).toBe(3);
  });

  it('cannot be deactivated while it holds stock, and asks only when the patch deactivates it', () => {
    const bin = Location.create(TENANT, { warehouseId: W1, code: 'B', type: 'picking' });
    expect(bin.deactivatesBy({ isActive: true })).toBe(false);
    expect(bin.deactivatesBy({ code: 'B2' })).toBe(false);
    expect(bin.deactivatesBy({ isActive: false })).toBe(true);
    expect(() => bin.change({ isActive: false }, { holdsStock: true })).toThrow(ConflictError);
    expect(bin.change({ isActive: false }, { holdsStock: false }).changed).toBe(true);
    expect(bin.deactivatesBy({ isActive: false })).toBe(false);
    expect(bin.change({ isActive: true }).changed).toBe(true);
  });

  it('is deleted only as a leaf without stock history: deactivate it instead', () => {
    const bin = Location.create(TENANT, { warehouseId: W1, code: 'B', type: 'storage' });
    expect(() => bin.assertDeletable({ hasChildren: true, hasHistory: false })).toThrow(/child locations/);
    expect(() => bin.assertDeletable({ hasChildren: false, hasHistory: true })).toThrow(/deactivate it instead/);
    expect(() => bin.assertDeletable({ hasChildren: false, hasHistory: false })).not.toThrow();
  });

  it('names the location or warehouse that has a taken code, compared ignoring case', () => {
    expect(codeKey('A-01')).toBe(codeKey('a-01'));
    expect(new LocationCodeTakenError(W1, 'A-01', 'loc_01M8B1B3D5F7H9K1M3P5R7T9V1').extensions).toEqual({ existing_location_id: 'loc_01M8B1B3D5F7H9K1M3P5R7T9V1' });
    expect(new WarehouseCodeTakenError('BER-1', W1).extensions).toEqual({ existing_warehouse_id: W1 });
  });
});

describe('warehouses', () => {
  it('replace the address whole on a patch, and keep the version when nothing changes', () => {
    const address = { line1: 'Am Borsigturm 100', line2: null, city: 'Berlin', region: null, postalCode: '13507', country: 'DE' };
    const w = Warehouse.create(TENANT, { code: 'BER-1', name: 'Berlin', address });
    expect(w.change({ address: { ...address } }).changed).toBe(false);
    expect(w.change({ address: { line1: 'Other 1', line2: null, city: null, region: null, postalCode: null, country: 'DE' } }).changed).toBe(true);
    expect(w.snapshot.address).toEqual({ line1: 'Other 1', line2: null, city: null, region: null, postalCode: null, country: 'DE' });
    expect(w.change({ address: null }).changed).toBe(true);
    expect(w.snapshot).toMatchObject({ address: null, version: 3 });
  });

  it('are deleted only without locations', () => {
    const w = Warehouse.create(TENANT, { code: 'BER-1', name: 'Berlin' });
    expect(() => w.assertDeletable(true)).toThrow(ConflictError);
    expect(() => w.assertDeletable(false)).not.toThrow();
  });
});
