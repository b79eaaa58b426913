import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * The architecture's dependency rules (.dependency-cruiser.cjs) hold on src/, and they are not
 * toothless: on a miniature tree where each rule is broken once (test/fixtures/depcruise/tree),
 * every rule reports exactly the imports that break it and nothing else.
 */
const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/depcruise');
const CRUISE_TIMEOUT_MS = 60_000;

interface Violation {
  rule: string;
  severity: string;
  from: string;
  to: string;
}

interface Report {
  rules: string[];
  totalCruised: number;
  violations: Violation[];
}

/** dependency-cruiser's API is ESM-only: run it in a node process of its own, from `cwd`. */
async function cruise(cwd: string, dir: string): Promise<Report> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(FIXTURES, 'cruise.mjs'), join(ROOT, '.dependency-cruiser.cjs'), join(ROOT, 'tsconfig.json'), dir],
    { cwd, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Report;
}

/** Where node_modules sits depends on where the cruise ran; the package inside it does not. */
const brief = ({ rule, from, to }: Violation) => ({ rule, from, to: to.replace(/^.*node_modules\//, 'node_modules/').replace(/^(node_modules\/(@[^/]+\/)?[^/]+)\/.*$/, '$1') });
const byRuleThenFrom = (a: { rule: string; from: string; to: string }, b: { rule: string; from: string; to: string }) =>
  `${a.rule} ${a.from} ${a.to}`.localeCompare(`${b.rule} ${b.from} ${b.to}`);

describe('dependency rules', () => {
  it(
    'find no violation in src/',
    async () => {
      const report = await cruise(ROOT, 'src');
      expect(report.totalCruised).toBeGreaterThan(10);
      expect(report.violations).toEqual([]);
    },
    CRUISE_TIMEOUT_MS,
  );

  it(
    'report each forbidden import of the fixture tree under the rule it breaks, and nothing allowed',
    async () => {
      const report = await cruise(join(FIXTURES, 'tree'), 'src');

      expect(report.violations.map(brief).sort(byRuleThenFrom)).toEqual(
        [
          { rule: 'domain-not-to-outer-layers', from: 'src/modules/crm/domain/account-lookup.ts', to: 'src/modules/crm/infrastructure/account.repository.ts' },
          { rule: 'domain-not-to-frameworks', from: 'src/modules/crm/domain/account-row.ts', to: 'node_modules/sequelize' },
          { rule: 'domain-only-pure-kernel', from: 'src/modules/crm/domain/account-health.ts', to: 'src/platform/db/database.ts' },
          { rule: 'application-not-to-http', from: 'src/modules/crm/application/account-responses.ts', to: 'node_modules/koa' },
          { rule: 'application-not-to-http', from: 'src/modules/crm/application/account-responses.ts', to: 'src/platform/http/problem.ts' },
          { rule: 'kernel-not-to-modules', from: 'src/platform/leaky-kernel.ts', to: 'src/modules/crm/index.ts' },
          { rule: 'module-not-to-other-module-internals', from: 'src/modules/wms/application/peek-account.ts', to: 'src/modules/crm/domain/account.ts' },
          { rule: 'no-circular', from: 'src/modules/wms/domain/bin.ts', to: 'src/modules/wms/domain/shelf.ts' },
        ].sort(byRuleThenFrom),
      );
      // every rule of the config has a fixture that proves it bites, and all of them are errors
      expect(new Set(report.violations.map((v) => v.rule))).toEqual(new Set(report.rules));
      expect(report.violations.every((v) => v.severity === 'error')).toBe(true);
    },
    CRUISE_TIMEOUT_MS,
  );
});
