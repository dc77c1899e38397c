/**
 * Validates a RunApplication request and fills in its defaults, before anything is stored or
 * deployed. Every problem is INVALID_ARGUMENT naming the field; modes and features of later
 * milestones are UNIMPLEMENTED with a message saying so. A savepoint path is only checked for its
 * form here; what it holds is read by savepoints/resolveRestore.ts. What needs the control plane's state
 * (is the bundle stored? is the cluster known?) is checked by the caller.
 */
import { InvalidArgumentError, NotImplementedError } from '../../common/errors.js';
import { isArtifactId } from '../../blob/artifactId.js';
import { checkDialAddress } from '../../common/address.js';
import { absoluteFolder } from '../savepoints/savepointDirectory.js';
import { compileClusterSpec } from '../clusters/compileClusterSpec.js';
import type { ApplicationSubmission, ClusterTarget, SubmissionMode } from '../model/Application.js';
import { MAX_DRIVER_ATTEMPTS } from '../model/DriverAttempt.js';
import { checkProperties, checkResources, checkText } from '../model/checks.js';
import type { RunApplicationInput } from './RunApplicationInput.js';
import { submissionModeOf } from './modes/submissionModes.js';

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
  const strategy = submissionModeOf({ mode });
  const detached = strategy.detached(input.detached);
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
    detached,
    bundle: checkBundle(input.bundle),
    entry: normalizeEntry(input.entry),
    args: checkArgs(input.args),
    target: strategy.checkTarget(compileTarget(input.target, strategy.defaultSlots(parallelism))),
    driverResources: checkResources(input.driverResources, 'driver_resources'),
    parallelism,
    properties: checkProperties(input.properties, 'properties'),
    driverAttempts: checkDriverAttempts(input.driverAttempts, mode),
    driverRetryOwnFailures: checkRetryOwnFailures(input.driverRetryOwnFailures === true, mode),
  };
  const savepoint = compileRestore(input);
  if (savepoint) submission.savepoint = savepoint;
  return submission;
}

/**
 * What the application restores from, as asked: a savepoint path (absolute, resolved later by
 * savepoints/resolveRestore.ts against the file system) or the previous run's checkpoints
 * (`resume`), never both; undefined when neither.
 */
function compileRestore(input: RunApplicationInput): ApplicationSubmission['savepoint'] {
  const path = input.savepoint?.path.trim() ?? '';
  const allowNonRestoredState = input.savepoint?.allowNonRestoredState === true;
  if (path !== '' && input.resume === true) {
    throw new InvalidArgumentError(
      "savepoint.path (-s) and resume (-r) contradict each other: restore either from a savepoint or from the previous run's latest checkpoints",
    );
  }
  if (path !== '') return { path: absoluteFolder(path, 'savepoint.path'), allowNonRestoredState };
  if (input.resume === true) return { path: '', allowNonRestoredState, resume: true };
  return undefined;
}

/** The driver attempts asked for (0 is the default, 1); more than one only in driver mode, at most {@link MAX_DRIVER_ATTEMPTS}. */
function checkDriverAttempts(requested: number, mode: SubmissionMode): number {
  const attempts = requested === 0 ? 1 : requested;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > MAX_DRIVER_ATTEMPTS) {
    throw new InvalidArgumentError(
      `driver_attempts must be 0 (the default, 1) to ${MAX_DRIVER_ATTEMPTS}, got ${requested}`,
    );
  }
  if (attempts > 1 && mode !== 'DRIVER') {
    throw new InvalidArgumentError(
      `driver_attempts applies to DRIVER mode only (a driver that is lost is started again), got ${attempts} for ${mode}; leave it at 0 or 1`,
    );
  }
  return attempts;
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
 * `defaultSlots` slots (the mode's, see SubmissionModeStrategy.defaultSlots). Which targets a mode
 * takes is the mode's to check.
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

/** Retrying a driver's own failures is a driver-mode setting; other modes have no driver to start again. */
function checkRetryOwnFailures(retry: boolean, mode: SubmissionMode): boolean {
  if (retry && mode !== 'DRIVER') {
    throw new InvalidArgumentError(
      `driver_retry_own_failures applies to DRIVER mode only (a driver that failed is started again), got true for ${mode}; leave it false`,
    );
  }
  return retry;
}
