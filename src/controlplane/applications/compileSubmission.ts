/**
 * Validates a RunApplication request and fills in its defaults, before anything is stored or
 * deployed. Every problem is INVALID_ARGUMENT naming the field; modes and features of later
 * milestones are UNIMPLEMENTED with a message saying so. What needs the control plane's state
 * (is the bundle stored? is the cluster known?) is checked by the caller.
 */
import { InvalidArgumentError, NotImplementedError } from '../../common/errors.js';
import { isArtifactId } from '../../blob/artifactId.js';
import { checkDialAddress } from '../../common/address.js';
import { compileClusterSpec } from '../clusters/compileClusterSpec.js';
import type { ApplicationSubmission, ClusterTarget } from '../model/Application.js';
import { checkProperties, checkResources, checkText } from './checks.js';
import type { RunApplicationInput } from './RunApplicationInput.js';

/** The largest default parallelism an application may ask for (as a job vertex's). */
export const MAX_PARALLELISM = 1024;
const MAX_ARGS = 1000;
const MAX_ARG_CHARACTERS = 64 * 1024;
const MAX_ARGS_CHARACTERS = 1024 * 1024;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Checks a request id: empty (none) or at most 200 printable characters. */
export function checkRequestId(requestId: string): string {
  return checkText(requestId, 'request_id', 200);
}

/** The validated submission with defaults; throws on the first problem. */
export function compileSubmission(input: RunApplicationInput): ApplicationSubmission {
  const mode = input.mode;
  if (mode === undefined) {
    throw new InvalidArgumentError(
      'mode is required: DRIVER runs main() as a driver job in the cluster (flotilla run -D), SESSION and PER_JOB run it in the client (flotilla run -m ADDR, --target per-job), APPLICATION in the job manager',
    );
  }
  if (mode === 'DRIVER' && input.detached) {
    throw new InvalidArgumentError(
      'detached cannot be combined with DRIVER mode: a driver-mode application always runs detached from the client (the CLI returns once the driver is accepted); use --follow to watch it instead of -d',
    );
  }
  checkRequestId(input.requestId);
  const parallelism = input.parallelism === 0 ? 1 : input.parallelism;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > MAX_PARALLELISM) {
    throw new InvalidArgumentError(
      `parallelism must be 0 (the default, 1) to ${MAX_PARALLELISM}, got ${input.parallelism}`,
    );
  }
  const submission: ApplicationSubmission = {
    name: checkText(input.name.trim(), 'name', 200),
    mode,
    // A driver runs in the cluster: the client never waits for the jobs.
    detached: mode === 'DRIVER' || mode === 'APPLICATION' ? true : input.detached,
    bundle: checkBundle(input.bundle),
    entry: normalizeEntry(input.entry),
    args: checkArgs(input.args),
    target: checkModeTarget(
      mode,
      compileTarget(input.target, mode === 'PER_JOB' || mode === 'APPLICATION' ? parallelism : parallelism + 1),
    ),
    driverResources: checkResources(input.driverResources, 'driver_resources'),
    parallelism,
    properties: checkProperties(input.properties, 'properties'),
  };
  if (input.savepoint && input.savepoint.path !== '') {
    throw new NotImplementedError(
      'restoring from a savepoint (savepoint.path, -s) arrives in a later version of Flotilla',
    );
  }
  return submission;
}

function checkBundle(bundle: RunApplicationInput['bundle']): ApplicationSubmission['bundle'] {
  if (!bundle) throw new InvalidArgumentError('bundle is required: the artifact id that flotilla upload printed');
  if ('uri' in bundle) {
    throw new NotImplementedError(
      'bundles named by a URI (bundle.uri) arrive in a later version of Flotilla; upload the bundle (flotilla upload) and name its artifact id',
    );
  }
  if (!isArtifactId(bundle.artifactId)) {
    throw new InvalidArgumentError(
      `bundle.artifact_id "${bundle.artifactId.slice(0, 80)}" is not a lowercase hex sha256 (64 characters), as flotilla upload prints it`,
    );
  }
  return { artifactId: bundle.artifactId };
}

/**
 * The entry as `module#export`: the export defaults to `main`, and an empty module means the
 * bundle's package main. A module path may not leave the bundle.
 */
export function normalizeEntry(entry: string): string {
  checkText(entry, 'entry', 1024);
  const parts = entry.trim().split('#');
  if (parts.length > 2)
    throw new InvalidArgumentError(`entry "${entry}" has more than one "#"; write module#export, such as main.js#run`);
  const [module, exportName = ''] = parts;
  if (exportName !== '' && !IDENTIFIER.test(exportName)) {
    throw new InvalidArgumentError(`entry "${entry}": the export "${exportName}" is not a JavaScript identifier`);
  }
  if (module.startsWith('/') || module.split(/[\\/]/).includes('..')) {
    throw new InvalidArgumentError(
      `entry "${entry}": the module must be a path inside the bundle (relative, without "..")`,
    );
  }
  return `${module}#${exportName || 'main'}`;
}

function checkArgs(args: string[]): string[] {
  if (args.length > MAX_ARGS)
    throw new InvalidArgumentError(`args may hold at most ${MAX_ARGS} arguments, got ${args.length}`);
  let total = 0;
  args.forEach((arg, index) => {
    if (arg.length > MAX_ARG_CHARACTERS)
      throw new InvalidArgumentError(
        `args[${index}] must be at most ${MAX_ARG_CHARACTERS} characters, got ${arg.length}`,
      );
    if (arg.includes('\u0000')) throw new InvalidArgumentError(`args[${index}] must not contain NUL characters`);
    total += arg.length;
  });
  if (total > MAX_ARGS_CHARACTERS)
    throw new InvalidArgumentError(`args must hold at most ${MAX_ARGS_CHARACTERS} characters in all, got ${total}`);
  return [...args];
}

/**
 * The cluster target; none means an owned cluster of the default size: 1 task executor with
 * `defaultSlots` slots (parallelism + 1 in driver mode, so the driver and a job fit).
 */
function compileTarget(target: RunApplicationInput['target'], defaultSlots: number): ClusterTarget {
  if (!target)
    return {
      kind: 'deploy',
      spec: compileClusterSpec(
        { taskExecutors: 0, slotsPerTaskExecutor: 0, properties: {} },
        defaultSlots,
        'cluster.deploy',
      ),
    };
  switch (target.kind) {
    case 'deploy':
      return { kind: 'deploy', spec: compileClusterSpec(target.spec, defaultSlots, 'cluster.deploy') };
    case 'cluster':
      if (target.clusterId === '')
        throw new InvalidArgumentError(
          'cluster.cluster_id is empty: name a cluster (flotilla cluster list lists them)',
        );
      return { kind: 'cluster', clusterId: checkText(target.clusterId, 'cluster.cluster_id', 200) };
    case 'jobmanager':
      return { kind: 'jobmanager', address: checkDialAddress(target.address, 'cluster.jobmanager_address') };
  }
}

/**
 * Which targets a mode takes: session mode runs on a cluster the user names (Flink's -m), and
 * per-job mode deploys a new cluster for every job, so it cannot take a named one; nor can
 * application mode, whose main() runs in the job manager of a cluster deployed for it (as in Flink).
 */
function checkModeTarget(mode: ApplicationSubmission['mode'], target: ClusterTarget): ClusterTarget {
  if (mode === 'SESSION' && target.kind === 'deploy') {
    throw new InvalidArgumentError(
      'SESSION mode runs the jobs on a cluster you name: set cluster.jobmanager_address (-m HOST:PORT) or cluster.cluster_id (--cluster ID); for a cluster deployed on demand use PER_JOB (--target per-job) or DRIVER (-D) mode',
    );
  }
  if (mode === 'APPLICATION' && target.kind !== 'deploy') {
    throw new InvalidArgumentError(
      'APPLICATION mode always runs on a cluster of its own, deployed for the application and torn down at its end (main() runs in its job manager); drop -m/--cluster (cluster.deploy may set its size), or use DRIVER mode (-D) to run main() on that cluster',
    );
  }
  if (mode === 'PER_JOB' && target.kind !== 'deploy') {
    throw new InvalidArgumentError(
      "PER_JOB mode deploys a new cluster for every job and cannot use a named cluster; drop -m/--cluster (cluster.deploy may set the size of each job's cluster), or use SESSION mode to run on that cluster",
    );
  }
  return target;
}
