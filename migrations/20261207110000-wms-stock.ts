import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * WMS: the stock ledger and what is derived from it.
 *
 * - `wms_stock_moves`: the ledger, one row per posted move, never updated or deleted. A
 *   reversal is a new move naming the one it reverses (unique: a move is reversed once).
 *   `location_ids` (a JSON set of the one or two locations) serves the list's `location_id`
 *   filter on either side (jsonb + GIN on PostgreSQL).
 * - `wms_balances`: on hand and reserved per item × location × lot ('' when untracked), changed
 *   in the transaction that posts the move. The CHECK constraints are the last word: whatever a
 *   bug or a race did, a balance never goes negative and never reserves more than is there.
 * - `wms_item_stock`: per item, the totals and the moving-average valuation (value in minor
 *   units of `currency`, set by the first receipt).
 * - `wms_serials`: where each serial of a serial-tracked item is (NULL: not in stock).
 * - `wms_reservations`, `wms_cycle_counts`.
 *
 * Quantities are BIGINT thousandths, money BIGINT minor units.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const json = postgres ? 'jsonb' : 'text';
  const instant = postgres ? 'timestamp with time zone' : 'datetime';
  const id = 'varchar(40)';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    await run(`CREATE TABLE wms_balances (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      item_id ${id} NOT NULL,
      location_id ${id} NOT NULL,
      warehouse_id ${id} NOT NULL,
      lot varchar(64) NOT NULL DEFAULT '',
      on_hand bigint NOT NULL DEFAULT 0,
      reserved bigint NOT NULL DEFAULT 0,
      updated_at ${instant} NOT NULL,
      CONSTRAINT wms_balances_on_hand_not_negative CHECK (on_hand >= 0),
      CONSTRAINT wms_balances_reserved_not_negative CHECK (reserved >= 0),
      CONSTRAINT wms_balances_reserved_within_on_hand CHECK (reserved <= on_hand)
    )`);
    await run('CREATE UNIQUE INDEX wms_balances_key ON wms_balances (tenant_id, item_id, location_id, lot)');
    await run('CREATE INDEX wms_balances_tenant_updated ON wms_balances (tenant_id, updated_at, id)');
    await run('CREATE INDEX wms_balances_tenant_on_hand ON wms_balances (tenant_id, on_hand, id)');
    await run('CREATE INDEX wms_balances_tenant_item_updated ON wms_balances (tenant_id, item_id, updated_at, id)');
    await run('CREATE INDEX wms_balances_tenant_location_updated ON wms_balances (tenant_id, location_id, updated_at, id)');
    await run('CREATE INDEX wms_balances_tenant_warehouse_updated ON wms_balances (tenant_id, warehouse_id, updated_at, id)');

    await run(`CREATE TABLE wms_item_stock (
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      item_id ${id} NOT NULL,
      on_hand bigint NOT NULL DEFAULT 0,
      reserved bigint NOT NULL DEFAULT 0,
      value_amount bigint NOT NULL DEFAULT 0,
      currency char(3),
      updated_at ${instant} NOT NULL,
      PRIMARY KEY (tenant_id, item_id),
      CONSTRAINT wms_item_stock_on_hand_not_negative CHECK (on_hand >= 0),
      CONSTRAINT wms_item_stock_reserved_not_negative CHECK (reserved >= 0),
      CONSTRAINT wms_item_stock_reserved_within_on_hand CHECK (reserved <= on_hand),
      CONSTRAINT wms_item_stock_value_not_negative CHECK (value_amount >= 0)
    )`);

    await run(`CREATE TABLE wms_stock_moves (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      type varchar(12) NOT NULL,
      item_id ${id} NOT NULL,
      quantity bigint NOT NULL,
      from_location_id ${id},
      to_location_id ${id},
      location_ids ${json} NOT NULL,
      lot varchar(64),
      serials ${json} NOT NULL,
      unit_cost_amount bigint,
      cost_amount bigint,
      currency char(3),
      reason_code varchar(40),
      reservation_id ${id},
      reference_type varchar(40),
      reference_id varchar(100),
      reverses_move_id ${id},
      posted_at ${instant} NOT NULL,
      posted_by varchar(100) NOT NULL,
      CONSTRAINT wms_stock_moves_quantity_positive CHECK (quantity > 0)
    )`);
    await run('CREATE UNIQUE INDEX wms_stock_moves_reverses ON wms_stock_moves (tenant_id, reverses_move_id)');
    await run('CREATE INDEX wms_stock_moves_tenant_posted ON wms_stock_moves (tenant_id, posted_at, id)');
    await run('CREATE INDEX wms_stock_moves_tenant_item_posted ON wms_stock_moves (tenant_id, item_id, posted_at, id)');
    await run('CREATE INDEX wms_stock_moves_tenant_type_posted ON wms_stock_moves (tenant_id, type, posted_at, id)');
    await run('CREATE INDEX wms_stock_moves_tenant_reference ON wms_stock_moves (tenant_id, reference_type, reference_id, posted_at, id)');
    await run('CREATE INDEX wms_stock_moves_tenant_reference_id ON wms_stock_moves (tenant_id, reference_id, posted_at, id)');
    if (postgres) await run('CREATE INDEX wms_stock_moves_location_ids ON wms_stock_moves USING gin (location_ids jsonb_path_ops)');

    await run(`CREATE TABLE wms_serials (
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      item_id ${id} NOT NULL,
      serial varchar(64) NOT NULL,
      location_id ${id},
      updated_at ${instant} NOT NULL,
      PRIMARY KEY (tenant_id, item_id, serial)
    )`);
    await run('CREATE INDEX wms_serials_tenant_location ON wms_serials (tenant_id, item_id, location_id)');

    await run(`CREATE TABLE wms_reservations (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      item_id ${id} NOT NULL,
      location_id ${id} NOT NULL,
      warehouse_id ${id} NOT NULL,
      lot varchar(64) NOT NULL DEFAULT '',
      quantity bigint NOT NULL,
      remaining bigint NOT NULL,
      status varchar(10) NOT NULL,
      reference_type varchar(40),
      reference_id varchar(100),
      expires_at ${instant},
      version integer NOT NULL,
      created_at ${instant} NOT NULL,
      updated_at ${instant} NOT NULL,
      CONSTRAINT wms_reservations_quantity_positive CHECK (quantity > 0),
      CONSTRAINT wms_reservations_remaining_within CHECK (remaining >= 0 AND remaining <= quantity)
    )`);
    await run('CREATE INDEX wms_reservations_tenant_created ON wms_reservations (tenant_id, created_at, id)');
    await run('CREATE INDEX wms_reservations_tenant_item_created ON wms_reservations (tenant_id, item_id, created_at, id)');
    await run('CREATE INDEX wms_reservations_tenant_location_created ON wms_reservations (tenant_id, location_id, created_at, id)');
    await run('CREATE INDEX wms_reservations_tenant_status_created ON wms_reservations (tenant_id, status, created_at, id)');
    await run('CREATE INDEX wms_reservations_tenant_reference ON wms_reservations (tenant_id, reference_type, reference_id, created_at, id)');
    await run('CREATE INDEX wms_reservations_tenant_reference_id ON wms_reservations (tenant_id, reference_id, created_at, id)');
    await run('CREATE INDEX wms_reservations_balance ON wms_reservations (tenant_id, item_id, location_id, lot, status)');
    await run(`CREATE INDEX wms_reservations_expiring ON wms_reservations (expires_at) WHERE status = 'active' AND expires_at IS NOT NULL`);

    await run(`CREATE TABLE wms_cycle_counts (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      location_id ${id} NOT NULL,
      status varchar(10) NOT NULL,
      lines ${json} NOT NULL,
      version integer NOT NULL,
      created_at ${instant} NOT NULL,
      updated_at ${instant} NOT NULL,
      posted_at ${instant}
    )`);
    await run('CREATE INDEX wms_cycle_counts_tenant_created ON wms_cycle_counts (tenant_id, created_at, id)');
    await run('CREATE INDEX wms_cycle_counts_tenant_location_created ON wms_cycle_counts (tenant_id, location_id, created_at, id)');
    await run('CREATE INDEX wms_cycle_counts_tenant_status_created ON wms_cycle_counts (tenant_id, status, created_at, id)');

  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of ['wms_cycle_counts', 'wms_reservations', 'wms_serials', 'wms_stock_moves', 'wms_item_stock', 'wms_balances']) {
      await sequelize.query(`DROP TABLE ${table}`, { transaction });
    }
  });
}
