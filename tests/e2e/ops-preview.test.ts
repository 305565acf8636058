// A branch preview's plan names no production resource: no production database id or name, no
// production worker in any name, service binding or Durable Object script_name, no production queue,
// no production route (scripts/ops/preview-plan.mjs; `npm run preview -- BRANCH --dry-run` prints it).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
// @ts-expect-error plain ESM module
import { branchSlug, placeholderDatabaseId, previewPlan, productionReferences } from "../../scripts/ops/preview-plan.mjs";
// @ts-expect-error plain ESM script shared with `npm run dev`
import { CONFIGS, ROOT } from "../../scripts/stack.mjs";

const configs = (CONFIGS as string[]).map((c) => {
  const file = path.join(ROOT, c);
  // biome-ignore lint/suspicious/noExplicitAny: wrangler's raw config, read field by field
  return { path: file, raw: experimental_readRawConfig({ config: file }).rawConfig as Record<string, any> };
});
const outDir = path.join(ROOT, ".wrangler/preview/test");

describe("per-branch previews", () => {
  for (const branch of ["feature/login", "main", "Fix: a very long branch name with CAPS and spaces, 2026!"])
    it(`the plan for ${JSON.stringify(branch)} names no production resource`, () => {
      const plan = previewPlan(branch, configs, { outDir });
      expect(productionReferences(plan, configs)).toEqual([]);
      const production = new Set(configs.map((c) => c.raw.name));
      const names = new Set(plan.workers.map((w: { name: string }) => w.name));
      expect(plan.workers).toHaveLength(configs.length);
      for (const w of plan.workers) {
        expect(w.name).toMatch(/^[a-z0-9-]{1,63}$/);
        expect(production.has(w.name)).toBe(false);
        // Every binding reaches one of the branch's own workers, so its objects live in the branch's namespaces.
        for (const s of w.config.services ?? []) expect(names.has(s.service)).toBe(true);
        for (const b of w.config.durable_objects?.bindings ?? []) if (b.script_name) expect(names.has(b.script_name)).toBe(true);
        for (const d of w.config.d1_databases ?? []) {
          expect(d.database_id).toBe(placeholderDatabaseId(plan.slug));
          expect(d.database_name).toBe(`edge-finance-${plan.slug}`);
        }
        for (const p of w.config.queues?.producers ?? []) expect(p.queue.endsWith(`-${plan.slug}`)).toBe(true);
        for (const a of w.config.analytics_engine_datasets ?? []) expect(a.dataset).not.toBe("ef_requests");
      }
      // Exactly one public worker, the gateway, on workers.dev; no production route anywhere.
      expect(
        plan.workers.filter((w: { gateway: boolean }) => w.gateway).map((w: { production_name: string }) => w.production_name),
      ).toEqual(["ef-gateway"]);
      expect(plan.workers.every((w: { config: Record<string, unknown> }) => !w.config.routes && !w.config.route)).toBe(true);
    });

  it("detects a production reference the plan would let through", () => {
    const plan = previewPlan("leak", configs, { outDir });
    const gw = plan.workers.find((w: { gateway: boolean }) => w.gateway);
    gw.config.services[0].service = "ef-auth";
    gw.config.d1_databases[0].database_id = configs[0].raw.d1_databases[0].database_id;
    expect(productionReferences(plan, configs)).toEqual([
      expect.stringContaining("D1 id"),
      expect.stringContaining("service AUTH → ef-auth"),
    ]);
    expect(() =>
      previewPlan("x", [{ ...configs[0], raw: { ...configs[0].raw, services: [{ binding: "X", service: "someone-else" }] } }], { outDir }),
    ).toThrow(/not one of this platform's workers/);
  });

  it("turns any branch name into a short, distinct worker-name suffix", () => {
    expect(branchSlug("feature/Login_Page")).toBe("feature-login-page");
    const a = branchSlug("a-very-long-branch-name-that-goes-on-one");
    const b = branchSlug("a-very-long-branch-name-that-goes-on-two");
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(24);
    expect(() => branchSlug("///")).toThrow();
  });
});
