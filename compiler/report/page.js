/* aslc report: reads the run (#aslc-data), works out from each
 * execution's history which states were entered (a "visit" each), in which
 * Map iteration, with what input, steps, output, retries and errors, and
 * shows it: the graph coloured, a panel per state, a timeline, the events.
 * An event belongs to the visit whose *StateEntered event it leads back to
 * through previousEventId, as AWS links them. */
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("aslc-data").textContent);
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c]));
  const RANK = {failed: 5, caught: 4, retried: 3, running: 2, succeeded: 1, none: 0};

  /* ------------------------------------------------------------ model */

  const byName = D.machines.map(() => ({}));        /* machine -> state name -> node id */
  for (const [id, n] of Object.entries(D.nodes))
    if (!(n.name in byName[n.m])) byName[n.m][n.name] = id;

  function machineOf(x, i) {
    const arn = x.stateMachineArn || "";
    const name = arn.split(":stateMachine:")[1] || "";
    for (let m = 0; m < D.machines.length; m++)
      if ((D.machines[m].arn && D.machines[m].arn === arn) || D.machines[m].name === name.split(":")[0]) return m;
    return i === 0 ? 0 : -1;
  }

  function detailsOf(e) {
    for (const k in e) if (k.endsWith("EventDetails")) return e[k];
    return {};
  }

  /* Which *StateEntered an event of this type leads back to. */
  function wantedEntered(e) {
    const t = e.type, d = detailsOf(e);
    if (t.endsWith("StateExited")) return {name: d.name};
    if (/^(Task|Lambda|Activity)/.test(t)) return {type: "TaskStateEntered"};
    if (/^MapIteration/.test(t)) return {type: "MapStateEntered", name: d.name};
    if (/^Map/.test(t)) return {type: "MapStateEntered"};
    if (/^Parallel/.test(t)) return {type: "ParallelStateEntered"};
    if (/^Wait/.test(t)) return {type: "WaitStateEntered"};
    return {};
  }

  function analyse(x, i) {
    const ev = x.events || [];
    const byId = new Map(ev.map((e) => [e.id, e]));
    const visitOf = new Map();      /* event id -> visit */
    const m = machineOf(x, i);
    const visits = [];
    const t0 = ev.length ? Date.parse(ev[0].timestamp) : 0;

    /* Walks back from event id p to the first *StateEntered matching w.
     * An event already placed stands for its whole visit: the walk jumps to
     * that visit's StateEntered, past its iterations and branches, so a
     * Map of n iterations costs n steps, not n squared. With exact, it steps
     * event by event to the nearest StateEntered (the state that failed). */
    function back(p, w, exact) {
      for (let n = 0; p > 0 && n < 100000; n++) {
        const q = byId.get(p);
        if (!q) return null;
        if (q.type.endsWith("StateEntered")) {
          const d = q.stateEnteredEventDetails || {};
          if ((!w.type || q.type === w.type) && (!w.name || d.name === w.name)) return q;
        } else if (!exact && visitOf.has(q.id)) {
          p = visitOf.get(q.id).entered.id;
          continue;
        }
        p = q.previousEventId;
      }
      return null;
    }

    /* The Map iterations around a state: "Outer#2/Inner#0". */
    function frameOf(e, node) {
      const maps = node ? D.nodes[node].maps : [];
      const keys = [];
      let p = e.previousEventId;
      for (let k = maps.length - 1; k >= 0; k--) {
        let found = null;
        for (let n = 0; p > 0 && n < 100000; n++) {
          const q = byId.get(p);
          if (!q) break;
          const d = q.mapIterationStartedEventDetails;
          if (d && d.name === maps[k]) { found = q; break; }
          p = q.previousEventId;
        }
        keys.unshift(maps[k] + "#" + (found ? found.mapIterationStartedEventDetails.index : "?"));
        /* on to the Map around: from its StateEntered, past its other iterations */
        if (found) p = visitOf.has(found.id) ? visitOf.get(found.id).entered.previousEventId : found.previousEventId;
      }
      return keys.join("/");
    }

    function parse(s) {
      try { return JSON.parse(s); } catch (err) { return s; }
    }

    function apply(v, e) {
      const d = detailsOf(e), t = e.type;
      v.events.push(e);
      v.last = e;
      const attempt = () => (v.attempts > 1 ? "Attempt " + v.attempts + ": " : "");
      if (/^(Task|LambdaFunction|Activity)Scheduled$/.test(t)) {
        v.attempts++;
        v.steps.push([attempt() + "Parameters (effective input)", d.parameters !== undefined ? d.parameters : d.input]);
      } else if (/^(Task|LambdaFunction|Activity)Succeeded$/.test(t)) {
        v.steps.push([attempt() + "Result", d.output]);
        v.failedLast = false;
      } else if (/(Failed|TimedOut|Aborted)$/.test(t) && !/^MapIteration/.test(t)) {
        if (d.error !== undefined || d.cause !== undefined || !v.error)
          v.error = {error: d.error, cause: d.cause, event: e.id};
        if (v.attempts > 0 && !/^Execution/.test(t))
          v.steps.push(["Attempt " + v.attempts + " failed: " + (d.error || t), d.cause]);
        v.failures++;
        v.failedLast = true;
        if (/^Execution/.test(t)) v.fatal = true;
      } else if (t.endsWith("StateExited")) {
        v.exited = e;
        v.output = d.output;
      } else if (/^MapIteration/.test(t)) {
        v.iterations[d.index] = t.replace("MapIteration", "").toLowerCase();
      }
      for (const s of [d.output, d.cause]) {
        const o = typeof s === "string" && s.indexOf("ExecutionArn") >= 0 ? parse(s) : null;
        if (o && typeof o === "object" && o.ExecutionArn && v.children.indexOf(o.ExecutionArn) < 0)
          v.children.push(o.ExecutionArn);
      }
    }

    for (const e of ev) {
      if (e.type.endsWith("StateEntered")) {
        const d = e.stateEnteredEventDetails || {};
        const node = m >= 0 ? byName[m][d.name] : undefined;
        const v = {name: d.name, node, entered: e, events: [], input: d.input, steps: [], attempts: 0, failures: 0,
                   children: [], iterations: {}, frame: frameOf(e, node), exited: null};
        visits.push(v);
        visitOf.set(e.id, v);
        apply(v, e);
        continue;
      }
      const entered = back(e.previousEventId, wantedEntered(e)) ||
                      (e.type.startsWith("Execution") ? null : back(e.previousEventId, {}));
      const v = entered ? visitOf.get(entered.id) : null;
      if (v) { visitOf.set(e.id, v); apply(v, e); }
    }
    /* values after each processing step (aslc run --report): they follow
     * on from the last event of the state they describe */
    for (const ins of x.inspections || []) {
      const v = visitOf.get(ins.previousEventId);
      if (v) (v.inspections = v.inspections || []).push(ins.details || {});
    }
    const status = (x.status || statusFromEvents(ev)).toUpperCase();
    for (const v of visits) {
      v.status = visitStatus(v, status);
      /* an iteration that never ended was stopped with its Map */
      for (const i in v.iterations)
        if (v.iterations[i] === "started" && status !== "RUNNING") v.iterations[i] = "aborted";
    }
    /* the execution failed here: the last state its failure leads back to */
    let failing = null;
    const end = ev.length ? ev[ev.length - 1] : null;
    if (end && /^Execution(Failed|TimedOut|Aborted)$/.test(end.type)) {
      const q = back(end.previousEventId, {}, true);
      failing = q ? visitOf.get(q.id) : null;
      if (failing && failing.status !== "failed") failing.status = "failed";
    }
    const ed = end ? detailsOf(end) : {};
    return {x, i, m, visits, failing, status, t0, byId,
            tEnd: end ? Date.parse(end.timestamp) : t0,
            error: /Failed|TimedOut|Aborted/.test(status) ? ed : null,
            input: ev.length ? (ev[0].executionStartedEventDetails || {}).input : undefined,
            output: status === "SUCCEEDED" ? ed.output : undefined};
  }

  function statusFromEvents(ev) {
    const t = ev.length ? ev[ev.length - 1].type : "";
    const m = /^Execution(Succeeded|Failed|TimedOut|Aborted)$/.exec(t);
    return m ? {Succeeded: "SUCCEEDED", Failed: "FAILED", TimedOut: "TIMED_OUT", Aborted: "ABORTED"}[m[1]] : "RUNNING";
  }

  function visitStatus(v, execStatus) {
    if (v.exited) return v.failedLast ? "caught" : v.attempts > 1 ? "retried" : "succeeded";
    if (v.failures || v.fatal) return "failed";
    const type = v.node ? D.nodes[v.node].type : "";
    if (type === "Fail") return "failed";
    if (Object.values(v.iterations).indexOf("failed") >= 0) return "failed";
    return execStatus === "RUNNING" ? "running" : "failed";
  }

  const runs = (D.executions || []).map(analyse);
  const byArn = new Map(runs.filter((r) => r.x.executionArn).map((r) => [r.x.executionArn, r]));
  /* the task that started a child execution names it in its events */
  for (const r of runs)
    for (const v of r.visits)
      for (const arn of v.children)
        if (byArn.has(arn) && !byArn.get(arn).x.parentArn) byArn.get(arn).x.parentArn = r.x.executionArn;

  /* ------------------------------------------------------------ view */

  const view = {run: 0, node: null, frames: {}};   /* frames: Map state name -> iteration index */

  function inView(v) {
    if (!v.frame) return true;
    return v.frame.split("/").every((k) => {
      const [map, idx] = k.split("#");
      return !(map in view.frames) || String(view.frames[map]) === idx;
    });
  }

  function ms(a, b) {
    const d = b - a;
    return d < 1000 ? d + " ms" : (d / 1000).toFixed(d < 10000 ? 2 : 1) + " s";
  }

  function pretty(s) {
    if (s === undefined || s === null) return "";
    try { return JSON.stringify(JSON.parse(s), null, 2); } catch (err) { return String(s); }
  }

  function colourGraph(r) {
    const agg = {}, retries = {};
    for (const v of r.visits) {
      if (!v.node || !inView(v)) continue;
      if (!agg[v.node] || RANK[v.status] > RANK[agg[v.node]]) agg[v.node] = v.status;
      retries[v.node] = (retries[v.node] || 0) + Math.max(0, v.attempts - 1);
    }
    for (const b of document.querySelectorAll("#aslc-graph text.badge")) b.remove();
    for (const [id, n] of Object.entries(D.nodes)) {
      const g = document.getElementById(id);
      if (!g) continue;
      g.classList.remove("st-succeeded", "st-failed", "st-caught", "st-retried", "st-running", "st-none", "other", "selected");
      g.classList.add(n.m !== r.m ? "other" : "st-" + (agg[id] === "retried" ? "succeeded" : agg[id] || "none"));
      if (id === view.node) g.classList.add("selected");
      if (retries[id] && n.m === r.m) badge(g, "↻ " + retries[id]);
    }
  }

  function badge(g, text) {
    const shape = g.querySelector("path, polygon");
    if (!shape) return;
    const box = shape.getBBox();
    const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
    t.setAttribute("x", box.x + box.width - 2);
    t.setAttribute("y", box.y - 2);
    t.setAttribute("text-anchor", "end");
    t.setAttribute("class", "badge");
    t.textContent = text;
    g.appendChild(t);
  }

  function execLink(r, text) {
    return "<a href=\"#exec=" + r.i + "\" data-exec=\"" + r.i + "\">" + esc(text || r.x.name || "execution " + r.i) + "</a>";
  }

  function renderExecutions() {
    $("aslc-executions").innerHTML = runs.map((r) =>
      "<a href=\"#exec=" + r.i + "\" class=\"" + (r.i === view.run ? "current" : "") + "\" title=\"" + esc(r.x.executionArn || "") + "\">" +
      esc((r.i === 0 ? "main" : (D.machines[r.m] || {}).name || "child") + (r.x.name ? ": " + r.x.name.slice(0, 8) : "")) +
      " · " + esc(r.status.toLowerCase()) + "</a>").join("");
  }

  function kv(rows) {
    return "<table class=\"kv\">" + rows.filter((row) => row[1] !== undefined && row[1] !== "")
      .map((row) => "<tr><td>" + esc(row[0]) + "</td><td>" + row[1] + "</td></tr>").join("") + "</table>";
  }

  function errorBox(err) {
    if (!err || (err.error === undefined && err.cause === undefined)) return "";
    return "<div class=\"error\"><b>" + esc(err.error || "") + "</b>" + (err.cause ? "\n" + esc(pretty(err.cause)) : "") + "</div>";
  }

  function renderExec(r) {
    const parent = r.x.parentArn && byArn.get(r.x.parentArn);
    const kids = runs.filter((c) => c.x.parentArn && c.x.parentArn === r.x.executionArn);
    $("aslc-exec").innerHTML =
      "<h2>Execution " + esc(r.x.name || "") + " <span class=\"chip st-" + (r.status === "SUCCEEDED" ? "succeeded" : r.status === "RUNNING" ? "running" : "failed") + "\">" + esc(r.status) + "</span></h2>" +
      kv([["machine", esc((D.machines[r.m] || {}).name || r.x.stateMachineArn || "")],
          ["ARN", r.x.executionArn ? "<code>" + esc(r.x.executionArn) + "</code>" : undefined],
          ["started", r.x.events && r.x.events.length ? esc(r.x.events[0].timestamp) : undefined],
          ["duration", ms(r.t0, r.tEnd)],
          ["started by", parent ? execLink(parent, parent.x.name) : r.x.parentArn ? esc(r.x.parentArn) : undefined],
          ["started", kids.length ? kids.map((c) => execLink(c, (D.machines[c.m] || {}).name + " · " + c.status.toLowerCase())).join("<br>") : undefined]]) +
      errorBox(r.error) +
      (r.failing ? "<p>Failed at <a href=\"#\" data-node=\"" + esc(r.failing.node || "") + "\" data-frame=\"" + esc(r.failing.frame) + "\">" + esc(r.failing.name) + (r.failing.frame ? " (" + esc(r.failing.frame) + ")" : "") + "</a></p>" : "") +
      "<details><summary>Input</summary><pre>" + esc(pretty(r.input)) + "</pre></details>" +
      (r.output !== undefined ? "<details><summary>Output</summary><pre>" + esc(pretty(r.output)) + "</pre></details>" : "");
  }

  function iterationButtons(r, v0) {
    const name = D.nodes[view.node].name;
    const all = {};
    for (const v of r.visits) if (v.node === view.node && inView(v)) Object.assign(all, v.iterations);
    const idx = Object.keys(all).map(Number).sort((a, b) => a - b);
    if (!idx.length) return "";
    const cur = view.frames[name];
    return "<h3>Iterations (" + idx.length + ")</h3><div class=\"iters\" id=\"aslc-iterations\">" +
      "<button data-map=\"" + esc(name) + "\" data-index=\"\" class=\"" + (cur === undefined ? "current" : "") + "\">all</button>" +
      idx.map((i) => "<button data-map=\"" + esc(name) + "\" data-index=\"" + i + "\" class=\"st-" + all[i] +
        (String(cur) === String(i) ? " current" : "") + "\" title=\"iteration " + i + ": " + all[i] + "\">" + i + "</button>").join("") + "</div>";
  }

  function renderVisit(r, v) {
    const rows = [["entered", esc(v.entered.timestamp) + " (+" + ms(r.t0, Date.parse(v.entered.timestamp)) + ")"],
                  ["duration", v.exited ? ms(Date.parse(v.entered.timestamp), Date.parse(v.exited.timestamp)) : v.status === "running" ? "still running" : ms(Date.parse(v.entered.timestamp), Date.parse(v.last.timestamp))],
                  ["iteration", v.frame ? esc(v.frame) : undefined],
                  ["attempts", v.attempts > 1 ? v.attempts + " (retried " + (v.attempts - 1) + "×)" : undefined],
                  ["child executions", v.children.length ? v.children.map((a) => byArn.get(a) ? execLink(byArn.get(a), (D.machines[byArn.get(a).m] || {}).name + " · " + byArn.get(a).status.toLowerCase()) : "<code>" + esc(a) + "</code>").join("<br>") : undefined]];
    let steps = [["Input", v.input]];
    if (v.inspections) {   /* as TestState's inspectionData, one set per attempt */
      const names = {input: "Input", afterInputPath: "After InputPath", afterParameters: "After Parameters",
                     afterArguments: "After Arguments", result: "Result", afterResultSelector: "After ResultSelector",
                     afterResultPath: "After ResultPath", variables: "Variables"};
      steps = [];
      v.inspections.forEach((ins, n) => {
        const at = v.inspections.length > 1 ? "Attempt " + (n + 1) + ": " : "";
        for (const k of Object.keys(names))
          if (ins[k] !== undefined) steps.push([at + names[k], ins[k]]);
        if (ins.errorDetails) steps.push([at + "Error", JSON.stringify(ins.errorDetails)]);
      });
      if (!steps.length || steps[0][0].indexOf("Input") < 0) steps.unshift(["Input", v.input]);
    } else {
      steps = steps.concat(v.steps);
    }
    if (v.exited) steps.push(["Output (after OutputPath)", v.output]);
    return "<div class=\"visit st-" + v.status + "\" data-status=\"" + v.status + "\">" +
      "<span class=\"chip st-" + v.status + "\">" + v.status + "</span>" + kv(rows) + errorBox(v.error) +
      steps.map((s) => "<h3>" + esc(s[0]) + "</h3><pre>" + esc(pretty(s[1])) + "</pre>").join("") + "</div>";
  }

  function renderState(r) {
    const box = $("aslc-state");
    if (!view.node || !D.nodes[view.node]) {
      box.innerHTML = "<p class=\"hint\">Click a state in the graph.</p>";
      return;
    }
    const n = D.nodes[view.node];
    const vs = r.visits.filter((v) => v.node === view.node && inView(v));
    box.innerHTML = "<h2 id=\"aslc-state-name\">" + esc(n.name) + " <span class=\"muted\">" + esc(n.type) + "</span></h2>" +
      (n.type === "Map" ? iterationButtons(r) : "") +
      (vs.length ? vs.map((v) => renderVisit(r, v)).join("") : "<p class=\"muted\">Not entered" + (Object.keys(view.frames).length ? " in this iteration" : "") + ".</p>");
  }

  function renderFrame() {
    const keys = Object.keys(view.frames);
    $("aslc-frame").innerHTML = keys.length ? "Showing " + keys.map((k) => esc(k) + " iteration " + view.frames[k]).join(", ") +
      " <button data-clear=\"1\">all iterations</button>" : "";
  }

  const TIMELINE_MAX = 400;   /* rows drawn; pick an iteration to see the rest */

  function renderTimeline(r) {
    const all = r.visits.filter(inView);
    const vs = all.slice(0, TIMELINE_MAX);
    const span = Math.max(1, r.tEnd - r.t0);
    $("aslc-timeline").innerHTML = "<h2>Timeline</h2>" +
      (all.length > vs.length ? "<p class=\"muted\">The first " + vs.length + " of " + all.length + " states entered; pick a Map iteration to see its own.</p>" : "") +
      vs.map((v) => {
      const a = Date.parse(v.entered.timestamp), b = Date.parse((v.exited || v.last).timestamp);
      return "<div class=\"tl-row\" data-node=\"" + esc(v.node || "") + "\" data-frame=\"" + esc(v.frame) + "\"><span class=\"tl-name\" title=\"" + esc(v.name) + "\">" +
        esc(v.name) + (v.frame ? " <span class=\"muted\">" + esc(v.frame) + "</span>" : "") + "</span><span class=\"tl-track\"><span class=\"tl-bar st-" + v.status +
        "\" style=\"left:" + ((a - r.t0) / span * 100).toFixed(2) + "%;width:" + ((b - a) / span * 100).toFixed(2) + "%\"></span></span><span class=\"tl-time\">" + ms(a, b) + "</span></div>";
    }).join("");
  }

  /* The event table is drawn when opened: a long history is thousands of rows. */
  function renderEvents(r) {
    if (!$("aslc-events-box").open) {
      $("aslc-events").innerHTML = "";
      return;
    }
    $("aslc-events").innerHTML = "<table><tr><th>id</th><th>prev</th><th>+time</th><th>type</th><th>details</th></tr>" +
      (r.x.events || []).map((e) => "<tr><td>" + e.id + "</td><td>" + (e.previousEventId || 0) + "</td><td>" + ms(r.t0, Date.parse(e.timestamp)) +
        "</td><td>" + esc(e.type) + "</td><td><code>" + esc(JSON.stringify(detailsOf(e)).slice(0, 300)) + "</code></td></tr>").join("") + "</table>";
  }

  function render() {
    const r = runs[view.run];
    if (!r) return;
    renderExecutions();
    colourGraph(r);
    renderExec(r);
    renderState(r);
    renderFrame();
    renderTimeline(r);
    renderEvents(r);
  }

  /* ------------------------------------------------------ navigation */

  function setFrame(key) {
    view.frames = {};
    for (const k of (key || "").split("/").filter(Boolean)) {
      const [map, idx] = k.split("#");
      if (idx !== "?") view.frames[map] = Number(idx);
    }
  }

  function openRun(i) {
    view.run = i;
    view.frames = {};
    view.node = null;
    const r = runs[i];
    if (r && r.failing) {   /* a failed execution opens on its failing state */
      view.node = r.failing.node || null;
      setFrame(r.failing.frame);
    }
  }

  function fromHash() {
    const h = new URLSearchParams(location.hash.slice(1));
    const i = Number(h.get("exec") || 0);
    openRun(runs[i] ? i : 0);
    if (h.has("state")) view.node = h.get("state");
    if (h.has("frame")) setFrame(h.get("frame"));
    render();
  }

  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("[data-exec],[data-node],[data-map],[data-clear]");
    const g = ev.target.closest("#aslc-graph g.node, #aslc-graph g.cluster");
    if (a && a.dataset.exec !== undefined) {
      ev.preventDefault();
      openRun(Number(a.dataset.exec));
    } else if (a && a.dataset.map !== undefined) {
      if (a.dataset.index === "") delete view.frames[a.dataset.map];
      else view.frames[a.dataset.map] = Number(a.dataset.index);
    } else if (a && a.dataset.clear) {
      view.frames = {};
    } else if (a && a.dataset.node !== undefined) {
      ev.preventDefault();
      view.node = a.dataset.node || null;
      setFrame(a.dataset.frame);
    } else if (g && D.nodes[g.id]) {
      view.node = g.id;
    } else {
      return;
    }
    render();
  });
  $("aslc-events-box").addEventListener("toggle", () => renderEvents(runs[view.run]));
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
