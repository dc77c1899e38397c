// A client process of figure 5 (the control plane at scale), forked by figures/scale.mjs so that
// the load comes from processes other than the benchmark's own and, when one client process is the
// bottleneck, from several. It talks to the control plane over real gRPC channels and reports back
// over the fork's IPC channel. Modes (the first message from the parent says which):
//
//   submit  RunApplication (driver mode, default owned cluster) `count` times with `concurrency`
//           calls in flight over `channels` channels (to each replica, when `address` names several
//           separated by commas, the calls taking the channels in turn); reports each call's send
//           and answer times.
//   read    GetApplication of one application `count` times, the same way (the floor of submit:
//           the transport and one store read, no write).
//   watch   opens `watchers` WatchApplication(follow) streams on one application over `channels`
//           channels; says "attached" once every stream has received its first event, then
//           records for every event each stream receives its stored time and the time it arrived,
//           until every stream has ended (the application's last event); checks that each stream
//           got the sequences 1..N without a gap or a repeat.
//   serve   the fan-out's floor, a server instead of a client: a bare nice-grpc server of the same
//           WatchApplication contract, nothing else (no store, no middleware), that answers each
//           stream with a first event at once and, once `watchers` streams are open, sends `events`
//           more to every stream `intervalMs` apart (each event's time: when its sending began),
//           then ends every stream. The same watch clients measure it as they measure the control
//           plane, so the difference is the control plane's own work per delivery. Says
//           "listening" with its address, and reports its CPU time once every stream has ended.
//
// Times are epoch milliseconds of this machine's clock (performance.timeOrigin + now()); event
// times are the control plane's, stored with millisecond resolution.
import { performance } from 'node:perf_hooks';
import { createChannel, createClient, createServer, ServerError, Status } from 'nice-grpc';
import { ClusterClientServiceDefinition } from '../../../dist/generated/flotilla/v1/cluster_client_service.js';
import { ApplicationStatus, JobStatus, LivingPriority } from '../../../dist/generated/flotilla/v1/status.js';
import { driverRunRequest } from './runRequest.mjs';

const now = () => performance.timeOrigin + performance.now();

/** `count` channels to each address of `address` (one, or several replicas separated by commas), in turn. */
function clients(address, count) {
  const addresses = address.split(',');
  const channels = Array.from({ length: Math.max(1, count) }, () => addresses.map((one) => createChannel(one))).flat();
  return {
    clients: channels.map((channel) => createClient(ClusterClientServiceDefinition, channel)),
    close: () => channels.forEach((channel) => channel.close()),
  };
}

/** Runs `count` calls of `call(client, index)` with `concurrency` in flight; resolves with [sent, answered] per call. */
async function callMany({ address, count, concurrency, channels }, call) {
  const { clients: pool, close } = clients(address, channels);
  const sent = new Float64Array(count);
  const answered = new Float64Array(count);
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const loop = async (lane) => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      sent[index] = now();
      await call(pool[(lane + index) % pool.length], index);
      answered[index] = now();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, (_, lane) => loop(lane)));
  const cpu = process.cpuUsage(cpuBefore);
  close();
  return { sent: Array.from(sent), answered: Array.from(answered), cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function watch({ address, applicationId, watchers, channels }) {
  const { clients: pool, close } = clients(address, channels);
  const cpuBefore = process.cpuUsage();
  // Per stream: the event times and arrival times, flattened [stored, arrived, stored, arrived, …].
  const samples = [];
  let attached = 0;
  let attachedAt;
  const problems = [];
  const streams = Array.from({ length: watchers }, async (_, index) => {
    const times = [];
    let expected = 1n;
    for await (const { event } of pool[index % pool.length].watchApplication({
      applicationId,
      afterSequence: 0n,
      follow: true,
    })) {
      const arrived = now();
      if (!event) continue;
      if (event.sequence !== expected)
        problems.push(`stream ${index}: sequence ${event.sequence} after ${expected - 1n}`);
      expected = event.sequence + 1n;
      times.push(event.time.getTime(), arrived);
      if (expected === 2n && ++attached === watchers) {
        attachedAt = now();
        process.send({ type: 'attached', at: attachedAt });
      }
    }
    samples.push(times);
    return Number(expected - 1n);
  });
  const counts = await Promise.all(streams);
  const cpu = process.cpuUsage(cpuBefore);
  close();
  return {
    samples,
    attachedAt,
    eventsPerStream: [Math.min(...counts), Math.max(...counts)],
    problems: problems.slice(0, 10),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** The floor of the fan-out: a bare server pushing the same events to every stream (see the header). */
async function serve({ watchers, events, intervalMs }) {
  const event = (sequence, last) => ({
    event: {
      applicationId: 'floor',
      sequence: BigInt(sequence),
      time: new Date(),
      kind: last
        ? {
            $case: 'applicationStatusChanged',
            applicationStatusChanged: { status: ApplicationStatus.FINISHED, message: 'floor done', failure: undefined },
          }
        : {
            $case: 'jobStatusChanged',
            jobStatusChanged: {
              jobId: 'job-floor',
              jobName: 'floor',
              status: JobStatus.RUNNING,
              failure: undefined,
              livingPriority: LivingPriority.NORMAL,
            },
          },
    },
  });
  // The events as a chain every stream follows: each link resolves `next` with the one after it.
  const link = (response) => {
    const node = { response };
    node.next = new Promise((resolve) => (node.resolveNext = resolve));
    return node;
  };
  let newest = link(event(1, false));
  let opened = 0;
  let allOpen;
  const everyStreamOpen = new Promise((resolve) => (allOpen = resolve));
  const server = createServer();
  // Every other RPC of the contract answers UNIMPLEMENTED (nice-grpc wants a handler for each).
  const unimplemented = Object.fromEntries(
    Object.keys(ClusterClientServiceDefinition.methods).map((key) => [
      key,
      async () => {
        throw new ServerError(Status.UNIMPLEMENTED, 'the fan-out floor serves WatchApplication only');
      },
    ]),
  );
  server.add(ClusterClientServiceDefinition, {
    ...unimplemented,
    async *watchApplication() {
      let node = newest;
      yield node.response;
      if (++opened === watchers) allOpen();
      while (node.response.event.kind.$case !== 'applicationStatusChanged') {
        node = await node.next;
        yield node.response;
      }
    },
  });
  const port = await server.listen('127.0.0.1:0');
  process.send({ type: 'listening', address: `127.0.0.1:${port}` });
  await everyStreamOpen;
  const cpuBefore = process.cpuUsage();
  for (let sequence = 2; sequence <= events + 2; sequence++) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const previous = newest;
    newest = link(event(sequence, sequence === events + 2));
    previous.resolveNext(newest);
  }
  // Every stream ends after the last event: the shutdown waits for that.
  await server.shutdown();
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.once('message', async (task) => {
  try {
    let result;
    if (task.mode === 'submit') {
      result = await callMany(task, (client, index) =>
        client.runApplication(driverRunRequest({ artifactId: task.artifactId, name: `scale-${process.pid}-${index}` })),
      );
    } else if (task.mode === 'read') {
      result = await callMany(task, (client) => client.getApplication({ applicationId: task.applicationId }));
    } else if (task.mode === 'watch') {
      result = await watch(task);
    } else if (task.mode === 'serve') {
      result = await serve(task);
    } else {
      throw new Error(`unknown mode ${task.mode}`);
    }
    process.send({ type: 'result', result }, () => process.exit(0));
  } catch (error) {
    process.send({ type: 'error', error: String(error?.stack ?? error) }, () => process.exit(1));
  }
});
