import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** JSON columns are jsonb on PostgreSQL and text on SQLite, written as JSON text (see models.ts). */
@Table({ tableName: 'crm_contacts', timestamps: false, underscored: true })
export class ContactModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(100), allowNull: true }) declare first_name: string | null;
  @Column({ type: DataType.STRING(100), allowNull: true }) declare last_name: string | null;
  @Column({ type: DataType.STRING(410), allowNull: false }) declare name_key: string;
  @Column({ type: DataType.STRING(254), allowNull: true }) declare email: string | null;
  @Column({ type: DataType.STRING(254), allowNull: true }) declare email_key: string | null;
  @Column({ type: DataType.TEXT, allowNull: false }) declare additional_emails: string;
  @Column({ type: DataType.TEXT, allowNull: false }) declare phones: string;
  @Column({ type: DataType.STRING(200), allowNull: true }) declare title: string | null;
  @Column({ type: DataType.STRING(40), allowNull: true }) declare account_id: string | null;
  @Column({ type: DataType.STRING(100), allowNull: true }) declare owner_id: string | null;
  @Column({ type: DataType.TEXT, allowNull: false }) declare tags: string;
  @Column({ type: DataType.STRING(255), allowNull: true }) declare external_id: string | null;
  @Column({ type: DataType.TEXT, allowNull: false }) declare custom_fields: string;
  @Column({ type: DataType.TEXT, allowNull: false }) declare search: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}
