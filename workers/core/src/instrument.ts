import { mergeTimings, parseServerTiming, type Timings, type Usage } from "./server-timing";

/**
 * A per-request view of a worker's bindings that counts and times what the request does with them:
 * D1 statements (prepare → bind → first/all/run/raw, `batch` of k statements counts k, `exec`),
 * Durable Object calls (every method call or fetch on a stub got from a namespace), and the
 * Server-Timing a service binding's answer reports (merged, so counts add up across workers).
 * Everything else is passed through untouched. Bindings are recognised by their runtime tag, D1 by its
 * shape; a service binding answers any property name over RPC, so it is told apart first.
 */
export function instrumentEnv<E extends object>(env: E, t: Timings): E {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(env, {
    get(target, key) {
      if (cache.has(key)) return cache.get(key);
      const value = Reflect.get(target, key);
      const wrapped = wrapBinding(value, t);
      cache.set(key, wrapped);
      return wrapped;
    },
  });
}

const tag = (v: object) => Object.prototype.toString.call(v);

function wrapBinding(value: unknown, t: Timings): unknown {
  if (typeof value !== "object" || value === null) return value;
  const kind = tag(value);
  if (kind === "[object Fetcher]") return wrapFetcher(value, t);
  if (kind === "[object DurableObjectNamespace]") return wrapNamespace(value, t);
  const v = value as Record<string, unknown>;
  if (typeof v.prepare === "function" && typeof v.batch === "function") return wrapD1(value, t);
  return value;
}

/** Counts `n` calls on `usage` and adds the time until `run`'s promise settles. */
function timed<T>(usage: Usage, n: number, run: () => T): T {
  usage.count += n;
  const started = performance.now();
  const done = () => void (usage.dur += performance.now() - started);
  const result = run();
  if (result && typeof (result as { then?: unknown }).then === "function") return Promise.resolve(result).finally(done) as T;
  done();
  return result;
}

// Methods are called with Reflect.apply: on an RPC stub `fn.apply` would itself be a remote property.
const passThrough = (target: object, fn: unknown) =>
  typeof fn === "function" ? (...args: unknown[]) => Reflect.apply(fn, target, args) : fn;

const RAW = new WeakMap<object, object>();
const unwrap = (stmt: unknown) => (typeof stmt === "object" && stmt !== null ? (RAW.get(stmt) ?? stmt) : stmt);

function wrapD1(db: object, t: Timings): object {
  return new Proxy(db, {
    get(target, key) {
      const fn = Reflect.get(target, key);
      if (typeof fn !== "function") return fn;
      switch (key) {
        case "prepare":
          return (...args: unknown[]) => wrapStatement(Reflect.apply(fn, target, args), t);
        case "batch":
          // D1 needs its own statement objects back, not these views of them.
          return (stmts: unknown[], ...rest: unknown[]) =>
            timed(t.d1, stmts.length, () => Reflect.apply(fn, target, [stmts.map(unwrap), ...rest]));
        case "exec":
          return (...args: unknown[]) => timed(t.d1, 1, () => Reflect.apply(fn, target, args));
        case "withSession":
          return (...args: unknown[]) => wrapD1(Reflect.apply(fn, target, args), t);
        default:
          return passThrough(target, fn);
      }
    },
  });
}

const RUNS = new Set<PropertyKey>(["first", "all", "run", "raw"]);

function wrapStatement(stmt: object, t: Timings): object {
  const view = new Proxy(stmt, {
    get(target, key) {
      const fn = Reflect.get(target, key);
      if (typeof fn !== "function") return fn;
      if (key === "bind") return (...args: unknown[]) => wrapStatement(Reflect.apply(fn, target, args), t);
      if (RUNS.has(key)) return (...args: unknown[]) => timed(t.d1, 1, () => Reflect.apply(fn, target, args));
      return passThrough(target, fn);
    },
  });
  RAW.set(view, stmt);
  return view;
}

const STUB_GETTERS = new Set<PropertyKey>(["get", "getByName", "getExisting"]);

function wrapNamespace(ns: object, t: Timings): object {
  return new Proxy(ns, {
    get(target, key) {
      const fn = Reflect.get(target, key);
      if (typeof fn !== "function") return fn;
      if (STUB_GETTERS.has(key)) return (...args: unknown[]) => wrapStub(Reflect.apply(fn, target, args), t);
      if (key === "jurisdiction") return (...args: unknown[]) => wrapNamespace(Reflect.apply(fn, target, args), t);
      return passThrough(target, fn);
    },
  });
}

function wrapStub(stub: object, t: Timings): object {
  return new Proxy(stub, {
    get(target, key) {
      const value = Reflect.get(target, key);
      // `then` stays undefined so a stub is never mistaken for a promise; symbols are the runtime's own.
      if (typeof key === "symbol" || key === "then" || typeof value !== "function") return value;
      return (...args: unknown[]) => timed(t.do, 1, () => Reflect.apply(value, target, args));
    },
  });
}

function wrapFetcher(fetcher: object, t: Timings): object {
  return new Proxy(fetcher, {
    get(target, key) {
      const fn = Reflect.get(target, key);
      if (key !== "fetch" || typeof fn !== "function") return passThrough(target, fn);
      return async (...args: unknown[]) => {
        const res = (await Reflect.apply(fn, target, args)) as Response;
        mergeTimings(t, parseServerTiming(res.headers.get("server-timing")));
        return res;
      };
    },
  });
}
