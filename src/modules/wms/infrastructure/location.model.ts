import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** wms_locations (migrations/20261207100000-wms-catalog.ts); the stock code reads it by these names. */
@Table({ tableName: 'wms_locations', timestamps: false, underscored: true })
export class LocationModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare warehouse_id: string;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare parent_id: string | null;
  @Column({ type: DataType.STRING(64), allowNull: false }) declare code: string;
  @Column({ type: DataType.STRING(256), allowNull: false }) declare code_key: string;
  @Column({ type: DataType.STRING(12), allowNull: false }) declare type: string;
  @Column({ type: DataType.BOOLEAN, allowNull: false }) declare is_active: boolean;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}
