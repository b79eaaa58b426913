import { Column, DataType, Model, Table } from 'sequelize-typescript';

/* `tags` and `custom_fields`: jsonb on PostgreSQL, text on SQLite, written as JSON text (models.ts). */

@Table({ tableName: 'crm_opportunities', timestamps: false, underscored: true })
export class OpportunityModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare name: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare pipeline_id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare stage_id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare account_id: string;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare primary_contact_id: string | null;
  @Column({ type: DataType.BIGINT, allowNull: true }) declare amount: number | null;
  @Column({ type: DataType.STRING(3), allowNull: true }) declare currency: string | null;
  @Column({ type: DataType.DATEONLY, allowNull: true }) declare expected_close_date: string | null;
  @Column({ type: DataType.STRING(100), allowNull: true }) declare owner_id: string | null;
  @Column({ type: DataType.TEXT, allowNull: false }) declare tags: string;
  @Column({ type: DataType.TEXT, allowNull: false }) declare custom_fields: string;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare status: string;
  @Column({ type: DataType.STRING(500), allowNull: true }) declare lost_reason: string | null;
  @Column({ type: DataType.DATE, allowNull: true }) declare closed_at: Date | null;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}

@Table({ tableName: 'crm_opportunity_stage_changes', timestamps: false, underscored: true })
export class StageChangeModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare opportunity_id: string;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare from_stage_id: string | null;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare to_stage_id: string;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare status: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare changed_by: string;
  @Column({ type: DataType.DATE, allowNull: false }) declare changed_at: Date;
}
