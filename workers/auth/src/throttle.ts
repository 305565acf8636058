import { DurableObject } from "cloudflare:workers";

/** Failed-login throttle state, one object per email and per client IP (to be implemented). */
export class LoginThrottle extends DurableObject {}
