import { Column, DataType, Model, Table } from 'sequelize-typescript';

@Table({ tableName: 'crm_pipelines', timestamps: false, underscored: true })
export class PipelineModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(100), allowNull: false }) declare name: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare version: number;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare updated_at: Date;
}

/** A stage row; `position` is its place in the pipeline's order (0 first). */
@Table({ tableName: 'crm_pipeline_stages', timestamps: false, underscored: true })
export class PipelineStageModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare tenant_id: string;
  @Column({ type: DataType.STRING(40), allowNull: false }) declare pipeline_id: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare position: number;
  @Column({ type: DataType.STRING(100), allowNull: false }) declare name: string;
  @Column({ type: DataType.INTEGER, allowNull: false }) declare probability: number;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare kind: string;
}
