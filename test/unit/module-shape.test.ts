import type { Kernel } from '../../src/platform/kernel';
import { createModules, defineModule } from '../../src/platform/module';
import type { Subscriber } from '../../src/platform/events/outbox';

/** Only what createModules touches: the dispatcher that takes subscribers. */
function fakeKernel() {
  const subscribed: Subscriber[] = [];
  return { kernel: { dispatcher: { subscribe: (s: Subscriber) => void subscribed.push(s) } } as unknown as Kernel, subscribed };
}

const ok = async () => ({ status: 200 as const, body: { status: 'ok' as const } });

describe('the module shape', () => {
  const stock = defineModule({
    name: 'stock',
    models: [],
    create: () => ({ handlers: { getLiveness: ok } as never, api: { available: (sku: string) => (sku === 'A-1' ? 3 : 0) } }),
  });

  it('builds modules in order, and a module reaches an earlier one through its api only', () => {
    const events: string[] = [];
    const orders = defineModule({
      name: 'orders',
      models: [],
      create: (_kernel, use) => {
        const inventory = use(stock);
        return {
          handlers: { getReadiness: ok } as never,
          subscribers: [{ name: 'orders.reserve-when-stocked', types: ['stock.moved'], handle: async () => undefined }],
          api: { canSell: (sku: string) => inventory.available(sku) > 0 },
          onStart: () => void events.push('orders started'),
          onStop: async () => void events.push('orders stopped'),
        };
      },
    });
    const { kernel, subscribed } = fakeKernel();
    const modules = createModules(kernel, [stock, orders]);
    expect(Object.keys(modules.handlers).sort()).toEqual(['getLiveness', 'getReadiness']);
    expect(modules.use(orders).canSell('A-1')).toBe(true);
    expect(subscribed.map((s) => s.name)).toEqual(['orders.reserve-when-stocked']);
    modules.onStart();
    return modules.onStop().then(() => expect(events).toEqual(['orders started', 'orders stopped']));
  });

  it('stops the start when a module uses one listed after it, naming both', () => {
    const early = defineModule({ name: 'early', models: [], create: (_k, use) => ({ handlers: {}, api: use(stock) }) });
    expect(() => createModules(fakeKernel().kernel, [early, stock])).toThrow(/module stock is used before it is created/);
  });

  it('stops the start when two modules handle one operation, naming the operation and both modules', () => {
    const copy = defineModule({ name: 'copy', models: [], create: () => ({ handlers: { getLiveness: ok } as never, api: {} }) });
    expect(() => createModules(fakeKernel().kernel, [stock, copy])).toThrow('operation getLiveness has a handler in module stock and in module copy');
  });

  it('stops the start when a module is listed twice', () => {
    expect(() => createModules(fakeKernel().kernel, [stock, stock])).toThrow('module stock is listed twice');
  });
});
