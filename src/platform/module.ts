import type { ModelCtor } from 'sequelize-typescript';
import type { List } from './db/list-query';
import type { Subscriber } from './events/outbox';
import type { HandlerMap } from './http/handler';
import type { Kernel } from './kernel';

/**
 * The one shape of a module (platform, CRM, WMS, ERP): what compose.ts lists, one line each.
 *
 * `models` are known before the database opens (the kernel registers them); everything else is
 * built by `create` once the kernel is up. `create` gets `use`, which returns the application
 * interface (`api`) of a module listed before this one — the only way one module calls another,
 * besides events. compose.ts checks that every operation of the contract has exactly one handler.
 */
export interface ModuleDefinition<Api = unknown> {
  /** Lower-case, as in the folder name and the contract's folder (`crm`). */
  name: string;
  models: ModelCtor[];
  /** The module's lists by the operationId that serves each: test/contract holds them to the contract. */
  lists?: Readonly<Record<string, List>>;
  create(kernel: Kernel, use: ModuleLookup): ModuleInstance<Api>;
}

export type ModuleLookup = <A>(module: ModuleDefinition<A>) => A;

export interface ModuleInstance<Api = unknown> {
  /** A handler for each of the module's operationIds. */
  handlers: HandlerMap;
  /** Reactions to committed events, this module's or another's. */
  subscribers?: Subscriber[];
  /** What other modules, main.ts and the scripts may call. */
  api: Api;
  /**
   * Fills one tenant with demo or bench data (`npm run seed`; `npm start` seeds the demo tenant
   * it creates). Deterministic, and a second run adds nothing twice. Runs after the seeders of
   * the modules listed before this one, so it may refer to their records.
   */
  seed?: Seeder;
  /** Background work of a serving process (after the kernel's own has started). */
  onStart?(): void;
  /** Stops that work; runs before the kernel closes the database. */
  onStop?(): Promise<void>;
}

/** Keeps the module's own `Api` type for those who `use` it. */
export function defineModule<Api>(definition: ModuleDefinition<Api>): ModuleDefinition<Api> {
  return definition;
}

/** A progress bar (or log line) for one step of a seed. */
export interface SeedProgress {
  tick(count?: number): void;
  done(): void;
}

export interface SeedOptions {
  /** `demo`: a realistic small tenant to explore; `bench`: the volume the benchmarks read. */
  profile: 'demo' | 'bench';
  /** How many accounts the bench profile makes (default 100,000). */
  accounts?: number;
  /** How many WMS items the seed makes (bench: default 100,000, 10,000 of them stocked; demo: default 2,000, for tests). */
  items?: number;
  progress(label: string, total: number): SeedProgress;
}

/** What one module's seed added, by kind of record (`accounts: 500`); 0 when all were there. */
export type SeedReport = Record<string, number>;
export type Seeder = (tenantId: string, options: SeedOptions) => Promise<SeedReport>;

export interface StartedModules {
  handlers: HandlerMap;
  use: ModuleLookup;
  /** Every module's seeder in order; the reports merged. */
  seed(tenantId: string, options: SeedOptions): Promise<SeedReport>;
  onStart(): void;
  onStop(): Promise<void>;
}

/**
 * Builds the modules in order; two modules handling one operation, a name twice, or a module
 * using one listed after it stops the start, naming them.
 */
export function createModules(kernel: Kernel, definitions: readonly ModuleDefinition<any>[]): StartedModules {
  const instances = new Map<ModuleDefinition<any>, ModuleInstance>();
  const owner = new Map<string, string>();
  const handlers: HandlerMap = {};
  const use: ModuleLookup = (module) => {
    const instance = instances.get(module);
    if (!instance) throw new Error(`module ${module.name} is used before it is created: list it earlier in compose.ts`);
    return instance.api as never;
  };
  const names = new Set<string>();
  for (const definition of definitions) {
    if (names.has(definition.name)) throw new Error(`module ${definition.name} is listed twice`);
    names.add(definition.name);
    const instance = definition.create(kernel, use);
    for (const operationId of Object.keys(instance.handlers)) {
      const other = owner.get(operationId);
      if (other) throw new Error(`operation ${operationId} has a handler in module ${other} and in module ${definition.name}`);
      owner.set(operationId, definition.name);
    }
    Object.assign(handlers, instance.handlers);
    for (const subscriber of instance.subscribers ?? []) kernel.dispatcher.subscribe(subscriber);
    instances.set(definition, instance);
  }
  const all = [...instances.values()];
  return {
    handlers,
    use,
    async seed(tenantId, options) {
      const report: SeedReport = {};
      for (const m of all) Object.assign(report, await m.seed?.(tenantId, options));
      return report;
    },
    onStart: () => all.forEach((m) => m.onStart?.()),
    async onStop() {
      for (const m of [...all].reverse()) await m.onStop?.();
    },
  };
}
