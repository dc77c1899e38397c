// The layers of Flotilla (docs/architecture.md, "Layers"), checked by dependency-cruiser.
// `npm run depcheck` (part of `npm run lint`) runs these rules through scripts/lint/depcheck.mjs,
// which adds the one check dependency-cruiser cannot express, `no-folder-cycle`
// (scripts/lint/folderCycles.mjs): no cycle between folders at any depth, a parent folder and its
// subfolder included. dependency-cruiser's own folder-scope rules (`scope: 'folder'`) miss exactly
// those: a folder's dependencies there leave out its subfolders, so src/deployment importing
// src/deployment/local while local imports src/deployment is not seen as a cycle.
//
// Words used below:
// - component: a top-level folder of src/ other than src/common and src/rpc (src/dispatcher,
//   src/controlplane, src/bundle, ...).
// - adapter folder: a folder named `service` (a component's gRPC service, its converters, its
//   clients of other services) or `grpc` (the gRPC transport of the data exchange).
// - domain code: everything in src/ except src/rpc, src/cli, src/client, src/minicluster and
//   adapter folders.
// - composition roots: src/minicluster and the CLI's process verbs
//   (src/cli/commands/controlplane.ts, jobmanager.ts, taskexecutor.ts), which start servers; a
//   component's start-up code in its own service/ folder wires adapters too.

/** The gRPC libraries and the generated contracts, by resolved path or, when unresolved, by name. */
const GRPC = ['(^|/)node_modules/(nice-grpc[^/]*|@grpc/grpc-js)/', '^(nice-grpc[^/]*|@grpc/grpc-js)$', '^generated/'];
/** Code allowed to speak gRPC: transport, client, CLI, composition roots and adapter folders. */
const GRPC_ALLOWED = ['^src/(rpc|cli|client|minicluster)/', '^src/.+/(service|grpc)/'];
/**
 * The CLI's process verbs, composition roots that start a component's server, and src/cli/process/,
 * what they share (serving until signalled, server security and the control plane's tenants).
 */
const PROCESS_VERBS = ['^src/cli/commands/(controlplane|jobmanager|taskexecutor)[.]ts$', '^src/cli/process/'];
/** A test of its own (a unit test next to its code, or test-support code in a testing/ folder). */
const TEST_CODE = ['[.]test[.]ts$', '(^|/)testing/'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules that import each other cannot be understood, tested or moved one at a time: ' +
        'break the cycle by moving the shared piece down or by passing an interface in.',
      // The one exception: Flink's API pair, DataStream.keyBy() returning a KeyedStream whose
      // aggregations return DataStreams. Each uses the other only inside methods, never while the
      // modules load; a cycle through any third module is still reported (from that module).
      from: { path: '^(src|test)/', pathNot: '^src/api/(DataStream|KeyedStream)[.]ts$' },
      to: { circular: true },
    },
    {
      name: 'no-grpc-in-domain',
      severity: 'error',
      comment:
        'Domain code stays free of the transport so it can be tested without a server and served ' +
        'by another transport: only src/rpc, src/client, src/cli, composition roots and adapter ' +
        'folders (service/, grpc/) may import nice-grpc, @grpc/grpc-js or generated/.',
      // src/web, the dashboard's browser code, has a stricter rule of its own (web-is-browser-code).
      from: { path: '^src/', pathNot: [...GRPC_ALLOWED, '^src/web/'] },
      to: { path: GRPC },
    },
    {
      name: 'no-prometheus-in-domain',
      severity: 'error',
      comment:
        'Components publish metrics through the Metrics port of src/common/metrics.ts; only the Prometheus ' +
        'adapter beside the process verbs (src/cli/process/) and adapter folders (service/) may import prom-client.',
      from: { path: '^src/', pathNot: ['^src/cli/process/', '^src/.+/service/'] },
      to: { path: ['(^|/)node_modules/prom-client/', '^prom-client$'] },
    },
    {
      name: 'rpc-is-transport-only',
      severity: 'error',
      comment:
        'src/rpc is the transport every server and client shares; it knows no component, so a ' +
        "component's adapters belong in that component's service/ folder, not in src/rpc.",
      from: { path: '^src/rpc/' },
      to: { path: '^src/', pathNot: '^src/(rpc|common)/' },
    },
    {
      name: 'common-is-self-contained',
      severity: 'error',
      comment:
        'src/common is the bottom layer that everything may import, so it imports nothing of ours ' +
        'but itself (no component, no src/rpc, no generated/).',
      from: { path: '^src/common/' },
      to: { path: '^(src|generated|test)/', pathNot: '^src/common/' },
    },
    {
      name: 'no-foreign-adapter',
      severity: 'error',
      comment:
        "A component's domain code talks to another component through interfaces (gateways, ports), never through " +
        "the other's gRPC adapter (service/, grpc/): only adapter code, which includes a component's own start-up in " +
        'its service/, the client, the CLI and the composition roots wire adapters together.',
      // The CLI has its own, stricter rule (cli-talks-to-control-plane); src/rpc has rpc-is-transport-only.
      from: { path: '^src/([^/]+)/', pathNot: GRPC_ALLOWED },
      to: { path: ['^src/[^/]+/(service|grpc)/', '^src/[^/]+/.*/(service|grpc)/'], pathNot: '^src/$1/' },
    },
    {
      name: 'no-testing-in-production',
      severity: 'error',
      comment:
        'testing/ folders hold test support (fakes, fixtures) that is not built into dist/; code that ships ' +
        'importing them would break at run time, so only tests and other test support may import them.',
      from: { path: '^src/', pathNot: TEST_CODE },
      to: { path: '(^|/)testing/' },
    },
    {
      name: 'cli-talks-to-control-plane',
      severity: 'error',
      comment:
        'The CLI is a thin client of the control plane: it parses arguments and prints, through src/client, ' +
        'src/common, src/bundle, src/rpc (credentials) and generated/; only the process verbs ' +
        '(controlplane, jobmanager, taskexecutor) start a component and may import it.',
      from: { path: '^src/cli/', pathNot: PROCESS_VERBS },
      to: { path: '^src/', pathNot: '^src/(cli|client|common|bundle|rpc)/' },
    },
    {
      name: 'web-is-browser-code',
      severity: 'error',
      comment:
        "src/web is the dashboard's browser code, bundled by scripts/bundle-web.mjs: it talks to the control plane " +
        'only through the contract (gRPC-Web calls of ClusterClientService), so it may import its own files, the ' +
        'generated messages and their wire library, and src/client/describeEvent.ts (event lines shared with the ' +
        'CLI, kept browser-safe by web-shared-code-stays-browser-safe); no Node module, no gRPC library, no server code.',
      from: { path: '^src/web/' },
      to: {
        pathNot: [
          '^src/web/',
          '^generated/flotilla/',
          '^generated/google/',
          '(^|/)node_modules/@bufbuild/protobuf/',
          '^src/client/describeEvent[.]ts$',
        ],
      },
    },
    {
      name: 'web-shared-code-stays-browser-safe',
      severity: 'error',
      comment:
        "Code the dashboard's browser bundle shares with the CLI (src/client/describeEvent.ts) imports only the generated " +
        'messages, so the browser never loads a Node module or gRPC through it.',
      from: { path: '^src/client/describeEvent[.]ts$' },
      to: { pathNot: ['^generated/flotilla/', '^generated/google/'] },
    },
    {
      name: 'no-web-in-node',
      severity: 'error',
      comment:
        "src/web runs in the browser, bundled on its own into dist/web: code of the processes importing it would load browser code into Node (tests may, to drive the dashboard's client).",
      from: { path: '^src/', pathNot: '^src/web/' },
      to: { path: '^src/web/' },
    },
    {
      name: 'src-not-to-test',
      severity: 'error',
      comment:
        'test/ is not built into dist/ and holds integration tests: src/ importing it would ship a ' +
        'dependency on test code; move the shared helper into a testing/ folder under src/.',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import the checker cannot resolve is an import no rule can see; fix the path (or the ' +
        'checker) so that every dependency is checked.',
      from: { path: '^(src|test)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a domain file naming a nice-grpc type depends on nice-grpc.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: ['node_modules', '^generated/'] },
    // Fixture trees are data for tests (the rules' own test cruises them on purpose).
    exclude: { path: ['(^|/)fixtures/', '^dist/'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
  },
};
