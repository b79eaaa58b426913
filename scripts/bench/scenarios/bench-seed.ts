/**
 * The modules' bench seed (`npm run seed -- --profile bench`), once per run whichever scenarios
 * need it: every module's seeder runs in that one call (the CRM's accounts, the WMS's items and
 * stock), so the CRM and WMS scenarios share it instead of seeding twice.
 */
import type { BenchContext } from '../scenario';

export const accountCount = () => Number(process.env.BENCH_ACCOUNTS || 100_000);
export const itemCount = () => Number(process.env.BENCH_ITEMS || 100_000);

export function benchSeed(ctx: BenchContext): Promise<Record<string, number>> {
  return ctx.once('bench-seed', async () => {
    const report = await ctx.seedModules({ profile: 'bench', accounts: accountCount(), items: itemCount() });
    ctx.seeded(Object.entries(report).map(([kind, n]) => `${n} ${kind}`).join(', ') || 'nothing new by the bench seed');
    return report;
  });
}
