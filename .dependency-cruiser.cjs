/**
 * The dependency rules of docs/architecture.md, checked by
 * `npm run depcruise` and by test/unit/dependency-rules.test.ts (which also proves each rule
 * fires on a fixture tree). Paths are relative to the directory the cruise runs from.
 *
 *   http → application → domain ← infrastructure; the domain imports nothing from the other
 *   three nor from a framework; the kernel (src/platform) imports no module; a module reaches
 *   another module only through that module's index.ts.
 */

/** Framework and driver packages: matched wherever node_modules sits relative to the cruise. */
const pkg = (names) => `(^|/)node_modules/(@types/)?(${names.join('|')})/`;
const WEB = ['koa', '@koa/[^/]+', 'koa__[^/]+', 'openapi-backend'];
const PERSISTENCE = ['sequelize', 'sequelize-typescript', 'pg', 'sqlite3'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-not-to-outer-layers',
      comment: 'The domain is the centre: it may not reach into application, infrastructure or http code.',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: { path: '^src/modules/[^/]+/(application|infrastructure|http)/' },
    },
    {
      name: 'domain-not-to-frameworks',
      comment: 'The domain is plain TypeScript: no Koa, no OpenAPI backend, no Sequelize, no database driver (not even types).',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: { path: pkg([...WEB, ...PERSISTENCE]) },
    },
    {
      name: 'domain-only-pure-kernel',
      comment: 'From the kernel the domain may use errors, ids, money, merge-patch and domain events, nothing else.',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: { path: '^src/platform/', pathNot: '^src/platform/(errors|ids|money|merge-patch|events/domain-event)\\.ts$' },
    },
    {
      name: 'application-not-to-http',
      comment: 'Application services know nothing of HTTP: no Koa, no OpenAPI backend, no http handlers, no kernel http layer.',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/application/' },
      to: { path: [pkg(WEB), '^src/modules/[^/]+/http/', '^src/platform/http/'] },
    },
    {
      name: 'kernel-not-to-modules',
      comment: 'The platform kernel serves every module and imports none.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'module-not-to-other-module-internals',
      comment: "A module reaches another only through that module's index.ts (or through events).",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-circular',
      comment: 'Dependency cycles make layers meaningless and initialisation order fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Count `import type` too: a domain that needs Sequelize's types is not framework-free.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
