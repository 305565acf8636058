// The plan of a per-branch preview: every production config rewritten so the branch gets its own copy
// of the whole platform — its own workers (branch-suffixed names), its own D1 database, its own queues,
// its own Analytics Engine dataset, and every service binding and Durable Object `script_name`
// pointing at the branch's own workers (hence its own object namespaces). Pure: the script that runs
// wrangler is scripts/preview.mjs, the test is tests/e2e/ops-preview.test.ts.
import { createHash } from "node:crypto";
import path from "node:path";

/** A branch name as a worker-name suffix: lower-case letters, digits and dashes, short enough for every name. */
export function branchSlug(branch) {
  const clean = String(branch)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!clean) throw new Error(`branch ${JSON.stringify(branch)} has no letters or digits`);
  if (clean.length <= 24) return clean;
  // Long names keep a hash so two branches that share a prefix still differ.
  const hash = createHash("sha256").update(clean).digest("hex").slice(0, 6);
  return `${clean.slice(0, 17).replace(/-+$/, "")}-${hash}`;
}

/** A stand-in D1 id for offline builds (`--dry-run`): stable per branch, never a real database's. */
export function placeholderDatabaseId(slug) {
  const h = createHash("sha256").update(`preview-d1:${slug}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const rel = (fromDir, file) => path.relative(fromDir, file).split(path.sep).join("/");

/**
 * @param branch the git branch (or any name)
 * @param configs [{ path: absolute path of a production wrangler.toml, raw: its parsed contents }]
 * @param outDir where the preview's JSON configs will be written (paths inside them are made relative to it)
 * @param databaseId the preview database's id once created (else the placeholder)
 */
export function previewPlan(branch, configs, { outDir, databaseId } = {}) {
  const slug = branchSlug(branch);
  const production = new Set(configs.map((c) => c.raw.name));
  const renamed = (name) => {
    if (!production.has(name)) throw new Error(`a binding names ${name}, which is not one of this platform's workers`);
    return `${name}-${slug}`;
  };
  const databases = new Map();
  const queues = new Map();
  const datasets = new Map();
  const dbId = databaseId ?? placeholderDatabaseId(slug);

  const workers = configs.map(({ path: file, raw }) => {
    const dir = path.dirname(file);
    const abs = (p) => rel(outDir, path.resolve(dir, p));
    const c = structuredClone(raw);
    c.name = renamed(raw.name);
    if (c.main) c.main = abs(c.main);
    if (c.assets?.directory) c.assets.directory = abs(c.assets.directory);
    // A preview is reached on its workers.dev URL only: no production route or custom domain.
    delete c.routes;
    delete c.route;
    // The one public worker (the domain workers say workers_dev = false).
    const isGateway = raw.workers_dev !== false;
    if (isGateway) c.workers_dev = true;
    c.d1_databases = (raw.d1_databases ?? []).map((d) => {
      const name = `${d.database_name}-${slug}`;
      databases.set(name, { production_name: d.database_name, production_id: d.database_id });
      return { ...d, database_name: name, database_id: dbId, ...(d.migrations_dir ? { migrations_dir: abs(d.migrations_dir) } : {}) };
    });
    c.services = (raw.services ?? []).map((s) => ({ ...s, service: renamed(s.service) }));
    if (raw.durable_objects)
      c.durable_objects = {
        bindings: (raw.durable_objects.bindings ?? []).map((b) =>
          b.script_name ? { ...b, script_name: renamed(b.script_name) } : { ...b },
        ),
      };
    if (raw.queues) {
      const q = (name) => {
        const n = `${name}-${slug}`;
        queues.set(n, name);
        return n;
      };
      c.queues = {
        ...(raw.queues.producers ? { producers: raw.queues.producers.map((p) => ({ ...p, queue: q(p.queue) })) } : {}),
        ...(raw.queues.consumers
          ? {
              consumers: raw.queues.consumers.map((k) => ({
                ...k,
                queue: q(k.queue),
                ...(k.dead_letter_queue ? { dead_letter_queue: q(k.dead_letter_queue) } : {}),
              })),
            }
          : {}),
      };
    }
    if (raw.analytics_engine_datasets)
      c.analytics_engine_datasets = raw.analytics_engine_datasets.map((a) => {
        const n = `${a.dataset}_${slug.replace(/-/g, "_")}`;
        datasets.set(n, a.dataset);
        return { ...a, dataset: n };
      });
    // Every preview line is logged: a branch sees few requests and its logs are what it is for.
    if (c.observability) c.observability = { ...c.observability, head_sampling_rate: 1 };
    return {
      name: c.name,
      production_name: raw.name,
      source: file,
      gateway: isGateway,
      config: c,
    };
  });
  return {
    branch,
    slug,
    databases: [...databases].map(([name, v]) => ({ name, id: dbId, ...v })),
    queues: [...queues.keys()],
    datasets: [...datasets.keys()],
    workers,
  };
}

/** Every string in the plan's configs that names a production resource (the test expects none). */
export function productionReferences(plan, configs) {
  const names = new Set(configs.map((c) => c.raw.name));
  const ids = new Set(configs.flatMap((c) => (c.raw.d1_databases ?? []).map((d) => d.database_id)));
  const dbNames = new Set(configs.flatMap((c) => (c.raw.d1_databases ?? []).map((d) => d.database_name)));
  const qs = new Set(
    configs.flatMap((c) => [
      ...(c.raw.queues?.producers ?? []).map((p) => p.queue),
      ...(c.raw.queues?.consumers ?? []).flatMap((k) => [k.queue, k.dead_letter_queue].filter(Boolean)),
    ]),
  );
  const found = [];
  for (const w of plan.workers) {
    const c = w.config;
    if (names.has(c.name)) found.push(`${w.name}: worker name ${c.name}`);
    for (const d of c.d1_databases ?? []) {
      if (ids.has(d.database_id)) found.push(`${w.name}: D1 id ${d.database_id}`);
      if (dbNames.has(d.database_name)) found.push(`${w.name}: D1 name ${d.database_name}`);
    }
    for (const s of c.services ?? []) if (names.has(s.service)) found.push(`${w.name}: service ${s.binding} → ${s.service}`);
    for (const b of c.durable_objects?.bindings ?? [])
      if (b.script_name && names.has(b.script_name)) found.push(`${w.name}: object ${b.name} → ${b.script_name}`);
    for (const p of c.queues?.producers ?? []) if (qs.has(p.queue)) found.push(`${w.name}: queue ${p.queue}`);
    for (const k of c.queues?.consumers ?? [])
      for (const q of [k.queue, k.dead_letter_queue]) if (q && qs.has(q)) found.push(`${w.name}: queue ${q}`);
    if (c.routes || c.route) found.push(`${w.name}: production routes`);
  }
  return found;
}
