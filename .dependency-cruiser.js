/**
 * The architecture as rules (STYLE.md): the domain is pure; the application layer knows ports, not adapters;
 * adapters never reach into apps; libraries are entered through their index only. Rules about what a file may
 * say rather than import (one home per rule) are test/architecture/*.spec.ts, which `lint:architecture` runs too.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports nothing but itself: no NestJS, no adapters, no node I/O',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: ['^libs/domain/'] },
    },
    {
      name: 'application-knows-only-domain',
      comment: 'the application layer (ports, use cases) depends on the domain and node built-ins only',
      severity: 'error',
      from: { path: '^libs/application/' },
      to: {
        pathNot: ['^libs/application/', '^libs/domain/', '^node:', '^(crypto|util)$'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'no-nestjs-in-libs-core',
      comment: 'decorators live in apps/ and adapters',
      severity: 'error',
      from: { path: '^libs/(domain|application)/' },
      to: { path: 'node_modules/@nestjs/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'adapters-do-not-import-composition',
      severity: 'error',
      from: { path: '^libs/(postgres|eventstoredb)/' },
      to: { path: '^libs/platform/' },
    },
    {
      name: 'reactions-take-checkpoints-through-the-port',
      comment:
        'the shared reactor and the reactions built on it know the CheckpointStore port, not its PostgreSQL adapter',
      severity: 'error',
      from: { path: '^apps/worker/src/(reactions|finding-resolution|directory)/', pathNot: '\\.int-spec\\.ts$' },
      to: { path: '^libs/postgres/' },
    },
    {
      name: 'enter-other-libraries-through-their-index',
      comment: 'no deep imports into another library',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'apps-enter-libraries-through-their-index',
      severity: 'error',
      from: { path: '^(apps|test|bench|scripts)/', pathNot: '^test/contract/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'worker-reactions-send-commands-through-the-bus',
      comment:
        'a reactor or a job processor sends a typed command on the CommandBus; only the bus reaches its handler ' +
        '(and the handler its use case), as in the API',
      severity: 'error',
      from: { path: '^apps/worker/src/.+\\.(reactor|processor)\\.ts$' },
      to: { path: '\\.handler\\.ts$' },
    },
    {
      name: 'use-cases-never-touch-the-stream-cache',
      comment:
        'a use case reads load → decide → append; trusting a cached state (and ' +
        "re-reading before a refusal) is decideAndAppend's (a use case's test may make one, to see what it is left)",
      severity: 'error',
      from: {
        path: '^libs/application/src/',
        pathNot: ['^libs/application/src/command-handling/', '^libs/application/src/index\\.ts$', '\\.spec\\.ts$'],
      },
      to: { path: '^libs/application/src/command-handling/stream-state-cache\\.ts$' },
    },
    {
      name: 'api-features-meet-through-their-index',
      comment:
        "apps/api is one folder per feature: a feature's controllers, services and handlers use another feature only " +
        'through its index.ts (what it offers the others), never its ' +
        'internals; access, commands, http and infrastructure are shared',
      severity: 'error',
      from: {
        path: '^apps/api/src/([^/]+)/',
        pathNot: ['\\.spec\\.ts$', '^apps/api/src/(access|commands|http|infrastructure|web)/'],
      },
      to: {
        path: '^apps/api/src/[^/]+/',
        pathNot: [
          '^apps/api/src/$1/',
          '^apps/api/src/(access|commands|http|infrastructure|web)/',
          '^apps/api/src/[^/]+/index\\.ts$',
        ],
      },
    },
    {
      name: 'api-shared-folders-know-no-feature',
      comment: 'what every feature shares (access, commands, http, infrastructure) depends on no feature',
      severity: 'error',
      from: { path: '^apps/api/src/(access|commands|http|infrastructure|web)/', pathNot: ['\\.spec\\.ts$'] },
      to: { path: '^apps/api/src/', pathNot: ['^apps/api/src/(access|commands|http|infrastructure|web)/'] },
    },
    {
      name: 'the-contract-suite-enters-libraries-through-their-index-or-test-doubles',
      comment: 'the event store contract also runs the in-memory store, a test double that is no part of a library API',
      severity: 'error',
      from: { path: '^test/contract/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/[^/]+/src/index\\.ts$', '^libs/[^/]+/src/testing/'] },
    },
    {
      name: 'emmett-only-in-the-benchmark',
      comment: "Emmett's PostgreSQL event store is a dev dependency, for the benchmark's side-by-side run only",
      severity: 'error',
      from: { pathNot: '^bench/' },
      to: { path: 'node_modules/@event-driven-io/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
