/**
 * Fuzzes one RPC of a running server with two fast-check properties: random bytes as request
 * messages (the server's decoder sees garbage), and hostile but well-formed messages built from the
 * contract. Streaming requests send a first message and a few follow-ups, and either close their
 * side or leave it open until the deadline. Every call must end with a status a caller can act on:
 * never INTERNAL or UNKNOWN (an unhandled exception), never a missing status, never an error
 * without a message, and a unary call answers (one that runs past its deadline is tried again with
 * a patient one, so a loaded machine is not mistaken for a handler that never answers).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@grpc/grpc-js';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { Status } from 'nice-grpc-common';
import {
  FUZZ_VERBOSE,
  fuzzParameters,
  PATIENT_DEADLINE_MS,
  replayHint,
  STREAM_DEADLINE_MS,
  UNARY_DEADLINE_MS,
} from './fuzzSettings.js';
import {
  encodeMessage,
  messageArbitrary,
  mutatedMessageArbitrary,
  type MessageFuzzOptions,
  type MessageInit,
} from './messageArbitrary.js';
import { callRaw, statusName, type CallOutcome, type RawMethod, type RawRequest } from './rawCall.js';

/** The statuses a fuzzed call may end with: each says what went wrong (or that nothing did). */
export const ACCEPTABLE_STATUSES: ReadonlySet<Status> = new Set([
  Status.OK,
  Status.INVALID_ARGUMENT,
  Status.NOT_FOUND,
  Status.FAILED_PRECONDITION,
  Status.OUT_OF_RANGE,
  Status.ALREADY_EXISTS,
  Status.RESOURCE_EXHAUSTED,
  Status.UNIMPLEMENTED,
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.CANCELLED,
]);

/** A server under fuzzing: a raw client of it and how to make its services' messages. */
export interface FuzzTarget {
  client: Client;
  service: DescService;
  /** The server's own decoder per RPC (the ts-proto service definition), to tell which bytes it can decode. */
  definition: { methods: Record<string, { requestType: { decode(input: Uint8Array): unknown } }> };
  messages: MessageFuzzOptions;
}

/** How one RPC is fuzzed. */
export interface MethodFuzzOptions {
  /** Runs of the random-bytes property (default 20). */
  byteRuns?: number;
  /** Runs of the hostile-message property (default 30; 0 for none, where every decodable request is drastic). */
  messageRuns?: number;
  /**
   * Send only random bytes the server cannot decode, for RPCs whose every decodable request does
   * something drastic (shut the server down, deploy a cluster of processes).
   */
  undecodableBytesOnly?: boolean;
  /** Changes each hostile message before it is sent; used to keep costly requests from being accepted. */
  shape?: (init: MessageInit) => MessageInit;
  /**
   * Requests the server accepts, encoded (made when the test runs, so they can name what exists
   * by then). Half the hostile messages are these with a few fields replaced, to reach past the
   * first checks.
   */
  validRequests?: () => Uint8Array[];
  /** Runs after every call, for instance to cancel a job the call started. */
  afterCall?: (outcome: CallOutcome) => Promise<void>;
}

/** How the calls of one RPC ended: status name to count. */
export type StatusTally = Record<string, number>;

/**
 * The RPCs fuzzed so far in this test file, as `service/Method`: a suite can check that it left
 * none of its service's RPCs out (a new RPC must get a fuzz test).
 */
export const fuzzedMethods = new Set<string>();

/** Fuzzes `methodName` of `target`; throws (with fast-check's counterexample and seed) on the first bad outcome. */
export async function fuzzMethod(
  target: FuzzTarget,
  methodName: string,
  options: MethodFuzzOptions = {},
): Promise<StatusTally> {
  const method = target.service.methods.find((candidate) => candidate.name === methodName);
  if (!method) throw new Error(`${target.service.typeName} has no method ${methodName}`);
  const raw: RawMethod = { path: `/${target.service.typeName}/${method.name}`, kind: method.methodKind };
  const deadlineMs = method.methodKind === 'unary' ? UNARY_DEADLINE_MS : STREAM_DEADLINE_MS;
  const decode = target.definition.methods[method.localName]?.requestType.decode;
  if (!decode) throw new Error(`the server's definition has no method ${method.localName}`);
  const tally: StatusTally = {};
  fuzzedMethods.add(`${target.service.typeName}/${method.name}`);

  const check = async (request: RawRequest) => {
    let outcome = await callRaw(target.client, raw, request, deadlineMs);
    if (raw.kind === 'unary' && outcome.code === Status.DEADLINE_EXCEEDED) {
      outcome = await callRaw(target.client, raw, request, PATIENT_DEADLINE_MS);
    }
    const name = statusName(outcome.code);
    tally[name] = (tally[name] ?? 0) + 1;
    let problem = judge(outcome, method);
    try {
      await options.afterCall?.(outcome);
    } catch (error) {
      problem ??= `ended ${name}, but the server failed what came after the call: ${(error as Error).message}`;
    }
    if (problem)
      throw new Error(`${raw.path} ${problem}\nthe request is saved in ${saveRequest(raw, request)}\n${replayHint()}`);
  };

  const randomBytes = fc
    .oneof(
      { weight: 5, arbitrary: fc.uint8Array({ maxLength: 48 }) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 4096 }) },
    )
    .filter((bytes) => !options.undecodableBytesOnly || !decodesWith(decode, bytes));
  await fc.assert(
    fc.asyncProperty(requests(method, randomBytes, randomBytes), check),
    fuzzParameters(options.byteRuns ?? 20),
  );

  const messageRuns = options.messageRuns ?? 30;
  if (messageRuns > 0) {
    const shape = options.shape ?? ((init: MessageInit) => init);
    const valid = options.validRequests?.() ?? [];
    const generated = messageArbitrary(method.input, target.messages);
    const messages =
      valid.length === 0
        ? generated
        : fc.oneof(generated, mutatedMessageArbitrary(method.input, valid, target.messages));
    const hostile = messages.map((init) => encodeMessage(method.input, shape(init)));
    const followUps = fc.oneof(hostile, randomBytes);
    await fc.assert(fc.asyncProperty(requests(method, hostile, followUps), check), fuzzParameters(messageRuns));
  }
  if (FUZZ_VERBOSE) console.log(`${raw.path}: ${JSON.stringify(tally)}`);
  return tally;
}

/** The requests of one call: one message, or for a streaming request a first message, follow-ups and whether to close. */
function requests(
  method: DescMethod,
  first: fc.Arbitrary<Uint8Array>,
  followUps: fc.Arbitrary<Uint8Array>,
): fc.Arbitrary<RawRequest> {
  if (method.methodKind === 'unary' || method.methodKind === 'server_streaming')
    return first.map((payload) => printable({ payloads: [payload], halfClose: true }));
  return fc
    .tuple(first, fc.array(followUps, { maxLength: 3 }), fc.boolean())
    .map(([head, tail, halfClose]) => printable({ payloads: [head, ...tail], halfClose }));
}

/** `request` with a short description for fast-check's report (a payload can be megabytes). */
function printable(request: RawRequest): RawRequest {
  const describe = () =>
    `${request.payloads.map((payload) => `${payload.byteLength} bytes ${Buffer.from(payload.subarray(0, 32)).toString('hex')}${payload.byteLength > 32 ? '…' : ''}`).join(', ')}` +
    `${request.halfClose ? '' : ', left open'}`;
  return Object.assign(request, { [fc.toStringMethod]: describe });
}

let saved = 0;

/** Writes a failing request's messages to files (payload-N.bin) under the temp dir; returns the folder. */
function saveRequest(method: RawMethod, request: RawRequest): string {
  const folder = join(
    tmpdir(),
    'flotilla-fuzz-failures',
    `${method.path.slice(1).replace(/\W+/g, '-')}-${process.pid}-${++saved}`,
  );
  mkdirSync(folder, { recursive: true });
  request.payloads.forEach((payload, index) => writeFileSync(join(folder, `payload-${index}.bin`), payload));
  return folder;
}

/** What is wrong with an outcome, or undefined when it is a proper answer. */
function judge(outcome: CallOutcome, method: DescMethod): string | undefined {
  const name = statusName(outcome.code);
  if (outcome.code === -1) return `hung: ${outcome.details}`;
  if (!ACCEPTABLE_STATUSES.has(outcome.code)) return `ended ${name}: ${outcome.details}`;
  if (method.methodKind === 'unary' && outcome.code === Status.DEADLINE_EXCEEDED) {
    return `did not answer within ${UNARY_DEADLINE_MS} ms, nor on a second try within ${PATIENT_DEADLINE_MS} ms`;
  }
  const quiet =
    outcome.code === Status.OK || outcome.code === Status.DEADLINE_EXCEEDED || outcome.code === Status.CANCELLED;
  if (!quiet && outcome.details.trim() === '') return `ended ${name} without a message`;
  return undefined;
}

function decodesWith(decode: (input: Uint8Array) => unknown, bytes: Uint8Array): boolean {
  try {
    decode(bytes);
    return true;
  } catch {
    return false;
  }
}
