import { Column, DataType, Model, Table } from 'sequelize-typescript';

@Table({ tableName: 'crm_activities', timestamps: false, underscored: true })
export class ActivityModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare kind: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare subject: string;
  @Column({ type: DataType.TEXT, allowNull: true }) declare body: string | null;
  @Column({ type: DataType.DATE, allowNull: true }) declare due_at: Date | null;
  @Column({ type: DataType.DATE, allowNull: true }) declare completed_at: Date | null;
  @Column({ type: DataType.DATE, allowNull: true }) declare occurred_at: Date | null;
  @Column({ type: DataType.INTEGER, allowNull: true }) declare duration_minutes: number | null;
  @Column({ type: DataType.STRING(100), allowNull: true }) declare owner_id: string | null;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare account_id: string | null;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare contact_id: string | null;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare opportunity_id: string | null;
  @Column({ type: DataType.DATE, allowNull: false }) declare timeline_at: Date;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}
