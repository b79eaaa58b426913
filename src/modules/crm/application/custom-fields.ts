import type { Database } from '../../../platform/db/database';
import type { FieldType as ListFieldType, ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, NotFoundError } from '../../../platform/errors';
import { CustomField, type CustomFieldChanges, type CustomFieldState, type FieldObject, type FieldType } from '../domain/custom-field';
import { CustomFieldRepository } from '../infrastructure/custom-field.repository';
import { DuplicateKeyError } from '../infrastructure/duplicates';

export interface CustomFieldInput {
  object: FieldObject;
  key: string;
  label: string;
  description?: string | null;
  type: FieldType;
  options?: string[];
  required?: boolean;
}

async function load(repo: CustomFieldRepository, id: string): Promise<CustomField> {
  const field = await repo.get(id);
  if (!field) throw new NotFoundError(`There is no custom field ${id}.`);
  return field;
}

/** How a list reads a field's filter value. */
export function listFieldType(field: Pick<CustomFieldState, 'type' | 'options'>): ListFieldType {
  if (field.type === 'string') return { type: 'text' };
  if (field.type === 'enum') return { type: 'text', values: field.options ?? [] };
  return { type: field.type };
}

export function customFieldUseCases(db: Database, runInUnitOfWork: RunInUnitOfWork) {
  const conflictOnKey = (input: { object: FieldObject; key: string }) => new ConflictError(`${input.object}s already have a custom field with the key ${input.key}.`);
  return {
    async create(tenantId: string, input: CustomFieldInput, claim?: IdempotencyClaim): Promise<CustomFieldState> {
      try {
        return await runInUnitOfWork(
          tenantId,
          async (uow) => {
            const repo = CustomFieldRepository.in(uow);
            if (await repo.idByKey(input.object, input.key)) throw conflictOnKey(input);
            const field = CustomField.define(
              { tenantId, object: input.object, key: input.key, label: input.label, description: input.description ?? null, type: input.type, options: input.options, required: input.required ?? false },
              await repo.count(input.object),
            );
            await repo.add(field);
            return field.snapshot;
          },
          claim,
        );
      } catch (err) {
        // Two requests defined the key at once: the unique index let one through.
        if (err instanceof DuplicateKeyError) throw conflictOnKey(input);
        throw err;
      }
    },

    get(tenantId: string, id: string): Promise<CustomFieldState> {
      return load(new CustomFieldRepository(db, tenantId), id).then((f) => f.snapshot);
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<CustomFieldState>> {
      return new CustomFieldRepository(db, tenantId).list(request);
    },

    /** Every definition of the tenant: the per-tenant contract is built from them. */
    all(tenantId: string): Promise<CustomFieldState[]> {
      return new CustomFieldRepository(db, tenantId).all();
    },

    /** An object's fields as list filters (`?custom_fields.<key>=`), by key. */
    async filtersFor(tenantId: string, object: FieldObject): Promise<ReadonlyMap<string, ListFieldType>> {
      const rules = await new CustomFieldRepository(db, tenantId).rulesFor(object);
      return new Map(rules.fields.map((f) => [f.key, listFieldType(f)]));
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, changes: CustomFieldChanges): Promise<CustomFieldState> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = CustomFieldRepository.in(uow);
        const field = await load(repo, id);
        checkExpectedVersion(`custom field ${id}`, field.version, expected);
        const loaded = field.version;
        field.change(changes);
        if (field.version !== loaded) await repo.save(field, loaded);
        return field.snapshot;
      });
    },

    delete(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = CustomFieldRepository.in(uow);
        const field = await load(repo, id);
        checkExpectedVersion(`custom field ${id}`, field.version, expected);
        await repo.delete(field, field.version);
      });
    },
  };
}

export type CustomFieldUseCases = ReturnType<typeof customFieldUseCases>;
