import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * WMS catalog: items, warehouses and their locations.
 *
 * Every documented filter and sort of the three lists has an index starting with tenant_id
 * and ending with id (the declarations are in src/modules/wms/infrastructure/
 * {item,warehouse,location}.repository.ts). The keys compared ignoring case (`sku_key`,
 * `code_key`: the value folded like searchText()) are unique per tenant (a location's code per
 * warehouse), so two requests racing for one cannot both win; a unique index does not give the
 * `(key, id)` order a page needs, so the keys sorted by also have a plain one. The folded
 * columns compare byte by byte on PostgreSQL (COLLATE "C"), as SQLite does, so a sort pages
 * alike on both whatever the server's locale. On PostgreSQL `search` (SKU and name, folded) has
 * a pg_trgm GIN index for `q` (the extension comes from the CRM's accounts migration); SQLite
 * scans the tenant's rows for it.
 *
 * The stock tables (20261207110000-wms-stock.ts) name items and locations by id; the catalog
 * refuses to delete a location they name and to change the unit or tracking of an item they
 * hold.
 */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const json = postgres ? DataTypes.JSONB : DataTypes.TEXT;
  await sequelize.transaction(async (transaction) => {
    const bytewise = async (table: string, column: string, length: number) => {
      if (postgres) await sequelize.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE varchar(${length}) COLLATE "C"`, { transaction });
    };
    const tenant = { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } };

    await qi.createTable(
      'wms_items',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: tenant,
        sku: { type: DataTypes.STRING(64), allowNull: false },
        /** The SKU folded (skuKey()): unique per tenant, the `sku` filter and sort. */
        sku_key: { type: DataTypes.STRING(256), allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        /** The name folded by searchText(): the `name` sort. */
        name_key: { type: DataTypes.STRING(400), allowNull: false },
        description: { type: DataTypes.STRING(2000), allowNull: true },
        category: { type: DataTypes.STRING(12), allowNull: false },
        unit: { type: DataTypes.STRING(4), allowNull: false },
        weight_grams: { type: DataTypes.INTEGER, allowNull: true },
        length_mm: { type: DataTypes.INTEGER, allowNull: true },
        width_mm: { type: DataTypes.INTEGER, allowNull: true },
        height_mm: { type: DataTypes.INTEGER, allowNull: true },
        barcode: { type: DataTypes.STRING(14), allowNull: true },
        supplier_email: { type: DataTypes.STRING(254), allowNull: true },
        /** Thousandths of the unit. */
        reorder_point: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        tracking: { type: DataTypes.STRING(8), allowNull: false },
        is_active: { type: DataTypes.BOOLEAN, allowNull: false },
        /** SKU and name folded, on lines of their own, for `q`. */
        search: { type: DataTypes.TEXT, allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await bytewise('wms_items', 'sku_key', 256);
    await bytewise('wms_items', 'name_key', 400);
    const items = (fields: string[], name: string, unique = false) => qi.addIndex('wms_items', fields, { name, unique, transaction });
    await items(['tenant_id', 'sku_key'], 'wms_items_tenant_sku_key', true);
    await items(['tenant_id', 'sku_key', 'id'], 'wms_items_tenant_sku');
    await items(['tenant_id', 'name_key', 'id'], 'wms_items_tenant_name');
    await items(['tenant_id', 'created_at', 'id'], 'wms_items_tenant_created');
    await items(['tenant_id', 'updated_at', 'id'], 'wms_items_tenant_updated');
    await items(['tenant_id', 'category', 'sku_key', 'id'], 'wms_items_tenant_category_sku');
    await items(['tenant_id', 'tracking', 'sku_key', 'id'], 'wms_items_tenant_tracking_sku');
    await items(['tenant_id', 'is_active', 'sku_key', 'id'], 'wms_items_tenant_active_sku');
    await items(['tenant_id', 'barcode', 'id'], 'wms_items_tenant_barcode');
    if (postgres) await sequelize.query('CREATE INDEX wms_items_search ON wms_items USING gin (search gin_trgm_ops)', { transaction });

    await qi.createTable(
      'wms_warehouses',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: tenant,
        code: { type: DataTypes.STRING(32), allowNull: false },
        /** The code folded: unique per tenant, the `code` filter and sort. */
        code_key: { type: DataTypes.STRING(128), allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        name_key: { type: DataTypes.STRING(400), allowNull: false },
        address: { type: json, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await bytewise('wms_warehouses', 'code_key', 128);
    await bytewise('wms_warehouses', 'name_key', 400);
    const warehouses = (fields: string[], name: string, unique = false) => qi.addIndex('wms_warehouses', fields, { name, unique, transaction });
    await warehouses(['tenant_id', 'code_key'], 'wms_warehouses_tenant_code_key', true);
    await warehouses(['tenant_id', 'code_key', 'id'], 'wms_warehouses_tenant_code');
    await warehouses(['tenant_id', 'name_key', 'id'], 'wms_warehouses_tenant_name');
    await warehouses(['tenant_id', 'created_at', 'id'], 'wms_warehouses_tenant_created');

    await qi.createTable(
      'wms_locations',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: tenant,
        /** A warehouse of the same tenant; never changes (a warehouse is deleted only without locations). */
        warehouse_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'wms_warehouses', key: 'id' } },
        /** A location of the same warehouse; NULL at the top (deleted only without children). */
        parent_id: { type: DataTypes.STRING(40), allowNull: true, references: { model: 'wms_locations', key: 'id' } },
        code: { type: DataTypes.STRING(64), allowNull: false },
        /** The code folded: unique per tenant and warehouse, the `code` filter and sort. */
        code_key: { type: DataTypes.STRING(256), allowNull: false },
        type: { type: DataTypes.STRING(12), allowNull: false },
        is_active: { type: DataTypes.BOOLEAN, allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await bytewise('wms_locations', 'code_key', 256);
    const locations = (fields: string[], name: string, unique = false) => qi.addIndex('wms_locations', fields, { name, unique, transaction });
    await locations(['tenant_id', 'warehouse_id', 'code_key'], 'wms_locations_tenant_warehouse_code_key', true);
    await locations(['tenant_id', 'warehouse_id', 'code_key', 'id'], 'wms_locations_tenant_warehouse_code');
    await locations(['tenant_id', 'code_key', 'id'], 'wms_locations_tenant_code');
    await locations(['tenant_id', 'created_at', 'id'], 'wms_locations_tenant_created');
    await locations(['tenant_id', 'parent_id', 'code_key', 'id'], 'wms_locations_tenant_parent_code');
    await locations(['tenant_id', 'type', 'code_key', 'id'], 'wms_locations_tenant_type_code');
    await locations(['tenant_id', 'is_active', 'code_key', 'id'], 'wms_locations_tenant_active_code');
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.dropTable('wms_locations', { transaction });
    await qi.dropTable('wms_warehouses', { transaction });
    await qi.dropTable('wms_items', { transaction });
  });
}
