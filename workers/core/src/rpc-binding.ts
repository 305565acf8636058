// Apart from rpc.ts, whose plain contract types the Node-side tax and AI code also reads: this one needs
// the Workers runtime's types.
/** A service binding to a worker whose entrypoint implements `T`: its methods by RPC, and fetch. */
export type RpcBinding<T> = Fetcher<T & Rpc.WorkerEntrypointBranded>;
