import { Column, DataType, Model, Table, type ModelCtor } from 'sequelize-typescript';

/** erp_tax_rates (migrations/20261208100000-erp-catalog.ts). `rate`: thousandths of a percent. */
@Table({ tableName: 'erp_tax_rates', timestamps: false, underscored: true })
export class TaxRateModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(100), allowNull: false }) declare name: string;
  @Column({ type: DataType.STRING(400), allowNull: false }) declare name_key: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare rate: number;
  @Column({ type: DataType.BOOLEAN, allowNull: false }) declare inclusive: boolean;
  @Column({ type: DataType.BOOLEAN, allowNull: false }) declare is_active: boolean;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}

/** erp_customers. `billing_address` is JSON: jsonb on PostgreSQL, text on SQLite. */
@Table({ tableName: 'erp_customers', timestamps: false, underscored: true })
export class CustomerModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare account_id: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare name: string;
  @Column({ type: DataType.STRING(400), allowNull: false }) declare name_key: string;
  @Column({ type: DataType.TEXT, allowNull: true }) declare billing_address: string | null;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare payment_terms_days: number;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare tax_rate_id: string | null;
  @Column({ type: DataType.STRING(3), allowNull: false }) declare currency: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}

/** erp_suppliers: the same columns as erp_customers. */
@Table({ tableName: 'erp_suppliers', timestamps: false, underscored: true })
export class SupplierModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare account_id: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare name: string;
  @Column({ type: DataType.STRING(400), allowNull: false }) declare name_key: string;
  @Column({ type: DataType.TEXT, allowNull: true }) declare billing_address: string | null;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare payment_terms_days: number;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare tax_rate_id: string | null;
  @Column({ type: DataType.STRING(3), allowNull: false }) declare currency: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}

/** erp_ledger_accounts. */
@Table({ tableName: 'erp_ledger_accounts', timestamps: false, underscored: true })
export class LedgerAccountModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(20), allowNull: false }) declare code: string;
  @Column({ type: DataType.STRING(80), allowNull: false }) declare code_key: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare name: string;
  @Column({ type: DataType.STRING(400), allowNull: false }) declare name_key: string;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare type: string;
  @Column({ type: DataType.BOOLEAN, allowNull: false }) declare system: boolean;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}

/** The module's sequelize-typescript models. */
export const erpModels: ModelCtor[] = [TaxRateModel, CustomerModel, SupplierModel, LedgerAccountModel];
