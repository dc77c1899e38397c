/**
 * Hostile request messages for any RPC, derived from the contract itself: the descriptor set that
 * server reflection serves (generated/flotilla.binpb) says which fields each request has, and every
 * field gets the hostile values of its kind (hostileValues.ts). A new RPC or field is fuzzed without
 * a line here. Messages are built and encoded with protobuf-es, independently of the servers' ts-proto code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  create,
  createFileRegistry,
  fromBinary,
  ScalarType,
  toBinary,
  type DescField,
  type DescMessage,
  type DescService,
  type FileRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { ROOT } from '../support/processes.js';
import {
  hostileBytes,
  hostileDouble,
  hostileEnum,
  hostileFloat,
  hostileId,
  hostileInt32,
  hostileInt64,
  hostileString,
  hostileUint32,
  hostileUint64,
} from './hostileValues.js';

/** A message as protobuf-es `create` takes it: field local names to values, oneofs as `{case, value}`. */
export type MessageInit = Record<string, unknown>;

/** How to make the messages of one service. */
export interface MessageFuzzOptions {
  /** Ids that exist on the server under test, read when a value is generated (the list may grow). */
  knownIds: () => readonly string[];
  /**
   * Arbitraries that replace the hostile values of particular fields, keyed `type.field`
   * (`flotilla.v1.TextFileSink.path`): for fields whose hostile values would do real harm when accepted.
   */
  fieldOverrides?: Record<string, fc.Arbitrary<unknown>>;
}

/** Nested messages deeper than this are left unset (SerializedError.cause is recursive). */
const MAX_DEPTH = 4;
/** How many elements a "too many" list or map has: past every limit the servers set. */
const MANY = 1500;

let registry: FileRegistry | undefined;

/** The contract's registry, from the descriptor set `npm run generate` writes. */
export function contractRegistry(): FileRegistry {
  registry ??= createFileRegistry(
    fromBinary(FileDescriptorSetSchema, readFileSync(join(ROOT, 'generated/flotilla.binpb'))),
  );
  return registry;
}

/** A service of the contract by its full name. */
export function contractService(fullName: string): DescService {
  const service = contractRegistry().getService(fullName);
  if (!service) throw new Error(`the descriptor set has no service ${fullName}; run npm run generate`);
  return service;
}

/** Encodes a message made by {@link messageArbitrary}. */
export function encodeMessage(desc: DescMessage, init: MessageInit): Uint8Array {
  return toBinary(desc, create(desc, init as never));
}

/** Arbitrary hostile messages of type `desc`. */
export function messageArbitrary(desc: DescMessage, options: MessageFuzzOptions): fc.Arbitrary<MessageInit> {
  return new MessageArbitraries(options).message(desc, 0);
}

/**
 * Arbitrary messages that are one of `valid` (encoded requests the server accepts) with some
 * fields, at any depth, replaced by hostile values: they get past the first checks and reach the
 * code behind them, where a message made of hostile values only would be refused early.
 */
export function mutatedMessageArbitrary(
  desc: DescMessage,
  valid: readonly Uint8Array[],
  options: MessageFuzzOptions,
): fc.Arbitrary<MessageInit> {
  const arbitraries = new MessageArbitraries(options);
  return fc.oneof(
    ...valid.map((bytes) => arbitraries.mutated(desc, fromBinary(desc, bytes) as unknown as MessageInit, 0)),
  );
}

class MessageArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<MessageInit>>();

  constructor(private readonly options: MessageFuzzOptions) {}

  message(desc: DescMessage, depth: number): fc.Arbitrary<MessageInit> {
    const key = `${desc.typeName}@${depth}`;
    let arbitrary = this.cache.get(key);
    if (!arbitrary) {
      arbitrary = this.build(desc, depth);
      this.cache.set(key, arbitrary);
    }
    return arbitrary;
  }

  /** `base` with each field, at any depth, kept (mostly) or replaced by a hostile value. */
  mutated(desc: DescMessage, base: MessageInit, depth: number): fc.Arbitrary<MessageInit> {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    const keepOrReplace = (kept: fc.Arbitrary<unknown>, hostile: fc.Arbitrary<unknown>) =>
      fc.oneof({ weight: 12, arbitrary: kept }, { weight: 1, arbitrary: hostile });
    for (const field of desc.fields) {
      if (field.oneof) continue;
      const value = base[field.localName];
      let kept: fc.Arbitrary<unknown> = fc.constant(value);
      if (depth + 1 < MAX_DEPTH && field.fieldKind === 'message' && value !== undefined) {
        kept = this.mutated(field.message, value as MessageInit, depth + 1);
      } else if (
        depth + 1 < MAX_DEPTH &&
        field.fieldKind === 'list' &&
        field.listKind === 'message' &&
        Array.isArray(value) &&
        value.length > 0
      ) {
        kept = fc.tuple(...value.map((element) => this.mutated(field.message, element as MessageInit, depth + 1)));
      }
      model[field.localName] = keepOrReplace(kept, this.field(desc, field, depth));
    }
    for (const oneof of desc.oneofs) {
      const value = base[oneof.localName] as { case?: string; value?: unknown } | undefined;
      const field = oneof.fields.find((candidate) => candidate.localName === value?.case);
      let kept: fc.Arbitrary<unknown> = fc.constant(value?.case === undefined ? undefined : value);
      if (field?.fieldKind === 'message' && depth + 1 < MAX_DEPTH) {
        kept = this.mutated(field.message, value!.value as MessageInit, depth + 1).map((nested) => ({
          case: field.localName,
          value: nested,
        }));
      }
      const hostile = fc.oneof(
        fc.constant(undefined),
        ...oneof.fields.map((each) =>
          this.single(desc, each, depth, false).map((nested) => ({ case: each.localName, value: nested })),
        ),
      );
      model[oneof.localName] = keepOrReplace(kept, hostile);
    }
    return fc
      .record(model)
      .map((init) => Object.fromEntries(Object.entries(init).filter(([, value]) => value !== undefined)));
  }

  private build(desc: DescMessage, depth: number): fc.Arbitrary<MessageInit> {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of desc.fields) {
      if (field.oneof) continue;
      model[field.localName] = this.field(desc, field, depth);
    }
    for (const oneof of desc.oneofs) {
      const cases = oneof.fields.map((field) =>
        this.single(desc, field, depth, false).map((value) => ({ case: field.localName, value })),
      );
      model[oneof.localName] = fc.oneof(fc.constant(undefined), ...cases);
    }
    return fc
      .record(model, { requiredKeys: [] })
      .map((init) => Object.fromEntries(Object.entries(init).filter(([, value]) => value !== undefined)));
  }

  private field(desc: DescMessage, field: DescField, depth: number): fc.Arbitrary<unknown> {
    const override = this.options.fieldOverrides?.[`${desc.typeName}.${field.name}`];
    switch (field.fieldKind) {
      case 'list': {
        const element = override ?? this.single(desc, field, depth, true);
        return fc.oneof(
          { weight: 8, arbitrary: fc.array(element, { maxLength: 3 }) },
          { weight: 1, arbitrary: fc.constant(manyDefaults(field)) },
        );
      }
      case 'map': {
        if (field.mapKey !== ScalarType.STRING || field.mapKind !== 'scalar' || field.scalar !== ScalarType.STRING)
          return fc.constant(undefined);
        const value = override ?? hostileString(this.options.knownIds);
        return fc.oneof(
          {
            weight: 8,
            arbitrary: fc
              .array(fc.tuple(hostileString(), value), { maxLength: 3 })
              .map((entries) => Object.fromEntries(entries)),
          },
          {
            weight: 1,
            arbitrary: fc.constant(Object.fromEntries(Array.from({ length: MANY }, (_, index) => [`key${index}`, '']))),
          },
        );
      }
      default:
        return override ?? this.single(desc, field, depth, true);
    }
  }

  /** One value of a field's element type; `optional` leaves a message field unset at times. */
  private single(desc: DescMessage, field: DescField, depth: number, optional: boolean): fc.Arbitrary<unknown> {
    const override = this.options.fieldOverrides?.[`${desc.typeName}.${field.name}`];
    if (override) return override;
    const message =
      field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')
        ? field.message
        : undefined;
    if (message) {
      if (depth + 1 >= MAX_DEPTH) return optional ? fc.constant(undefined) : fc.constant({});
      const nested = this.message(message, depth + 1);
      return optional ? fc.option(nested, { nil: undefined, freq: 3 }) : nested;
    }
    const enumDesc =
      field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum') ? field.enum : undefined;
    if (enumDesc) return hostileEnum(enumDesc.values.map((value) => value.number));
    return this.scalar(field);
  }

  private scalar(field: DescField): fc.Arbitrary<unknown> {
    switch (field.scalar) {
      case ScalarType.STRING:
        return isIdField(field.name) ? hostileId(this.options.knownIds) : hostileString(this.options.knownIds);
      case ScalarType.BYTES:
        return hostileBytes();
      case ScalarType.BOOL:
        return fc.boolean();
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return hostileUint32();
      case ScalarType.INT32:
      case ScalarType.SINT32:
      case ScalarType.SFIXED32:
        return hostileInt32();
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return hostileUint64();
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
        return hostileInt64();
      case ScalarType.DOUBLE:
        return hostileDouble();
      case ScalarType.FLOAT:
        return hostileFloat();
      default:
        return fc.constant(undefined);
    }
  }
}

function isIdField(name: string): boolean {
  return name === 'id' || name === 'sha256' || name.endsWith('_id') || name.endsWith('_ids');
}

/** {@link MANY} default values of a repeated field: more elements than any server allows. */
function manyDefaults(field: DescField): unknown[] {
  if (field.fieldKind !== 'list') return [];
  const element =
    field.listKind === 'message'
      ? {}
      : field.listKind === 'enum'
        ? 0
        : field.scalar === ScalarType.STRING
          ? ''
          : field.scalar === ScalarType.BYTES
            ? new Uint8Array()
            : field.scalar === ScalarType.BOOL
              ? false
              : [
                    ScalarType.INT64,
                    ScalarType.UINT64,
                    ScalarType.SINT64,
                    ScalarType.FIXED64,
                    ScalarType.SFIXED64,
                  ].includes(field.scalar)
                ? 0n
                : 0;
  return Array.from({ length: MANY }, () => element);
}
