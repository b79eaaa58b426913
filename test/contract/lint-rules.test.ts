import { execFileSync } from 'node:child_process';
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
