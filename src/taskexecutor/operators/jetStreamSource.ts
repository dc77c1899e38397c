/**
 * The source of `env.fromJetStream({ servers, stream })`: the messages of a NATS JetStream stream,
 * read with an ordered consumer (no server-side state to clean up, replay from any stream
 * sequence), each as its UTF-8 text, without end. Every subtask reads the stream and keeps the
 * messages whose stream sequence modulo the parallelism is its index. Its position is the last
 * stream sequence it went past, so a restored subtask replays from the sequence after it: what it
 * emitted before the checkpoint is never emitted again, and nothing after it is lost.
 */
import { connect, DeliverPolicy, type JsMsg, type NatsConnection } from 'nats';
import type { OperatorSpec } from '../../jobgraph/jobGraph.js';
import type { SourceBatch } from './SourceBatch.js';
import type { TaskContext } from './TaskContext.js';

/** The spec of a JetStream source. */
export type JetStreamSourceSpec = Extract<OperatorSpec, { kind: 'jetStreamSource' }>;

/** How many batches' worth of messages are read ahead of the pipeline at most. */
const READ_AHEAD_BATCHES = 4;

/**
 * Yields batches of this subtask's messages with the last stream sequence read.
 *
 * @param restoredSequence The last stream sequence a restored subtask went past.
 */
export async function* jetStreamSource(
  spec: JetStreamSourceSpec,
  context: TaskContext,
  batchSize: number,
  restoredSequence?: number,
): AsyncGenerator<SourceBatch> {
  const connection: NatsConnection = await connect({ servers: spec.servers, name: context.taskName });
  try {
    const last = restoredSequence ?? (spec.startSequence ? spec.startSequence - 1 : 0);
    const consumer = await connection.jetstream().consumers.get(spec.stream, {
      ...(last > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last + 1 } : {}),
      ...(spec.subject ? { filterSubjects: spec.subject } : {}),
    });
    const messages = await consumer.consume({ max_messages: batchSize });
    const buffer: JsMsg[] = [];
    let failure: unknown;
    let ended = false;
    let wakeReader: (() => void) | undefined;
    let wakePump: (() => void) | undefined;
    const pump = (async () => {
      try {
        for await (const message of messages) {
          buffer.push(message);
          wakeReader?.();
          while (buffer.length >= READ_AHEAD_BATCHES * batchSize)
            await new Promise<void>((resolve) => (wakePump = resolve));
        }
      } catch (error) {
        failure = error;
      } finally {
        ended = true;
        wakeReader?.();
      }
    })();
    try {
      for (;;) {
        while (buffer.length === 0 && !ended) await new Promise<void>((resolve) => (wakeReader = resolve));
        wakeReader = undefined;
        if (buffer.length === 0) {
          if (failure) throw failure;
          return;
        }
        const taken = buffer.splice(0, batchSize);
        wakePump?.();
        wakePump = undefined;
        const records: unknown[] = [];
        for (const message of taken)
          if (message.seq % context.parallelism === context.subtaskIndex) records.push(message.string());
        yield { records, position: (taken.at(-1) as JsMsg).seq };
      }
    } finally {
      messages.stop();
      await pump;
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
