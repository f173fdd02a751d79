// docs renders /docs: one self-contained HTML page (no scripts, no CDN assets) listing every operation
// of the OpenAPI document with its parameters, body and responses.

type Json = Record<string, unknown>;

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** escapeHtml makes any text safe inside HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESC[ch] ?? ch);
}

const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});

function schemaBlock(schema: unknown): string {
  return `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

function operationHtml(path: string, method: string, op: Json): string {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const rows = params
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td>` +
        `<td>${p.required ? "yes" : "no"}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
    )
    .join("");
  const body = obj(obj(op.requestBody).content);
  const bodyHtml = Object.entries(body)
    .map(([type, c]) => `<h4>Body <code>${escapeHtml(type)}</code></h4>${schemaBlock(obj(c).schema)}`)
    .join("");
  const resp = Object.entries(obj(op.responses))
    .map(([status, r]) => {
      const content = Object.entries(obj(obj(r).content))
        .map(
          ([type, c]) =>
            `<details><summary>${escapeHtml(type)}</summary>${schemaBlock(obj(c).schema)}</details>`,
        )
        .join("");
      return `<li><b>${escapeHtml(status)}</b> ${escapeHtml(String(obj(r).description ?? ""))}${content}</li>`;
    })
    .join("");
  const id = escapeHtml(String(op.operationId));
  return `<section id="${id}"><h3><span class="m ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span>
<code>${escapeHtml(path)}</code></h3><p>${escapeHtml(String(op.summary ?? ""))}</p>
${op.description ? `<p>${escapeHtml(String(op.description))}</p>` : ""}
${rows ? `<table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${rows}</table>` : ""}
${bodyHtml}<h4>Responses</h4><ul>${resp}</ul></section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f5f5f5;padding:.6em;overflow:auto}
section{border-top:1px solid #ddd;padding:.5em 0}table{border-collapse:collapse}td,th{border:1px solid #ddd;
padding:2px 6px;text-align:left}.m{display:inline-block;min-width:4em;font-size:12px;color:#fff;padding:2px 6px;
border-radius:3px;background:#555}.get{background:#2a7ae2}.post{background:#2e9d4f}.put{background:#c77c00}
.delete{background:#c33}`;

/** renderDocs builds the HTML page for an OpenAPI document. */
export function renderDocs(doc: Json): string {
  const info = obj(doc.info);
  const sections: string[] = [];
  const index: string[] = [];
  for (const [path, item] of Object.entries(obj(doc.paths))) {
    for (const [method, op] of Object.entries(obj(item))) {
      const o = obj(op);
      sections.push(operationHtml(path, method, o));
      index.push(
        `<li><a href="#${escapeHtml(String(o.operationId))}">${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</a></li>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(String(info.title))}</title>
<style>${STYLE}</style></head><body><h1>${escapeHtml(String(info.title))} <small>${escapeHtml(String(info.version))}</small></h1>
<p>${escapeHtml(String(info.description ?? ""))}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>
(OpenAPI 3.1). Authenticate with the header <code>X-API-Key: wrn_…</code>.</p>
<ul>${index.join("")}</ul>${sections.join("\n")}</body></html>`;
}
