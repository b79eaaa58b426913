import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** wms_items (migrations/20261207100000-wms-catalog.ts); the stock code reads it by these names. */
@Table({ tableName: 'wms_items', timestamps: false, underscored: true })
export class ItemModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(64), allowNull: false }) declare sku: string;
  @Column({ type: DataType.STRING(256), allowNull: false }) declare sku_key: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare name: string;
  @Column({ type: DataType.STRING(400), allowNull: false }) declare name_key: string;
  @Column({ type: DataType.STRING(2000), allowNull: true }) declare description: string | null;
  @Column({ type: DataType.STRING(12), allowNull: false }) declare category: string;
  @Column({ type: DataType.STRING(4), allowNull: false }) declare unit: string;
  @Column({ type: DataType.INTEGER, allowNull: true }) declare weight_grams: number | null;
  @Column({ type: DataType.INTEGER, allowNull: true }) declare length_mm: number | null;
  @Column({ type: DataType.INTEGER, allowNull: true }) declare width_mm: number | null;
  @Column({ type: DataType.INTEGER, allowNull: true }) declare height_mm: number | null;
  @Column({ type: DataType.STRING(14), allowNull: true }) declare barcode: string | null;
  @Column({ type: DataType.STRING(254), allowNull: true }) declare supplier_email: string | null;
  @Column({ type: DataType.BIGINT, allowNull: false }) declare reorder_point: number;
  @Column({ type: DataType.STRING(8), allowNull: false }) declare tracking: string;
  @Column({ type: DataType.BOOLEAN, allowNull: false }) declare is_active: boolean;
  @Column({ type: DataType.TEXT, allowNull: false }) declare search: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}
