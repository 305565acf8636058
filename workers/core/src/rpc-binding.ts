// Apart from rpc.ts, whose plain contract types the Node-side tax and AI code also reads: this one needs
// the Workers runtime's types.
/** A service binding to a worker whose entrypoint implements `T`: its methods by RPC, and fetch. */
export type RpcBinding<T> = Fetcher<T & Rpc.WorkerEntrypointBranded>;

/**
 * The object named `name` in `ns`, called through its plain RPC contract `T` (LedgerRpc, UserStateRpc…).
 * The one place a namespace is read without its class: the workers that call an object bind it by
 * script name, so its class is not theirs to import (and no domain imports another).
 */
export function namedStub<T>(ns: DurableObjectNamespace<any>, name: string): T {
  const plain = ns as unknown as { get(id: DurableObjectId): unknown; idFromName(name: string): DurableObjectId };
  return plain.get(plain.idFromName(name)) as T;
}
