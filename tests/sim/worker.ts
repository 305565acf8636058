// The simulation's transactions worker (`npm run sim`, tests/sim/wrangler.toml): the real worker, plus an
// AccountLedger subclass that injects faults, so production code carries none. Faults:
// - resets: around every public method, at random, `ctx.abort()` before the call, while it runs, or after
//   it returned (the caller loses the answer of work that was done);
// - D1: the object's D1 binding fails `batch`/`run` at random, before or after really applying (a lost
//   acknowledgement).
// Each injected fault prints one JSON line {"sim_fault": kind, ...} that the driver counts in the log.
import type { LedgerRpc } from "#core";
import { mulberry32 } from "#core/random";
import { AccountLedger as Base, type LedgerEnv } from "../../workers/transactions/src/ledger/account-ledger";

export * from "../../workers/transactions/src/index";
export { default } from "../../workers/transactions/src/index";

type SimEnv = LedgerEnv & { SIM_SEED?: string; SIM_ABORT_RATE?: string; SIM_D1_FAIL_RATE?: string };

/** Every RPC method of the ledger contract, and the alarm, gets resets (the type makes the list complete). */
const RPC: Record<keyof LedgerRpc | "alarm", true> = {
  open: true,
  balance: true,
  verify: true,
  snapshot: true,
  record: true,
  importRows: true,
  list: true,
  get: true,
  patch: true,
  reverse: true,
  close: true,
  pay: true,
  credit: true,
  closeForDeletion: true,
  erase: true,
  eraseCounterparty: true,
  alarm: true,
};
const FAULTED = Object.keys(RPC);

function hash(text: string) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const fault = (kind: string, detail: Record<string, unknown> = {}) => console.log(JSON.stringify({ sim_fault: kind, ...detail }));

/** A D1 binding whose writes fail at random: before applying, or after applying with the answer lost. */
export function faultyD1(db: D1Database, rate: number, rng: () => number): D1Database {
  if (!(rate > 0)) return db;
  const real = new WeakMap<object, D1PreparedStatement>();
  const faulty = async <T>(op: string, apply: () => Promise<T>): Promise<T> => {
    const r = rng();
    if (r < rate / 2) {
      fault("d1_fail_before", { op });
      throw new Error(`sim: D1 ${op} failed before applying`);
    }
    if (r < rate) {
      await apply();
      fault("d1_fail_after", { op });
      throw new Error(`sim: D1 ${op} applied but its answer was lost`);
    }
    return apply();
  };
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, key) {
        if (key === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        if (key === "run") return () => faulty("run", () => target.run());
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(db, {
    get(target, key) {
      if (key === "prepare") return (query: string) => wrap(target.prepare(query));
      if (key === "batch") return (stmts: D1PreparedStatement[]) => faulty("batch", () => target.batch(stmts.map((s) => real.get(s) ?? s)));
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export class AccountLedger extends Base {
  private readonly simRng: () => number;
  private readonly abortRate: number;

  constructor(ctx: DurableObjectState, env: SimEnv) {
    // Seeded per object and incarnation: a reset object must not replay the very faults that reset it.
    const rng = mulberry32(hash(`${env.SIM_SEED ?? "1"}:${ctx.id.toString()}:${Date.now()}:${performance.now()}`));
    super(ctx, { ...env, DB: faultyD1(env.DB, Number(env.SIM_D1_FAIL_RATE ?? 0), rng) });
    this.simRng = rng;
    this.abortRate = Number(env.SIM_ABORT_RATE ?? 0);
  }

  /** Runs one public method with, at random, a reset before, during or after it. */
  async #faulted(method: string, call: () => Promise<unknown>): Promise<unknown> {
    const rate = this.abortRate;
    const r = rate > 0 ? this.simRng() : 1;
    if (r < rate / 3) {
      fault("do_reset_before", { method });
      this.ctx.abort(`sim: reset before ${method}`);
      throw new Error("sim: reset"); // abort() does not return; this only satisfies the types
    }
    if (r < (2 * rate) / 3) {
      // A few event-loop turns after the call started: lands in whichever await it has reached (a
      // storage write, the destination's credit, the outbox flush); a call done by then is left alone.
      let hops = Math.floor(this.simRng() * 4);
      let finished = false;
      const hop = () => {
        if (finished) return;
        if (hops-- > 0) return void setTimeout(hop, 0);
        fault("do_reset_during", { method });
        this.ctx.abort(`sim: reset during ${method}`);
      };
      queueMicrotask(hop);
      try {
        return await call();
      } finally {
        finished = true;
      }
    }
    if (r < rate) {
      await call();
      fault("do_reset_after", { method });
      this.ctx.abort(`sim: reset after ${method}`);
      throw new Error("sim: reset");
    }
    return call();
  }

  // Generic overrides `(...a) => super.x(...a)`, put on the prototype where RPC looks for methods; the
  // fault helper is a #private method, so RPC callers cannot reach it.
  static {
    for (const name of FAULTED) {
      const original = (Base.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
      if (typeof original !== "function") {
        console.log(JSON.stringify({ sim_warning: `AccountLedger has no method ${name}` }));
        continue;
      }
      Object.defineProperty(AccountLedger.prototype, name, {
        configurable: true,
        writable: true,
        value: function (this: AccountLedger, ...args: unknown[]) {
          return this.#faulted(name, () => original.apply(this, args));
        },
      });
    }
  }
}
