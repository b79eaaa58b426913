import type { Transaction } from 'sequelize';
import type { Database } from '../../../platform/db/database';
import type { Tenant } from '../domain/tenant';
import { TenantModel } from './models';

interface TenantRow {
  id: string;
  name: string;
  created_at: Date | string;
}

const toTenant = (row: TenantRow): Tenant => ({ id: row.id, name: row.name, createdAt: new Date(row.created_at) });

export class TenantRepository {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<Tenant | null> {
    const rows = await this.db.select<TenantRow>('SELECT id, name, created_at FROM tenants WHERE id = :id', { id });
    return rows.length ? toTenant(rows[0]) : null;
  }

  async findByName(name: string, transaction?: Transaction): Promise<Tenant | null> {
    const rows = await this.db.select<TenantRow>('SELECT id, name, created_at FROM tenants WHERE name = :name', { name }, transaction);
    return rows.length ? toTenant(rows[0]) : null;
  }

  async count(): Promise<number> {
    const rows = await this.db.select<{ n: number | string }>('SELECT COUNT(*) AS n FROM tenants', {});
    return Number(rows[0].n);
  }

  async add(tenant: Tenant, transaction: Transaction): Promise<void> {
    await TenantModel.create({ id: tenant.id, name: tenant.name, created_at: tenant.createdAt }, { transaction });
  }
}
