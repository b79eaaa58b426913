import type { ModelCtor } from 'sequelize-typescript';
import { ItemModel } from './item.model';
import { LocationModel } from './location.model';
import { WarehouseModel } from './warehouse.model';

/** The module's sequelize-typescript models, one file per aggregate. */
export const wmsModels: ModelCtor[] = [ItemModel, WarehouseModel, LocationModel];
