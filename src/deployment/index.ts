export type {
  ClusterDeploymentRequest,
  ClusterHandle,
  ClusterProcess,
  ConnectJobManager,
  DeployedClusterRecord,
  DeploymentProgress,
  DeploymentTarget,
  JobManagerAdmin,
  TaskExecutorDefaults,
} from './DeploymentTarget.js';
export { DeploymentError } from './DeploymentError.js';
export { LocalDeploymentTarget, type LocalDeploymentOptions } from './local/LocalDeploymentTarget.js';
export { SimulatedDeploymentTarget } from './simulated/SimulatedDeploymentTarget.js';
export { SIMULATION_DEFAULTS, type SimulationScript } from './simulated/SimulationScript.js';
