// Runs @flipdish/events' own Zod schemas (https://www.npmjs.com/package/@flipdish/events, MIT) for the tests.
//   node zod_check.mjs <node_modules> check <examples.json>  -> [{name, shape, seed, status, issues}]
//   node zod_check.mjs <node_modules> refinements            -> {eventType: [[path, kind], ...]}
// Legacy bodies are checked with zeus/*/index.js eventSchemaMap["<name>.v3"], v3 events with
// webhooks/index.js eventSchemaMap (the whole event, or its detail.properties for the properties shape).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [, , modules, mode, examplesPath] = process.argv;
const pkg = join(modules, "@flipdish", "events");
const load = (...parts) => import(pathToFileURL(join(pkg, ...parts)).href);

const legacy = {};
for (const dir of readdirSync(join(pkg, "zeus"), { withFileTypes: true })) {
  if (!dir.isDirectory()) continue;
  const mod = await load("zeus", dir.name, "index.js");
  for (const [type, schema] of Object.entries(mod.eventSchemaMap ?? {})) legacy[type.toLowerCase()] = schema;
}
const v3 = (await load("webhooks", "index.js")).eventSchemaMap;
const common = await load("zeus", "common-schemas.js");

const inner = (s) => s?._def?.schema ?? s?._def?.innerType;
const unwrap = (s) => { while (inner(s)) s = inner(s); return s; };

function schemaFor({ name, family, shape }) {
  if (family === "legacy") return legacy[`${name.toLowerCase()}.v3`];
  const event = v3[name];
  if (!event || shape === "event") return event;
  return unwrap(unwrap(unwrap(event).shape.detail).shape.properties);
}

function check(items) {
  return items.map(({ name, family, shape, seed, payload }) => {
    const schema = schemaFor({ name, family, shape });
    if (!schema) return { name, shape, seed, status: "no-schema", issues: [] };
    const parsed = schema.safeParse(family === "legacy" ? payload.Body : payload);
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join("/")}: ${i.message}`);
    return { name, shape, seed, status: parsed.success ? "ok" : "invalid", issues };
  });
}

// Every refinement (a Zod check JSON Schema cannot carry) reachable from a schema, by JSON path.
function walk(schema, path, out) {
  const def = schema?._def;
  if (!def) return;
  if (schema === common.DateTimeSchema) return void out.push([path, "DateTimeSchema"]);
  if (schema === common.TimeSchema) return void out.push([path, "TimeSchema"]);
  switch (def.typeName) {
    case "ZodEffects":
      if (def.effect.type === "refinement") {
        out.push([path, `refine:${unwrap(def.schema)._def.typeName === "ZodString" ? "string" : "object"}`]);
      }
      return walk(def.schema, path, out);
    case "ZodObject":
      for (const [key, value] of Object.entries(schema.shape)) walk(value, `${path}/${key}`, out);
      return;
    case "ZodArray":
      return walk(def.type, `${path}/*`, out);
    case "ZodRecord":
      return walk(def.valueType, `${path}/{}`, out);
    case "ZodUnion":
    case "ZodDiscriminatedUnion":
      for (const option of def.options) walk(option, path, out);
      return;
    case "ZodIntersection":
      walk(def.left, path, out);
      return walk(def.right, path, out);
    case "ZodPipeline":
      return walk(def.in, path, out);
    default:
      if (inner(schema)) return walk(inner(schema), path, out);
  }
}

function refinements() {
  const found = {};
  for (const [type, schema] of [...Object.entries(legacy), ...Object.entries(v3)]) {
    const out = [];
    walk(schema, "", out);
    if (out.length) found[type] = out;
  }
  return found;
}

const result = mode === "check" ? check(JSON.parse(readFileSync(examplesPath, "utf8"))) : refinements();
console.log(JSON.stringify(result));
