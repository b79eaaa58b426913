import { Column, DataType, Model, Table } from 'sequelize-typescript';

@Table({ tableName: 'tenants', timestamps: false, underscored: true })
export class TenantModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(100), allowNull: false, unique: true }) declare name: string;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
}

@Table({ tableName: 'api_clients', timestamps: false, underscored: true })
export class ApiClientModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(100), allowNull: false }) declare name: string;
  /** `name` folded for the `q` filter (search-text.ts); written with every save. */
  @Column({ type: DataType.STRING(400), allowNull: true }) declare name_search: string | null;
  @Column({ type: DataType.STRING(500), allowNull: true }) declare description: string | null;
  @Column({ type: DataType.TEXT, allowNull: false }) declare scopes: string;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare status: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare secret_hash: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
  @Column({ type: DataType.DATE, allowNull: true }) declare secret_rotated_at: Date | null;
  @Column({ type: DataType.DATE, allowNull: true }) declare revoked_at: Date | null;
}

export const platformModels = [TenantModel, ApiClientModel];
