import { userStateStub, type CallerState } from "#core";
import { CallerCache, ttlFrom } from "./caller-cache";

const cache = new CallerCache<CallerState | null>();

interface CallerEnv {
  USER_STATE: DurableObjectNamespace;
  CALLER_STATE_TTL_MS?: string;
}

/**
 * The caller's status and role: from this isolate's copy while it is younger than CALLER_STATE_TTL_MS,
 * else from the user's UserState object. A suspension or deletion therefore reaches every isolate
 * within that bound (1 s by default, capped at 5 s); the isolate that forwarded the change forgets at once.
 */
export async function callerState(env: CallerEnv, userId: string): Promise<CallerState | null> {
  const ttl = ttlFrom(env.CALLER_STATE_TTL_MS);
  const now = Date.now();
  const hit = cache.get(userId, now, ttl);
  if (hit) return hit.value;
  const state = await userStateStub(env.USER_STATE, userId).caller(userId);
  cache.put(userId, state, now, ttl);
  return state;
}

export const forgetCaller = (userId: string) => cache.forget(userId);
