// `npm run dev`: local secrets, D1 migrations, then every worker on http://127.0.0.1:8787.
import { startStack } from "./stack.mjs";

const { child, origin } = await startStack();
console.log(`\nEdge Finance is up on ${origin} (API reference: ${origin}/docs). Ctrl-C stops it.`);
console.log(`Prometheus metrics: ${origin}/metrics with the bearer METRICS_TOKEN from .dev.vars (or an admin's token).`);
child.on("exit", (code) => process.exit(code ?? 0));
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    process.exit(0);
  });
