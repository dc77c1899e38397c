/**
 * A cluster simulated in memory for Dispatcher tests: a resource manager of N task executors with
 * M slots each, whose gateways "run" each deployed task by reporting INITIALIZING and RUNNING to
 * the Dispatcher, sending the records and output its script says, then FINISHED or FAILED (or
 * nothing, for a task that hangs until cancelled). Every step is a separate turn of the event loop,
 * so the events of concurrent tasks interleave as they would over the network.
 */
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ResourceExhaustedError } from '../../common/errors.js';
import type { ResourceProfile } from '../../jobgraph/jobGraph.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import type { SlotAssignment } from '../../resourcemanager/ResourceManager.js';
import type { TaskExecutorGateway } from '../../runtime/TaskExecutorGateway.js';
import type { ClusterResources } from '../ClusterResources.js';
import type { Dispatcher } from '../Dispatcher.js';

/** What one deployed task does. */
export interface TaskScript {
  /** Records its collect() sink sends before the task ends. */
  collect?: unknown[];
  /** Text it writes to stdout before the task ends. */
  stdout?: string;
  /** How it ends; `hang` runs until cancelled. */
  outcome: 'finish' | 'fail' | 'hang';
  /** Extra turns of the event loop it takes while RUNNING, to order tasks against each other. */
  delayTurns?: number;
}

interface FakeSlot {
  taskExecutorId: string;
  slotIndex: number;
  allocationId: string;
}

/** Options of {@link FakeCluster}. */
export interface FakeClusterOptions {
  taskExecutors?: number;
  slotsPerTaskExecutor?: number;
  /** Refuse slot requests at once when no slot is free, instead of waiting for one. */
  refuseWhenFull?: boolean;
}

/** The fake resource manager and its task executors. */
export class FakeCluster extends EventEmitter implements ClusterResources {
  /** The Dispatcher tasks report to; set it after creating the Dispatcher. */
  dispatcher: Dispatcher | undefined;
  /** What each deployed task does; change it between or during tests. */
  script: (task: TaskDeploymentDescriptor) => TaskScript = () => ({ outcome: 'finish' });
  /** Every task deployed, in order. */
  readonly deployed: TaskDeploymentDescriptor[] = [];
  /** The reasons task executors were asked to shut down with. */
  readonly shutDowns: string[] = [];
  private readonly gateways = new Map<string, TaskExecutorGateway>();
  private readonly slots: FakeSlot[] = [];
  private readonly waiting: Array<{ jobId: string; resolve: (slot: SlotAssignment) => void }> = [];
  /** The task executor each deployed attempt runs on. */
  private readonly hosts = new Map<string, string>();
  private nextAllocation = 0;

  constructor(private readonly options: FakeClusterOptions = {}) {
    super();
    for (let executor = 0; executor < (options.taskExecutors ?? 2); executor++) {
      const taskExecutorId = `te-${executor}`;
      this.gateways.set(taskExecutorId, this.gateway(taskExecutorId));
      for (let slotIndex = 0; slotIndex < (options.slotsPerTaskExecutor ?? 2); slotIndex++)
        this.slots.push({ taskExecutorId, slotIndex, allocationId: '' });
    }
  }

  /** How many slots are allocated now. */
  get allocatedSlots(): number {
    return this.slots.filter((slot) => slot.allocationId !== '').length;
  }

  async requestSlot(jobId: string, resources: ResourceProfile): Promise<SlotAssignment> {
    const slot = this.slots.find((candidate) => candidate.allocationId === '');
    if (slot) return this.allocate(slot, jobId);
    if (this.options.refuseWhenFull)
      throw new ResourceExhaustedError(`no slot with ${resources.cpus} cpu is free in the fake cluster`);
    return new Promise((resolve) => this.waiting.push({ jobId, resolve }));
  }

  async freeSlot(assignment: SlotAssignment): Promise<void> {
    const slot = this.slots.find((candidate) => candidate.allocationId === assignment.allocationId);
    if (!slot) return;
    slot.allocationId = '';
    const next = this.waiting.shift();
    if (next) next.resolve(this.allocate(slot, next.jobId));
  }

  gatewayOf(taskExecutorId: string): TaskExecutorGateway | undefined {
    return this.gateways.get(taskExecutorId);
  }

  taskExecutors(): Array<{ taskExecutorId: string; gateway: TaskExecutorGateway }> {
    return [...this.gateways].map(([taskExecutorId, gateway]) => ({ taskExecutorId, gateway }));
  }

  /**
   * Ends every attempt of `jobId` deployed so far (those that hang, or run): FINISHED, or FAILED
   * with `failure`. Reports of attempts that already ended are refused by the Dispatcher, as from
   * a real task executor.
   */
  complete(
    jobId: string,
    outcome: 'finish' | 'fail',
    failure = { name: 'Error', message: `boom in job ${jobId}`, stack: 'Error: boom\n    at main.js:3' },
  ): void {
    for (const task of this.deployed.filter((candidate) => candidate.jobId === jobId)) {
      const taskExecutorId = this.hosts.get(task.executionAttemptId)!;
      if (outcome === 'finish') this.report(taskExecutorId, task, 'FINISHED');
      else this.report(taskExecutorId, task, 'FAILED', failure);
    }
  }

  /** The task executor that runs (or ran) the attempts of `jobId`. */
  hostOf(jobId: string): string | undefined {
    const task = this.deployed.find((candidate) => candidate.jobId === jobId);
    return task && this.hosts.get(task.executionAttemptId);
  }

  /** Declares a task executor lost, as the resource manager does when its heartbeats stop. */
  lose(taskExecutorId: string, reason: string): void {
    this.unregister(taskExecutorId);
    this.emit('taskExecutorLost', taskExecutorId, reason);
  }

  /** Drops a task executor without telling anyone (as if it left between two heartbeats). */
  unregister(taskExecutorId: string): void {
    this.gateways.delete(taskExecutorId);
    for (let index = this.slots.length - 1; index >= 0; index--)
      if (this.slots[index].taskExecutorId === taskExecutorId) this.slots.splice(index, 1);
  }

  private allocate(slot: FakeSlot, jobId: string): SlotAssignment {
    slot.allocationId = `alloc-${this.nextAllocation++}`;
    return {
      allocationId: slot.allocationId,
      taskExecutorId: slot.taskExecutorId,
      address: `${slot.taskExecutorId}:1`,
      slotIndex: slot.slotIndex,
      jobId,
    };
  }

  private gateway(taskExecutorId: string): TaskExecutorGateway {
    return {
      requestSlot: async () => {
        throw new Error('the fake resource manager allocates slots itself');
      },
      freeSlot: async () => undefined,
      triggerCheckpoint: async () => false,
      confirmCheckpoint: async () => undefined,
      submitTask: async (task) => {
        this.deployed.push(task);
        this.hosts.set(task.executionAttemptId, taskExecutorId);
        void this.run(taskExecutorId, task);
      },
      cancelTask: async (executionAttemptId) => {
        const task = this.deployed.find((candidate) => candidate.executionAttemptId === executionAttemptId)!;
        await nextTurn();
        this.report(taskExecutorId, task, 'CANCELED');
      },
      shutDown: async (reason) => void this.shutDowns.push(`${taskExecutorId}: ${reason}`),
      close: () => undefined,
    };
  }

  private async run(taskExecutorId: string, task: TaskDeploymentDescriptor): Promise<void> {
    const script = this.script(task);
    for (const state of ['INITIALIZING', 'RUNNING'] as const) {
      await nextTurn();
      if (!this.report(taskExecutorId, task, state)) return;
    }
    const dispatcher = this.dispatcher!;
    for (let turn = 0; turn < (script.delayTurns ?? 0); turn++) await nextTurn();
    if (script.collect) {
      await nextTurn();
      const size = Buffer.byteLength(script.collect.map((record) => JSON.stringify(record)).join('\n'));
      if (!dispatcher.reportCollectedRecords(task.jobId, task.executionAttemptId, script.collect, size)) return;
    }
    if (script.stdout) {
      await nextTurn();
      dispatcher.reportTaskOutput(task.jobId, task.executionAttemptId, 'stdout', Buffer.from(script.stdout));
    }
    await nextTurn();
    if (script.outcome === 'finish') this.report(taskExecutorId, task, 'FINISHED');
    if (script.outcome === 'fail') {
      this.report(taskExecutorId, task, 'FAILED', {
        name: 'Error',
        message: `boom in ${task.vertexName} (subtask ${task.subtaskIndex})`,
        stack: 'Error: boom\n    at main.js:3',
      });
    }
  }

  private report(
    taskExecutorId: string,
    task: TaskDeploymentDescriptor,
    state: 'INITIALIZING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED',
    failure?: { name: string; message: string; stack: string },
  ): boolean {
    return this.dispatcher!.updateTaskExecutionState({
      taskExecutorId,
      jobId: task.jobId,
      executionAttemptId: task.executionAttemptId,
      state,
      failure,
    });
  }
}
