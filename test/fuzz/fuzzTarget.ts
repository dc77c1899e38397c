/**
 * What every fuzz test file sets up around a server: a raw client of one of its services, the ids
 * that exist on it (hostile requests name real things as well as missing ones), and overrides that
 * keep accepted job graphs and task deployments harmless: file sinks and sources stay inside a
 * scratch folder and user functions are short snippets, so a fuzzed job that does run writes nothing
 * outside it and ends quickly. Everything else a request carries stays hostile.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll } from 'vitest';
import { RecordEncoding } from '../../generated/flotilla/v1/common.js';
import type { DeepPartial, JobGraph } from '../../generated/flotilla/v1/job_graph.js';
import type { FuzzTarget } from './fuzzMethod.js';
import { contractService } from './messageArbitrary.js';
import { rawClient } from './rawCall.js';

/** Ids that exist on a server, collected as the tests create or learn them. */
export class KnownIds {
  private readonly ids = new Set<string>();

  /** Adds ids; empty ones are ignored. */
  add(...ids: readonly string[]): void {
    for (const id of ids) if (id) this.ids.add(id);
  }

  /** The ids so far, for arbitraries that read them at generation time. */
  readonly list = (): readonly string[] => [...this.ids];
}

/** A fuzz target for `serviceName` at `address`; its client is closed when the test file ends. */
export function fuzzTarget(
  address: string,
  serviceName: string,
  definition: FuzzTarget['definition'],
  ids: KnownIds,
  fieldOverrides: Record<string, fc.Arbitrary<unknown>> = {},
): FuzzTarget {
  const client = rawClient(address);
  afterAll(() => client.close());
  return {
    client,
    service: contractService(serviceName),
    definition,
    messages: { knownIds: ids.list, fieldOverrides },
  };
}

/** A ts-proto message type, as far as {@link encodePartial} needs it. */
interface MessageType {
  fromPartial(object: any): unknown;
  encode(message: never): { finish(): Uint8Array };
}

/** Encodes a request the server accepts, written as a partial message (fields added to the contract later take their defaults). */
export function encodePartial<M extends MessageType>(type: M, partial: Parameters<M['fromPartial']>[0]): Uint8Array {
  return type.encode(type.fromPartial(partial) as never).finish();
}

/** Small resources every valid fuzzed request asks for, so that it fits any slot. */
export const FUZZ_RESOURCES = { cpus: 0.1, heapMemoryMb: 64, directMemoryMb: 0, nativeMemoryMb: 0 };

/** A job any cluster can run without a bundle: two records into a collect sink. */
export const COLLECT_JOB: DeepPartial<JobGraph> = {
  name: 'fuzzed job',
  vertices: [
    {
      id: 'source',
      name: 'Source: Collection',
      parallelism: 1,
      resources: FUZZ_RESOURCES,
      operators: [
        {
          name: 'Source: Collection',
          operator: {
            $case: 'collectionSource',
            collectionSource: {
              records: { encoding: RecordEncoding.JSON_LINES, count: 2, payload: Buffer.from('1\n"two"') },
            },
          },
        },
        { name: 'Sink: collect', operator: { $case: 'collectSink', collectSink: {} } },
      ],
    },
  ],
  restartStrategy: { strategy: { $case: 'noRestart', noRestart: {} } },
  defaultParallelism: 1,
  properties: { 'fuzz.key': 'value' },
};

/** User function sources a fuzzed job may carry: broken, throwing and trivial ones, none that loops or does harm. */
const FUNCTION_SOURCES = [
  '',
  '   ',
  'not javascript (',
  '(x) => x',
  'function named(x) { return [x, x]; }',
  '(x) => { throw new Error("boom from a fuzzed function"); }',
  '(x) => x.missing.field',
  'async (x) => x',
  '({})',
  '42',
];

/** Field overrides that keep file paths of job graphs inside `scratch` (created here) and user functions harmless. */
export function harmlessJobFields(scratch: string): Record<string, fc.Arbitrary<unknown>> {
  mkdirSync(join(scratch, 'nested'), { recursive: true });
  const input = join(scratch, 'input.txt');
  writeFileSync(input, 'one line\nsecond line, ünïcödé 🚀\n');
  return {
    'flotilla.v1.TextFileSink.path': fc.constantFrom(
      '',
      join(scratch, 'out'),
      join(scratch, 'nested', 'out 名前 🚀'),
      join(scratch, 'input.txt'),
      scratch,
    ),
    'flotilla.v1.TextFileSource.path': fc.constantFrom(
      '',
      input,
      join(scratch, 'missing.txt'),
      scratch,
      join(scratch, 'nested'),
    ),
    'flotilla.v1.UserFunction.source': fc.constantFrom(...FUNCTION_SOURCES),
  };
}
