/**
 * Converts job graphs between `flotilla.v1.JobGraph` and the domain, and validates what arrives:
 * a graph from any client (another language, a hostile one) is checked here, so the job master only
 * ever sees a graph that can run. Every problem is INVALID_ARGUMENT naming the vertex or edge.
 */
import type {
  BundleReference as BundleMessage,
  JobGraph as JobGraphMessage,
  OperatorSpec as OperatorMessage,
  RestartStrategy as RestartMessage,
  UserFunction,
} from '../../../generated/flotilla/v1/job_graph.js';
import {
  RuntimeExecutionMode as RuntimeModeMessage,
  ShipStrategy as ShipStrategyMessage,
} from '../../../generated/flotilla/v1/job_graph.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type {
  BundleReference,
  JobGraph,
  OperatorSpec,
  RestartStrategy,
  ShipStrategy,
  UserFunctionSpec,
} from '../../jobgraph/jobGraph.js';
import { isKeyedAggregation } from '../../jobgraph/keyedAggregation.js';
import type { ResolvedRuntimeMode } from '../../jobgraph/RuntimeExecutionMode.js';
import { decodeRecords, encodeRecords } from '../../rpc/convert/records.js';
import { resourceProfileFromMessage, resourceProfileToMessage } from './slots.js';

const SHIP_STRATEGIES: Record<ShipStrategy, ShipStrategyMessage> = {
  forward: ShipStrategyMessage.FORWARD,
  hash: ShipStrategyMessage.HASH,
  rebalance: ShipStrategyMessage.REBALANCE,
  broadcast: ShipStrategyMessage.BROADCAST,
};

/** A domain ship strategy as its proto enum. */
export function shipStrategyToMessage(strategy: ShipStrategy): ShipStrategyMessage {
  return SHIP_STRATEGIES[strategy];
}

/** A proto ship strategy as the domain's; UNSPECIFIED or unknown values are refused. */
export function shipStrategyFromMessage(value: ShipStrategyMessage, where: string): ShipStrategy {
  const found = (Object.keys(SHIP_STRATEGIES) as ShipStrategy[]).find((key) => SHIP_STRATEGIES[key] === value);
  if (!found) throw new InvalidArgumentError(`${where}: ship_strategy must be FORWARD, HASH, REBALANCE or BROADCAST`);
  return found;
}

/** A domain runtime mode (absent: STREAMING) as its proto enum. */
export function runtimeModeToMessage(mode: ResolvedRuntimeMode | undefined): RuntimeModeMessage {
  return mode === 'BATCH' ? RuntimeModeMessage.BATCH : RuntimeModeMessage.STREAMING;
}

/** A proto runtime mode as the domain's: UNSPECIFIED is STREAMING (graphs from before modes existed); unknown values are refused. */
export function runtimeModeFromMessage(value: RuntimeModeMessage, where: string): ResolvedRuntimeMode {
  if (value === RuntimeModeMessage.BATCH) return 'BATCH';
  if (value === RuntimeModeMessage.STREAMING || value === RuntimeModeMessage.UNSPECIFIED) return 'STREAMING';
  throw new InvalidArgumentError(
    `${where}: runtime_mode must be STREAMING or BATCH (AUTOMATIC is resolved when the graph is built)`,
  );
}

/** A proto user function as the domain's. */
export function userFunctionFromMessage(message: UserFunction | undefined, where: string): UserFunctionSpec {
  if (!message || message.source.trim() === '')
    throw new InvalidArgumentError(`${where}: a function (source) is required`);
  return {
    source: message.source,
    module: message.module,
    line: message.line,
    boundValuesJson: message.boundValuesJson || '{}',
  };
}

/** A domain operator as its proto message. */
export function operatorToMessage(operator: OperatorSpec): OperatorMessage {
  return { name: operator.name, uid: operator.uid ?? '', operator: operatorBodyToMessage(operator) };
}

function operatorBodyToMessage(operator: OperatorSpec): OperatorMessage['operator'] {
  switch (operator.kind) {
    case 'collectionSource':
      return { $case: 'collectionSource', collectionSource: { records: encodeRecords(operator.records) } };
    case 'textFileSource':
      return {
        $case: 'textFileSource',
        textFileSource: { path: operator.path, monitorIntervalMs: operator.monitorIntervalMs ?? 0 },
      };
    case 'generatorSource':
      return {
        $case: 'generatorSource',
        generatorSource: {
          function: operator.fn,
          count: BigInt(operator.count ?? 0),
          recordsPerSecond: operator.recordsPerSecond ?? 0,
        },
      };
    case 'jetStreamSource':
      return {
        $case: 'jetStreamSource',
        jetStreamSource: {
          servers: operator.servers,
          stream: operator.stream,
          subject: operator.subject ?? '',
          startSequence: BigInt(operator.startSequence ?? 0),
        },
      };
    case 'sequenceSource':
      return { $case: 'sequenceSource', sequenceSource: { from: BigInt(operator.from), to: BigInt(operator.to) } };
    case 'map':
    case 'flatMap':
    case 'filter':
    case 'reduce':
      return { $case: operator.kind, [operator.kind]: { function: operator.fn } } as OperatorMessage['operator'];
    case 'sum':
      return { $case: 'sum', sum: { field: operator.field } };
    case 'count':
      return { $case: 'count', count: {} };
    case 'textFileSink':
      return { $case: 'textFileSink', textFileSink: { path: operator.path, overwrite: operator.overwrite } };
    case 'printSink':
      return { $case: 'printSink', printSink: { prefix: operator.prefix } };
    case 'collectSink':
      return { $case: 'collectSink', collectSink: {} };
    case 'driver':
      return {
        $case: 'driver',
        driver: { ...operator, resources: resourceProfileToMessage(operator.resources) },
      };
  }
}

/** A proto operator as the domain's; `where` names it in errors. */
export function operatorFromMessage(message: OperatorMessage, where: string): OperatorSpec {
  const spec = operatorBodyFromMessage(message, where);
  return message.uid ? { ...spec, uid: message.uid } : spec;
}

function operatorBodyFromMessage(message: OperatorMessage, where: string): OperatorSpec {
  const name = message.name;
  const operator = message.operator;
  if (!operator) throw new InvalidArgumentError(`${where}: the operator is not set`);
  switch (operator.$case) {
    case 'collectionSource':
      return { name, kind: 'collectionSource', records: decodeRecords(operator.collectionSource.records) };
    case 'textFileSource':
      if (!operator.textFileSource.path) throw new InvalidArgumentError(`${where}: text_file_source needs a path`);
      return operator.textFileSource.monitorIntervalMs > 0
        ? {
            name,
            kind: 'textFileSource',
            path: operator.textFileSource.path,
            monitorIntervalMs: operator.textFileSource.monitorIntervalMs,
          }
        : { name, kind: 'textFileSource', path: operator.textFileSource.path };
    case 'generatorSource': {
      const { count, recordsPerSecond } = operator.generatorSource;
      if (count < 0n || count > BigInt(Number.MAX_SAFE_INTEGER))
        throw new InvalidArgumentError(`${where}: generator_source count must be within 0..2^53`);
      if (!Number.isFinite(recordsPerSecond) || recordsPerSecond < 0)
        throw new InvalidArgumentError(`${where}: generator_source records_per_second must be a finite number >= 0`);
      return {
        name,
        kind: 'generatorSource',
        fn: userFunctionFromMessage(operator.generatorSource.function, where),
        ...(count > 0n ? { count: Number(count) } : {}),
        ...(recordsPerSecond > 0 ? { recordsPerSecond } : {}),
      };
    }
    case 'jetStreamSource': {
      const { servers, stream, subject, startSequence } = operator.jetStreamSource;
      if (servers.length === 0 || servers.some((server) => server.trim() === ''))
        throw new InvalidArgumentError(`${where}: jet_stream_source needs at least one server URL`);
      if (!stream) throw new InvalidArgumentError(`${where}: jet_stream_source needs a stream name`);
      if (startSequence > BigInt(Number.MAX_SAFE_INTEGER))
        throw new InvalidArgumentError(`${where}: jet_stream_source start_sequence must be below 2^53`);
      return {
        name,
        kind: 'jetStreamSource',
        servers,
        stream,
        ...(subject ? { subject } : {}),
        ...(startSequence > 0n ? { startSequence: Number(startSequence) } : {}),
      };
    }
    case 'sequenceSource': {
      const { from, to } = operator.sequenceSource;
      const limit = BigInt(Number.MAX_SAFE_INTEGER);
      if (from > to || from < -limit || to > limit)
        throw new InvalidArgumentError(`${where}: sequence ${from}..${to} must have from <= to within ±2^53`);
      return { name, kind: 'sequenceSource', from: Number(from), to: Number(to) };
    }
    case 'map':
      return { name, kind: 'map', fn: userFunctionFromMessage(operator.map.function, where) };
    case 'flatMap':
      return { name, kind: 'flatMap', fn: userFunctionFromMessage(operator.flatMap.function, where) };
    case 'filter':
      return { name, kind: 'filter', fn: userFunctionFromMessage(operator.filter.function, where) };
    case 'reduce':
      return { name, kind: 'reduce', fn: userFunctionFromMessage(operator.reduce.function, where) };
    case 'sum':
      return { name, kind: 'sum', field: operator.sum.field };
    case 'count':
      return { name, kind: 'count' };
    case 'textFileSink':
      if (!operator.textFileSink.path) throw new InvalidArgumentError(`${where}: text_file_sink needs a path`);
      return {
        name,
        kind: 'textFileSink',
        path: operator.textFileSink.path,
        overwrite: operator.textFileSink.overwrite,
      };
    case 'printSink':
      return { name, kind: 'printSink', prefix: operator.printSink.prefix };
    case 'collectSink':
      return { name, kind: 'collectSink' };
    case 'driver': {
      const driver = operator.driver;
      return {
        name,
        kind: 'driver',
        applicationId: driver.applicationId,
        applicationName: driver.applicationName,
        entry: driver.entry,
        args: driver.args,
        resources: resourceProfileFromMessage(driver.resources),
        defaultParallelism: driver.defaultParallelism,
        properties: driver.properties,
      };
    }
  }
}

function restartToMessage(strategy: RestartStrategy | undefined): RestartMessage | undefined {
  if (!strategy) return undefined;
  if (strategy.kind === 'none') return { strategy: { $case: 'noRestart', noRestart: {} } };
  if (strategy.kind === 'fixedDelay')
    return {
      strategy: { $case: 'fixedDelay', fixedDelay: { maxAttempts: strategy.maxAttempts, delayMs: strategy.delayMs } },
    };
  const { initialDelayMs, maxDelayMs, multiplier, maxAttempts } = strategy;
  return {
    strategy: { $case: 'exponentialDelay', exponentialDelay: { initialDelayMs, maxDelayMs, multiplier, maxAttempts } },
  };
}

function restartFromMessage(message: RestartMessage | undefined): RestartStrategy | undefined {
  const strategy = message?.strategy;
  if (!strategy) return undefined;
  if (strategy.$case === 'noRestart') return { kind: 'none' };
  if (strategy.$case === 'fixedDelay') return { kind: 'fixedDelay', ...strategy.fixedDelay };
  const settings = strategy.exponentialDelay;
  if (!Number.isFinite(settings.multiplier))
    throw new InvalidArgumentError('restart_strategy: multiplier must be a finite number');
  return { kind: 'exponentialDelay', ...settings };
}

/** A domain bundle reference as its proto message. */
export function bundleToMessage(bundle: BundleReference | undefined): BundleMessage | undefined {
  if (!bundle) return undefined;
  return 'artifactId' in bundle
    ? { source: { $case: 'artifactId', artifactId: bundle.artifactId } }
    : { source: { $case: 'uri', uri: bundle.uri } };
}

/** A proto bundle reference as the domain's. */
export function bundleFromMessage(message: BundleMessage | undefined): BundleReference | undefined {
  const source = message?.source;
  if (!source) return undefined;
  return source.$case === 'artifactId' ? { artifactId: source.artifactId } : { uri: source.uri };
}

/** A domain job graph as its proto message. */
export function jobGraphToMessage(graph: JobGraph): JobGraphMessage {
  return {
    name: graph.name,
    vertices: graph.vertices.map((vertex) => ({
      id: vertex.id,
      name: vertex.name,
      parallelism: vertex.parallelism,
      operators: vertex.operators.map(operatorToMessage),
      resources: vertex.resources && resourceProfileToMessage(vertex.resources),
    })),
    edges: graph.edges.map((edge) => ({
      sourceVertexId: edge.sourceVertexId,
      targetVertexId: edge.targetVertexId,
      shipStrategy: shipStrategyToMessage(edge.shipStrategy),
      keySelector: edge.keySelector,
      preAggregate: edge.preAggregate === true,
    })),
    bundle: bundleToMessage(graph.bundle),
    restartStrategy: restartToMessage(graph.restartStrategy),
    defaultParallelism: graph.defaultParallelism,
    properties: graph.properties,
    savepoint: graph.savepoint && {
      path: graph.savepoint.path,
      allowNonRestoredState: graph.savepoint.allowNonRestoredState,
    },
    runtimeMode: runtimeModeToMessage(graph.runtimeMode),
  };
}

/** The largest parallelism a vertex may ask for. */
export const MAX_PARALLELISM = 1024;

/** A proto job graph as the domain's, validated: every problem is INVALID_ARGUMENT naming where it is. */
export function jobGraphFromMessage(message: JobGraphMessage | undefined): JobGraph {
  if (!message) throw new InvalidArgumentError('job_graph is required');
  if (message.vertices.length === 0) throw new InvalidArgumentError('job_graph has no vertices');
  const runtimeMode = runtimeModeFromMessage(message.runtimeMode, 'job_graph');
  const ids = new Set<string>();
  const parallelismOf = new Map<string, number>();
  const vertices = message.vertices.map((vertex, index) => {
    const where = `vertex ${index} (${JSON.stringify(vertex.id)})`;
    if (!vertex.id) throw new InvalidArgumentError(`vertex ${index}: id is required`);
    if (ids.has(vertex.id)) throw new InvalidArgumentError(`${where}: the id is used twice`);
    ids.add(vertex.id);
    if (vertex.parallelism < 1 || vertex.parallelism > MAX_PARALLELISM)
      throw new InvalidArgumentError(`${where}: parallelism must be 1 to ${MAX_PARALLELISM}`);
    if (vertex.operators.length === 0) throw new InvalidArgumentError(`${where}: it has no operators`);
    parallelismOf.set(vertex.id, vertex.parallelism);
    return {
      id: vertex.id,
      name: vertex.name || vertex.id,
      parallelism: vertex.parallelism,
      operators: vertex.operators.map((operator, at) => operatorFromMessage(operator, `${where} operator ${at}`)),
      resources: vertex.resources && resourceProfileFromMessage(vertex.resources),
    };
  });
  const edges = message.edges.map((edge, index) => {
    const where = `edge ${index} (${edge.sourceVertexId} -> ${edge.targetVertexId})`;
    if (!ids.has(edge.sourceVertexId) || !ids.has(edge.targetVertexId))
      throw new InvalidArgumentError(`${where}: it names a vertex that does not exist`);
    const shipStrategy = shipStrategyFromMessage(edge.shipStrategy, where);
    if (
      shipStrategy === 'forward' &&
      parallelismOf.get(edge.sourceVertexId) !== parallelismOf.get(edge.targetVertexId)
    ) {
      throw new InvalidArgumentError(`${where}: a FORWARD edge needs equal parallelism on both ends`);
    }
    const keySelector =
      shipStrategy === 'hash' ? userFunctionFromMessage(edge.keySelector, `${where} key_selector`) : undefined;
    if (!edge.preAggregate)
      return { sourceVertexId: edge.sourceVertexId, targetVertexId: edge.targetVertexId, shipStrategy, keySelector };
    const target = vertices.find((vertex) => vertex.id === edge.targetVertexId);
    if (runtimeMode !== 'BATCH' || shipStrategy !== 'hash' || !isKeyedAggregation(target?.operators[0])) {
      throw new InvalidArgumentError(
        `${where}: pre_aggregate needs a BATCH job and a HASH edge into a keyed reduce, sum or count`,
      );
    }
    return {
      sourceVertexId: edge.sourceVertexId,
      targetVertexId: edge.targetVertexId,
      shipStrategy,
      keySelector,
      preAggregate: true,
    };
  });
  const order = vertices.map((vertex) => vertex.id);
  for (const edge of edges) {
    if (order.indexOf(edge.sourceVertexId) >= order.indexOf(edge.targetVertexId)) {
      throw new InvalidArgumentError(
        `edge ${edge.sourceVertexId} -> ${edge.targetVertexId}: vertices must be listed in topological order (sources first), without cycles`,
      );
    }
  }
  return {
    name: message.name,
    vertices,
    edges,
    bundle: bundleFromMessage(message.bundle),
    restartStrategy: restartFromMessage(message.restartStrategy),
    defaultParallelism: message.defaultParallelism,
    properties: message.properties,
    runtimeMode,
    ...(message.savepoint?.path
      ? {
          savepoint: {
            path: message.savepoint.path,
            allowNonRestoredState: message.savepoint.allowNonRestoredState,
          },
        }
      : {}),
  };
}
