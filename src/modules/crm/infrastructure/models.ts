import { Column, DataType, Model, Table } from 'sequelize-typescript';
import { OpportunityModel, StageChangeModel } from './opportunity.model';
import { PipelineModel, PipelineStageModel } from './pipeline.model';
import { ActivityModel } from './activity.model';
import { ContactModel } from './contact.model';

/*
 * JSON columns (`tags`, `custom_fields`) are jsonb on PostgreSQL and text on SQLite (see the
 * migration); the models write them as JSON text, which PostgreSQL reads into jsonb.
 */

@Table({ tableName: 'crm_custom_fields', timestamps: false, underscored: true })
export class CustomFieldModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(20), allowNull: false }) declare object: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare key: string;
  @Column({ type: DataType.STRING(100), allowNull: false }) declare label: string;
  @Column({ type: DataType.STRING(500), allowNull: true }) declare description: string | null;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare type: string;
  @Column({ type: DataType.TEXT, allowNull: true }) declare options: string | null;
  @Column({ type: DataType.BOOLEAN, allowNull: false }) declare required: boolean;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}

@Table({ tableName: 'crm_accounts', timestamps: false, underscored: true })
export class AccountModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(200), allowNull: false }) declare name: string;
  @Column({ type: DataType.STRING(400), allowNull: false }) declare name_key: string;
  @Column({ type: DataType.STRING(253), allowNull: true }) declare domain: string | null;
  @Column({ type: DataType.STRING(100), allowNull: true }) declare industry: string | null;
  @Column({ type: DataType.TEXT, allowNull: true }) declare website: string | null;
  @Column({ type: DataType.STRING(16), allowNull: true }) declare phone: string | null;
  @Column({ type: DataType.TEXT, allowNull: true }) declare billing_address: string | null;
  @Column({ type: DataType.TEXT, allowNull: true }) declare shipping_address: string | null;
  @Column({ type: DataType.STRING(100), allowNull: true }) declare owner_id: string | null;
  @Column({ type: DataType.TEXT, allowNull: false }) declare tags: string;
  @Column({ type: DataType.STRING(255), allowNull: true }) declare external_id: string | null;
  @Column({ type: DataType.TEXT, allowNull: false }) declare custom_fields: string;
  @Column({ type: DataType.TEXT, allowNull: false }) declare search: string;
  @Column({ type: DataType.DATE, allowNull: true }) declare archived_at: Date | null;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}

export const crmModels = [CustomFieldModel, AccountModel, PipelineModel, PipelineStageModel, OpportunityModel, StageChangeModel, ContactModel, ActivityModel];
