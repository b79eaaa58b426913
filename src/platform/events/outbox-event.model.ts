import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The transactional outbox: events committed with the change that caused them. */
@Table({ tableName: 'outbox_events', timestamps: false, underscored: true })
export class OutboxEventModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(100), allowNull: false }) declare type: string;
  @Column({ type: DataType.STRING(60), allowNull: false }) declare aggregate_type: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare aggregate_id: string;
  @Column({ type: DataType.TEXT, allowNull: false }) declare payload: string;
  @Column({ type: DataType.DATE, allowNull: false }) declare occurred_at: Date;
  @Column({ type: DataType.DATE, allowNull: true }) declare published_at: Date | null;
  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 }) declare attempts: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare next_attempt_at: Date;
  @Column({ type: DataType.STRING(60), allowNull: true }) declare lease_owner: string | null;
  @Column({ type: DataType.DATE, allowNull: true }) declare lease_until: Date | null;
  @Column({ type: DataType.STRING(1000), allowNull: true }) declare last_error: string | null;
}

/** Which subscriber has handled which event: makes redelivery harmless. */
@Table({ tableName: 'processed_events', timestamps: false, underscored: true })
export class ProcessedEventModel extends Model {
  @Column({ type: DataType.STRING(100), primaryKey: true }) declare subscriber: string;
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare event_id: string;
  @Column({ type: DataType.DATE, allowNull: false }) declare processed_at: Date;
}
