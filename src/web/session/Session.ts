/**
 * What every page shares: the gRPC-Web client of ClusterClientService, and the caller's bearer token,
 * kept in sessionStorage (gone when the tab closes, never sent anywhere but this control plane as
 * the `authorization` header). A call answered UNAUTHENTICATED shows the token box.
 */
import { ClusterClientServiceDefinition } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { GrpcStatusError, StatusCode } from '../rpc/GrpcStatusError.js';
import { GrpcWebClient, type MethodDefinition } from '../rpc/GrpcWebClient.js';

const TOKEN_KEY = 'flotilla.token';

/** The methods of the contract, by their generated names. */
export const Methods = ClusterClientServiceDefinition.methods;

/** The dashboard's session in this tab. */
export class Session {
  private readonly client = new GrpcWebClient({ baseUrl: '', token: () => this.token });
  private readonly listeners = new Set<(message: string) => void>();

  /** The stored token, if any. */
  get token(): string | undefined {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  }

  /** Stores `token` for this tab (an empty one forgets it). */
  setToken(token: string): void {
    if (token.trim() === '') sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token.trim());
  }

  /** Calls `listener` with the server's message whenever a call is refused for want of a valid token. */
  onUnauthenticated(listener: (message: string) => void): void {
    this.listeners.add(listener);
  }

  /** Calls a unary method of ClusterClientService. */
  async unary<Request, Response>(
    method: MethodDefinition<Request, Response>,
    request: Request,
    signal?: AbortSignal,
  ): Promise<Response> {
    try {
      return await this.client.unary(ClusterClientServiceDefinition, method, request, signal);
    } catch (error) {
      throw this.noticed(error);
    }
  }

  /** Calls a server-streaming method of ClusterClientService; `onOpen` as {@link GrpcWebClient.stream}'s. */
  async *stream<Request, Response>(
    method: MethodDefinition<Request, Response>,
    request: Request,
    signal?: AbortSignal,
    onOpen?: () => void,
  ): AsyncGenerator<Response> {
    try {
      yield* this.client.stream(ClusterClientServiceDefinition, method, request, signal, onOpen);
    } catch (error) {
      throw this.noticed(error);
    }
  }

  private noticed(error: unknown): unknown {
    if (error instanceof GrpcStatusError && error.code === StatusCode.UNAUTHENTICATED)
      for (const listener of this.listeners) listener(error.grpcMessage);
    return error;
  }
}

/** What a failed call says to a person. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
