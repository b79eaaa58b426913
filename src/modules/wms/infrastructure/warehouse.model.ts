import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** wms_warehouses (migrations/20261207100000-wms-catalog.ts). `address` is JSON: jsonb on PostgreSQL, text on SQLite. */
@Table({ tableName: 'wms_warehouses', timestamps: false, underscored: true })
export class WarehouseModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(32), allowNull: false }) declare code: string;
  @Column({ type: DataType.STRING(128), allowNull: false }) declare code_key: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare name: string;
  @Column({ type: DataType.STRING(400), allowNull: false }) declare name_key: string;
  @Column({ type: DataType.TEXT, allowNull: true }) declare address: string | null;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}
