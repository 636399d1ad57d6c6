// The console: the seed page's rerank form, and a live view of the stream polled from /api/stream.
// No external assets; everything here is served by the gateway from the jar.
"use strict";

const CLIP = 120;
let servedModel = null;
const seen = new Set();

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The first 120 characters (code points, not UTF-16 units), plus "..." when cut. */
function clip(text) {
  const chars = Array.from(text);
  return chars.length > CLIP ? chars.slice(0, CLIP).join("") + "..." : text;
}

function message(text, isError) {
  const m = document.getElementById("message");
  m.textContent = text;
  m.className = isError ? "error" : "";
}

async function rerank() {
  const query = document.getElementById("query").value.trim();
  const instruction = document.getElementById("instruction").value.trim();
  const documents = document.getElementById("candidates").value.split("\n")
      .map(s => s.trim()).filter(s => s.length > 0);
  const list = document.getElementById("results");
  list.replaceChildren();
  document.getElementById("latency").textContent = "";
  if (!query) { message("Please enter a query.", true); return; }
  if (documents.length === 0) { message("Please enter at least one candidate, one per line.", true); return; }
  message("Ranking " + documents.length + " candidates...", false);
  const body = { query: query, documents: documents, return_documents: true };
  if (servedModel) body.model = servedModel;
  if (instruction) body.instruction = instruction;
  const button = document.getElementById("rerank");
  button.disabled = true;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60000);
  const started = performance.now();
  try {
    const response = await fetch("/v1/rerank", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), signal: abort.signal });
    const result = await response.json();
    if (!response.ok) {
      const e = result.error || {};
      throw new Error((e.reason_code ? e.reason_code + ": " : "") + (e.message || response.status));
    }
    const ms = Math.round(performance.now() - started);
    const results = result.results.slice().sort((a, b) => b.relevance_score - a.relevance_score);
    results.forEach((r, i) => {
      const li = el("li", i === 0 ? "top1" : "");
      li.appendChild(el("b", "", "Top " + (i + 1) + " (" + r.relevance_score.toFixed(4) + ")"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "text", clip(r.document.text)));
      list.appendChild(li);
    });
    message("", false);
    document.getElementById("latency").textContent = "answered in " + ms + " ms";
  } catch (e) {
    message("call failed: " + (e.name === "AbortError" ? "timed out after 60 s" : e.message), true);
  } finally {
    clearTimeout(timer);
    button.disabled = false;
  }
}

function ms(p) {
  return p.count ? Math.round(p.p50) + " / " + Math.round(p.p99) + " ms" : "-";
}

function row(cells, fresh) {
  const tr = el("tr", fresh ? "fresh" : "");
  cells.forEach(([text, cls, title]) => {
    const td = el("td", cls || "", text);
    td.title = title || text;
    tr.appendChild(td);
  });
  return tr;
}

function links(s) {
  const nav = document.getElementById("links");
  nav.replaceChildren();
  [["Flink dashboard", s.flink_dashboard_url], ["Grafana", s.grafana_url]].forEach(([name, url]) => {
    if (!url) return;
    const a = el("a", "", name);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener";
    nav.appendChild(a);
  });
}

async function poll() {
  try {
    const s = await (await fetch("/api/stream", { cache: "no-store" })).json();
    if (servedModel === null) {
      servedModel = s.served_model;
      document.getElementById("model").textContent = "model " + s.served_model
          + (s.job_model !== s.served_model ? " (" + s.job_model + ")" : "");
      links(s);
    }
    document.getElementById("throughput").textContent = s.per_second_last_minute.toFixed(2) + " /s";
    document.getElementById("scoring-latency").textContent = ms(s.scoring_millis);
    document.getElementById("http-latency").textContent = ms(s.http_millis);
    document.getElementById("totals").textContent = s.total_results + " / " + s.total_dead_letters;
    const max = Math.max(1, ...s.per_10s);
    document.getElementById("spark").replaceChildren(...s.per_10s.map(c => {
      const bar = el("div");
      bar.style.height = Math.round(100 * c / max) + "%";
      bar.title = c + " records";
      return bar;
    }));
    document.getElementById("live-results").replaceChildren(...s.results.map(r => {
      const key = "r" + r.request_id + r.seen_at;
      const fresh = !seen.has(key);
      seen.add(key);
      return row([[r.request_id], [r.query], [r.top1.text || r.top1.id],
          [r.top1.score.toFixed(4)]], fresh);
    }));
    document.getElementById("dead-letters").replaceChildren(...s.dead_letters.map(d => {
      const key = "d" + d.request_id + d.seen_at;
      const fresh = !seen.has(key);
      seen.add(key);
      return row([[d.request_id || "?"], [d.reason_code, "code"], [d.reason]], fresh);
    }));
  } catch (e) {
    // The gateway may be restarting; the next poll tries again.
  }
}

document.getElementById("rerank").addEventListener("click", rerank);
poll();
setInterval(poll, 1000);
