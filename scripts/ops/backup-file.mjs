// Reads a backup written by `npm run backup` (NDJSON: header, objects, D1 tables, manifest).
import { readFileSync } from "node:fs";

export function readBackup(file) {
  let header;
  let manifest;
  const objects = [];
  const d1 = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line) return;
      let doc;
      try {
        doc = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1} is not JSON`);
      }
      if (doc.type === "header") header = doc;
      else if (doc.type === "object") objects.push(doc);
      else if (doc.type === "d1") d1.push(doc);
      else if (doc.type === "manifest") manifest = doc;
    });
  if (header?.format !== 1) throw new Error(`${file} is not a backup of this platform (no format 1 header)`);
  if (!manifest) throw new Error(`${file} is incomplete: it has no manifest (the backup was cut short)`);
  return { header, manifest, objects, d1 };
}
