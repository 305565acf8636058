// The metric names a PromQL expression reads, and the expressions of the dashboard and the alert
// rules: the monitoring test checks that a live /metrics serves every one of them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const DIR = path.dirname(fileURLToPath(import.meta.url));
const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

export function metricNames(expr) {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ""); // grouping labels
  const names = new Set();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\(?))/g)) {
    const [word, paren] = [m[0], m[1]];
    if (paren === "(" || KEYWORDS.has(word.toLowerCase())) continue; // a function or a keyword
    names.add(word);
  }
  return names;
}

/** `expr:` values of a rules file (plain or folded `>` blocks), and the names its `record:` rules define. */
export function ruleExpressions(text) {
  const lines = text.split("\n");
  const exprs = [];
  const recorded = new Set();
  for (let i = 0; i < lines.length; i++) {
    const rec = lines[i].match(/^\s*-?\s*record:\s*(\S+)/);
    if (rec) recorded.add(rec[1]);
    const m = lines[i].match(/^(\s*)expr:\s*(.*)$/);
    if (!m) continue;
    if (m[2].trim() !== ">" && m[2].trim() !== "|") {
      exprs.push(m[2].trim());
      continue;
    }
    const indent = m[1].length;
    const body = [];
    while (i + 1 < lines.length && (lines[i + 1].trim() === "" || lines[i + 1].search(/\S/) > indent)) body.push(lines[++i].trim());
    exprs.push(body.join(" ").trim());
  }
  return { exprs, recorded };
}

export function monitoringExpressions() {
  const dashboard = JSON.parse(readFileSync(path.join(DIR, "grafana-dashboard.json"), "utf8"));
  const fromDashboard = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const { exprs, recorded } = ruleExpressions(readFileSync(path.join(DIR, "alerts.yml"), "utf8"));
  return { dashboard: fromDashboard, rules: exprs, recorded };
}
