/**
 * What a simulated cluster plays for each application it is given (the `simulated` deployment
 * target): how many jobs the driver "submits", how many tasks each job has, and the pause between
 * two events. With the defaults a driver-mode application produces about 20 events in the control
 * plane's log (its own status changes, its cluster's progress, the driver job and one job of one
 * task, each with their task states) and ends FINISHED about 150 ms after its driver was submitted.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** The shape and pace of what a simulated cluster plays. */
export interface SimulationScript {
  /** How many NORMAL jobs each driver (or application-mode main()) submits, one after the other. */
  jobsPerApplication: number;
  /** How many tasks (subtasks of one vertex) each of those jobs has. */
  tasksPerJob: number;
  /** The pause between two events of one job manager's script, in milliseconds (0: as fast as the event loop allows). */
  eventIntervalMs: number;
}

/** The script when nothing else is said. */
export const SIMULATION_DEFAULTS: SimulationScript = { jobsPerApplication: 1, tasksPerJob: 1, eventIntervalMs: 10 };

/** `options` with the defaults filled in; INVALID_ARGUMENT naming the setting that is out of range. */
export function compileSimulationScript(options: Partial<SimulationScript> = {}): SimulationScript {
  const script = { ...SIMULATION_DEFAULTS, ...options };
  const check = (value: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
    }
  };
  check(script.jobsPerApplication, 'the simulated jobs per application', 0, 1000);
  check(script.tasksPerJob, 'the simulated tasks per job', 1, 1000);
  check(script.eventIntervalMs, 'the simulated event interval', 0, 60_000);
  return script;
}

/** The address of a simulated cluster's job manager: a HOST:PORT that names the cluster and that no network resolves. */
export function simulatedJobManagerAddress(clusterId: string): string {
  return `${clusterId}.simulated:1`;
}

/** Whether `address` names the job manager of a simulated cluster. */
export function isSimulatedJobManagerAddress(address: string): boolean {
  return /\.simulated:1$/.test(address);
}
