import type { ModelCtor } from 'sequelize-typescript';

/** The module's sequelize-typescript models, one file per aggregate. */
export const wmsModels: ModelCtor[] = [];
