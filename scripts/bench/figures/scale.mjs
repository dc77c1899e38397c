// Figure 5: the control plane alone at scale. It needs a deployment target that only simulates
// clusters (a fake job manager answering the control plane's Dispatcher calls and emitting the
// events of a driver job), so that 10,000 applications cost no processes. The control plane has
// no such target yet (src/deployment has only "local"), so this figure reports itself as not
// measured instead of measuring something else under its name.

export const figure = {
  id: '5',
  title: 'Control plane alone at scale, with a deployment target that only simulates clusters',
  target: '>= 1,000 submissions/s; p99 <= 50 ms; <= 300 MB; growth no worse than linear',
};

const REASON = 'needs a simulated deployment target (src/deployment)';

export async function run() {
  return {
    rows: [
      { label: 'sustained submissions/s (1k and 10k applications)', target: '>= 1,000 submissions/s', notMeasured: REASON },
      { label: 'event fan-out to 1,000 concurrent watchers: p99 delivery latency', target: 'p99 <= 50 ms', notMeasured: REASON },
      { label: 'RSS after 10,000 applications of 20 events each (and 1k)', target: '<= 300 MB; growth no worse than linear', notMeasured: REASON },
    ],
    notes: [
      'Not measured: the control plane can only deploy real local clusters (src/deployment/local), one job manager and N task executor processes per application, so 1,000 or 10,000 applications cannot run on this machine and any number measured here would not be the control plane alone.',
      'What it needs (src/, not built here): (1) a `DeploymentTarget` "simulated" (src/deployment/simulated/) whose deploy() resolves at once with a ClusterHandle that owns no process (a made-up job manager address, `processes: []`, tearDown() and kill() resolving at once) and whose attach() works after a restart; (2) a `ConnectDispatcher` that returns, for those addresses, an in-memory `DispatcherGateway`: uploadBundle a no-op, submitJob answering a job id and then playing a scripted driver job on watchJobEvents (job CREATED/RUNNING, task SCHEDULED/DEPLOYING/INITIALIZING/RUNNING/FINISHED, job FINISHED, the application\'s ApplicationStatusChanged RUNNING and FINISHED: about 20 events per application, the count and pace configurable), cancelJob, overview and shutDownCluster; (3) a way to select both in the real process: `createControlPlaneDomain()` already takes `target` and `connect`, but `startControlPlane()` (src/controlplane/controlPlane.ts) passes neither and `flotilla controlplane` has no option, so a `--deployment-target simulated` option (with e.g. `--simulated-events-per-application`) on the controlplane command, passed through ControlPlaneOptions. The figure then starts `flotilla controlplane --deployment-target simulated`, submits 1k and 10k applications over gRPC (submissions/s), opens 1,000 WatchApplication streams and measures event delivery latency from the event times, and reads VmRSS from /proc/PID/status after 1k and 10k applications.',
    ],
  };
}
