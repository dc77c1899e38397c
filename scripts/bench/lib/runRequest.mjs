// The RunApplication request the benchmarks send: a stored bundle, by artifact id, in driver mode,
// with what the figure sets (a name, main()'s arguments, the cluster to deploy, driver resources).
import { importDist } from './paths.mjs';

const { SubmissionMode } = await importDist('dist/generated/flotilla/v1/status.js');

/** A driver-mode RunApplicationRequest for `artifactId`; an unset cluster is the control plane's default owned one. */
export function driverRunRequest({
  artifactId,
  name = 'bench',
  args = [],
  cluster = undefined,
  driverResources = undefined,
}) {
  return {
    requestId: '',
    name,
    bundle: { source: { $case: 'artifactId', artifactId } },
    entry: '',
    args,
    mode: SubmissionMode.DRIVER,
    detached: false,
    cluster,
    driverResources,
    parallelism: 0,
    savepoint: undefined,
    properties: {},
  };
}
