/**
 * The resource manager of a cluster: task executors register with their slots and heartbeat;
 * slot requests are matched by resource profile and, when nothing fits, wait until a slot frees or
 * a task executor joins, and are refused with RESOURCE_EXHAUSTED after the request timeout. A task
 * executor whose heartbeats stop for the heartbeat timeout is declared lost and its slots vanish.
 * A lost task executor that comes back (it only hung) registers again with the slots it still
 * holds for allocations nobody owns any more; those are freed on it, so its slots serve again.
 */
import { EventEmitter } from 'node:events';
import { ResourceExhaustedError } from '../common/errors.js';
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import type { ResourceProfile } from '../jobgraph/jobGraph.js';
import { describeProfile, fits, type SlotStatus } from '../runtime/SlotStatus.js';
import type { TaskExecutorGateway } from '../runtime/TaskExecutorGateway.js';
import type { TaskExecutorRegistration } from '../runtime/TaskExecutorRegistration.js';

/** A registered task executor as the resource manager tracks it. */
export interface RegisteredTaskExecutor extends TaskExecutorRegistration {
  lastHeartbeatAt: number;
  gateway: TaskExecutorGateway;
}

/** A slot given to a job. */
export interface SlotAssignment {
  allocationId: string;
  taskExecutorId: string;
  address: string;
  slotIndex: number;
  jobId: string;
}

/** Settings of the resource manager. */
export interface ResourceManagerOptions {
  clusterId: string;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  slotRequestTimeoutMs: number;
  /** Makes a gateway to a task executor at an address. */
  connect(address: string): TaskExecutorGateway;
  logger: Logger;
}

interface PendingRequest {
  jobId: string;
  /** When the request gives up (epoch ms); retries after a refusal keep it. */
  deadline: number;
  resources: ResourceProfile;
  resolve(assignment: SlotAssignment): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Events: `taskExecutorLost` (taskExecutorId, reason), `taskExecutorRegistered` (taskExecutorId). */
export class ResourceManager extends EventEmitter {
  private readonly executors = new Map<string, RegisteredTaskExecutor>();
  private readonly pending: PendingRequest[] = [];
  /** The allocations given out and not freed, with their task executor; a slot holding any other is stale. */
  private readonly allocations = new Map<string, string>();
  private readonly monitor: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: ResourceManagerOptions) {
    super();
    this.monitor = setInterval(() => this.checkHeartbeats(), Math.max(50, Math.min(options.heartbeatIntervalMs, 1000)));
    this.monitor.unref();
  }

  /** Admits a task executor; a task executor registering again replaces its earlier registration. */
  register(registration: TaskExecutorRegistration): {
    clusterId: string;
    heartbeatIntervalMs: number;
    heartbeatTimeoutMs: number;
  } {
    const previous = this.executors.get(registration.taskExecutorId);
    const sameAddress = previous?.address === registration.address;
    if (previous && !sameAddress) previous.gateway.close();
    const executor: RegisteredTaskExecutor = {
      ...registration,
      lastHeartbeatAt: Date.now(),
      gateway: sameAddress ? previous.gateway : this.options.connect(registration.address),
    };
    this.executors.set(registration.taskExecutorId, executor);
    this.options.logger.info(
      { taskExecutorId: registration.taskExecutorId, address: registration.address, slots: registration.slots.length },
      'task executor registered',
    );
    this.freeStaleAllocations(executor);
    this.emit('taskExecutorRegistered', registration.taskExecutorId);
    this.servePending();
    return {
      clusterId: this.options.clusterId,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.options.heartbeatTimeoutMs,
    };
  }

  /** Records a heartbeat; false when the task executor is unknown and must register again. */
  heartbeat(taskExecutorId: string, slots: SlotStatus[]): boolean {
    const executor = this.executors.get(taskExecutorId);
    if (!executor) return false;
    executor.lastHeartbeatAt = Date.now();
    executor.slots = slots;
    this.freeStaleAllocations(executor);
    this.servePending();
    return true;
  }

  /**
   * Frees, on the task executor and in this view, the slots it reports for allocations that were
   * not given out here or were freed since: those of a task executor that was declared lost while
   * it hung, whose jobs have forgotten them. Without this they would stay taken for good.
   */
  private freeStaleAllocations(executor: RegisteredTaskExecutor): void {
    for (const slot of executor.slots) {
      const { allocationId } = slot;
      if (allocationId === '' || this.allocations.get(allocationId) === executor.taskExecutorId) continue;
      this.options.logger.info(
        { taskExecutorId: executor.taskExecutorId, allocationId, jobId: slot.jobId },
        'freeing a slot allocation that no job holds any more',
      );
      slot.allocationId = '';
      slot.jobId = '';
      executor.gateway
        .freeSlot(allocationId, 'no job holds this allocation any more (the task executor was lost meanwhile)')
        .catch(() => undefined);
    }
  }

  /** Replaces the view of a task executor's slots; false when it is unknown. */
  reportSlots(taskExecutorId: string, slots: SlotStatus[]): boolean {
    return this.heartbeat(taskExecutorId, slots);
  }

  /** The registered task executors. */
  taskExecutors(): RegisteredTaskExecutor[] {
    return [...this.executors.values()];
  }

  /** The gateway of a registered task executor, if it is registered. */
  gatewayOf(taskExecutorId: string): TaskExecutorGateway | undefined {
    return this.executors.get(taskExecutorId)?.gateway;
  }

  /** Slot counts over every registered task executor. */
  slotCounts(): { total: number; available: number } {
    let total = 0;
    let available = 0;
    for (const executor of this.executors.values()) {
      total += executor.slots.length;
      available += executor.slots.filter((slot) => slot.allocationId === '').length;
    }
    return { total, available };
  }

  /**
   * Finds a free slot that fits `resources` and allocates it to `jobId`; waits for one up to the
   * slot request timeout, then fails with RESOURCE_EXHAUSTED naming what was asked for.
   */
  requestSlot(jobId: string, resources: ResourceProfile): Promise<SlotAssignment> {
    if (this.closed) return Promise.reject(new ResourceExhaustedError('the resource manager is shutting down'));
    return new Promise((resolve, reject) => {
      this.enqueue({ jobId, resources, resolve, reject, deadline: Date.now() + this.options.slotRequestTimeoutMs });
      this.servePending();
    });
  }

  /** Queues a request with its own timeout, which takes it out of the queue and refuses it. */
  private enqueue(request: Omit<PendingRequest, 'timer'>): void {
    const pending: PendingRequest = {
      ...request,
      timer: setTimeout(
        () => {
          const index = this.pending.indexOf(pending);
          if (index < 0) return;
          this.pending.splice(index, 1);
          const { total, available } = this.slotCounts();
          request.reject(
            new ResourceExhaustedError(
              `no slot with ${describeProfile(request.resources)} became free within ${this.options.slotRequestTimeoutMs} ms ` +
                `(${available} of ${total} slots free); add task executors or lower the job's parallelism or resources`,
            ),
          );
        },
        Math.max(0, request.deadline - Date.now()),
      ).unref(),
    };
    this.pending.push(pending);
  }

  /** Releases an allocation in the resource manager's view and on its task executor. */
  async freeSlot(assignment: SlotAssignment, reason: string): Promise<void> {
    this.allocations.delete(assignment.allocationId);
    const executor = this.executors.get(assignment.taskExecutorId);
    const slot = executor?.slots.find((candidate) => candidate.allocationId === assignment.allocationId);
    if (slot) {
      slot.allocationId = '';
      slot.jobId = '';
    }
    if (executor) await executor.gateway.freeSlot(assignment.allocationId, reason).catch(() => undefined);
    this.servePending();
  }

  /** Stops the heartbeat monitor and refuses waiting requests and any made later. */
  close(): void {
    this.closed = true;
    clearInterval(this.monitor);
    for (const request of this.pending.splice(0)) {
      clearTimeout(request.timer);
      request.reject(new ResourceExhaustedError('the resource manager is shutting down'));
    }
    for (const executor of this.executors.values()) executor.gateway.close();
  }

  private servePending(): void {
    for (const request of [...this.pending]) {
      const found = this.findFreeSlot(request.resources);
      if (!found) continue;
      const [executor, slot] = found;
      const allocationId = newId('alloc');
      slot.allocationId = allocationId;
      slot.jobId = request.jobId;
      this.allocations.set(allocationId, executor.taskExecutorId);
      this.pending.splice(this.pending.indexOf(request), 1);
      clearTimeout(request.timer);
      executor.gateway
        .requestSlot({ slotIndex: slot.slotIndex, jobId: request.jobId, allocationId, resources: request.resources })
        .then(
          () =>
            request.resolve({
              allocationId,
              taskExecutorId: executor.taskExecutorId,
              address: executor.address,
              slotIndex: slot.slotIndex,
              jobId: request.jobId,
            }),
          (error: unknown) => {
            // The task executor refused or is gone: forget the allocation and try again elsewhere.
            this.allocations.delete(allocationId);
            slot.allocationId = '';
            slot.jobId = '';
            this.options.logger.warn(
              { err: error, taskExecutorId: executor.taskExecutorId },
              'slot request refused by task executor',
            );
            if (this.closed) {
              request.reject(new ResourceExhaustedError('the resource manager is shutting down'));
              return;
            }
            this.enqueue(request);
            setTimeout(() => this.servePending(), 100).unref();
          },
        );
    }
  }

  private findFreeSlot(resources: ResourceProfile): [RegisteredTaskExecutor, SlotStatus] | undefined {
    // Spread work: prefer the task executor with the most free slots.
    const candidates = [...this.executors.values()].sort(
      (a, b) =>
        b.slots.filter((slot) => !slot.allocationId).length - a.slots.filter((slot) => !slot.allocationId).length,
    );
    for (const executor of candidates) {
      const slot = executor.slots.find(
        (candidate) => candidate.allocationId === '' && fits(resources, candidate.resources),
      );
      if (slot) return [executor, slot];
    }
    return undefined;
  }

  private checkHeartbeats(): void {
    const now = Date.now();
    for (const executor of [...this.executors.values()]) {
      const silentFor = now - executor.lastHeartbeatAt;
      if (silentFor > this.options.heartbeatTimeoutMs) {
        this.lose(
          executor.taskExecutorId,
          `no heartbeat for ${silentFor} ms (heartbeat timeout ${this.options.heartbeatTimeoutMs} ms)`,
        );
      }
    }
  }

  /** Declares a task executor lost: its slots vanish and listeners fail what ran there. */
  lose(taskExecutorId: string, reason: string): void {
    const executor = this.executors.get(taskExecutorId);
    if (!executor) return;
    this.executors.delete(taskExecutorId);
    // Its jobs forget its slots; should it come back, it is told to free them.
    for (const [allocationId, owner] of this.allocations)
      if (owner === taskExecutorId) this.allocations.delete(allocationId);
    executor.gateway.close();
    this.options.logger.warn({ taskExecutorId, address: executor.address, reason }, 'task executor lost');
    this.emit('taskExecutorLost', taskExecutorId, reason);
  }
}
