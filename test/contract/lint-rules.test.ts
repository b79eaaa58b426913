import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/** Runs `redocly lint` with the project's redocly.yaml; returns `ruleId pointer` per problem. */
function lint(file: string): string[] {
  let out: string;
  try {
    out = execFileSync(join(root, 'node_modules/.bin/redocly'), ['lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (err) {
    // redocly exits 1 when it finds errors; the report is still on stdout.
    out = (err as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { problems: { ruleId: string; location: { pointer: string }[] }[] };
  return report.problems.map((p) => `${p.ruleId} ${p.location[0].pointer}`);
}

describe('the house lint rules (redocly.yaml)', () => {
  it('pass the contract with no problem', () => {
    expect(lint('openapi/openapi.yaml')).toEqual([]);
  }, 60_000);

  it('pass the bundle served at /openapi.json too (an unused component shows only there)', () => {
    expect(lint('generated/openapi.json')).toEqual([]);
  }, 60_000);

  it('each fire on a contract that breaks them (test/fixtures/lint/broken.yaml)', () => {
    const found = lint('test/fixtures/lint/broken.yaml');
    expect(found).toEqual(
      expect.arrayContaining([
        'rule/operation-id-camel-case #/paths/~1test~1things/get/operationId',
        'rule/query-parameters-snake-case #/paths/~1test~1things/get/parameters/0/name',
        // A query parameter's schema, a nullable string property and a shared component.
        'rule/string-max-length #/paths/~1test~1things/get/parameters/1/schema',
        'rule/string-max-length #/components/schemas/Thing/properties/label',
        'rule/string-max-length #/components/schemas/Code',
        'rule/snake-case-properties #/components/schemas/Thing/properties/camelName',
        'operation-4xx-problem-details-rfc7807 #/paths/~1test~1things/get/responses/400',
        'rule/5xx-problem-details #/paths/~1test~1things/get/responses/503/content',
        'rule/operation-has-security #/paths/~1test~1Things_Upper/post/security',
        'rule/paths-kebab-case #/paths/~1test~1Things_Upper',
      ]),
    );
  }, 60_000);
});

/** Runs Spectral with the project's .spectral.yaml (OWASP); returns `code path` per finding of the given severity (0 error, 1 warning). */
function spectral(file: string, severity = 0): string[] {
  let out: string;
  try {
    out = execFileSync(join(root, 'node_modules/.bin/spectral'), ['lint', file, '--ruleset', join(root, '.spectral.yaml'), '--format', 'json', '--quiet'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (err) {
    out = (err as { stdout: string }).stdout;
  }
  const found = JSON.parse(out || '[]') as { code: string; path: string[]; severity: number }[];
  return found.filter((f) => f.severity <= severity).map((f) => `${f.code} ${f.path.join('/')}`);
}

describe('the OWASP ruleset (.spectral.yaml)', () => {
  it('finds nothing in the bundle, warnings included', () => {
    expect(spectral('generated/openapi.json', 1)).toEqual([]);
  }, 60_000);

  it('fires on a bundle that breaks it: the ruleset is loaded and its rules are on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratum-spectral-'));
    const doc = JSON.parse(readFileSync(join(root, 'generated/openapi.json'), 'utf8'));
    delete doc.paths['/platform/me'].get.responses['200'].headers.RateLimit;
    delete doc.paths['/platform/me'].get.responses['200'].headers['Access-Control-Allow-Origin'];
    delete doc.components.responses.TooManyRequests.headers['Retry-After'];
    doc.components.schemas.Version.format = undefined;
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    expect(spectral(file)).toEqual(
      expect.arrayContaining([
        'owasp:api4:2023-rate-limit paths//platform/me/get/responses/200/headers',
        'owasp:api8:2023-define-cors-origin paths//platform/me/get/responses/200/headers',
        'owasp:api4:2023-rate-limit-retry-after components/responses/TooManyRequests/headers',
        'owasp:api4:2023-integer-format components/schemas/Version',
      ]),
    );
  }, 60_000);
});
