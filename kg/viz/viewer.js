/* kg viewer: search, filters and the details panel around a vis-network drawing.
 *
 * The data (a <script type="application/json"> block) is untrusted text: it only ever
 * reaches the page through textContent, createTextNode and setAttribute on inert
 * attributes; links are restricted to http(s). Node ids are drawing ranks: the default
 * view is simply the first `meta.cap` nodes.
 */
(function () {
  "use strict";

  var started = performance.now();
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var jsonMs = performance.now() - started;
  var meta = data.meta;
  var nodes = data.nodes;
  var EF = data.edges.from, ET = data.edges.to, ER = data.edges.rel;
  var N = nodes.length;
  var TYPE_LABEL = {};
  meta.types.forEach(function (t) { TYPE_LABEL[t.name] = t.label; });
  var REL_HEADINGS = {
    proposesMethod: "Proposes", usesMethod: "Methods", usesDataset: "Datasets",
    reportsMetric: "Metrics", addressesTask: "Tasks", hasCode: "Code"
  };
  var NEIGHBOURS_REVEALED = 30;
  var LIST_LIMIT = 200;

  var byKey = new Map();
  var adjacency = null;  /* edge indices per node, made on first use (the map view needs none) */
  var maxDegree = 0;
  for (var i = 0; i < N; i++) {
    byKey.set(nodes[i].key, i);
    if (nodes[i].deg > maxDegree) maxDegree = nodes[i].deg;
  }
  function edgesOf(i) {
    if (!adjacency) {
      adjacency = new Array(N);
      for (var a = 0; a < N; a++) adjacency[a] = [];
      for (var k = 0; k < EF.length; k++) { adjacency[EF[k]].push(k); adjacency[ET[k]].push(k); }
    }
    return adjacency[i];
  }
  var SHAPE = {};
  meta.types.forEach(function (t) { SHAPE[t.name] = t.shape; });

  var state = { types: new Set(meta.types.map(function (t) { return t.name; })), minDegree: 0, limit: meta.cap, pinned: new Set() };
  var nodeSet = new vis.DataSet();
  var edgeSet = new vis.DataSet();
  var drawnNodes = new Set();
  var drawnEdges = new Set();
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\/[^\s\u0000-\u001f]+$/i.test(url) ? url : null;
  }

  function typeClass(type) { return Object.prototype.hasOwnProperty.call(TYPE_LABEL, type) ? type : "other"; }

  function short(text, limit) {
    text = String(text).replace(/\s+/g, " ").trim();
    return text.length <= limit ? text : text.slice(0, limit - 1).replace(/\s+$/, "") + "\u2026";
  }

  /* What vis-network draws for node i: label, tooltip (plain text), size and shape come
   * from its name, type and degree (kg.viz.render.build_nodes stores only those). */
  function tooltip(n) {
    if (n.group === "paper") return n.name + "\n(paper, " + n.deg + " links)";
    if (n.group === "repository") return (n.url || n.name) + "\n(repository, " + n.deg + " papers)";
    var kind = (TYPE_LABEL[n.group] || n.group) + (n.isKind ? ", a kind" : "");
    return n.name + "\n(" + kind + ", " + n.deg + " papers)" + (n.alt && n.alt.length ? "\nalso: " + n.alt.slice(0, 6).join(", ") : "");
  }

  function visNode(i) {
    var n = nodes[i], paper = n.group === "paper";
    var out = { id: i, label: short(n.name, paper ? 48 : 40), x: n.x, y: n.y, group: n.group, shape: SHAPE[n.group] || "dot",
      size: Math.round(Math.min(48, 8 + 4 * Math.sqrt(n.deg)) * 10) / 10, title: tooltip(n) };
    if (!paper) out.font = { size: Math.floor(Math.min(30, 12 + 3 * Math.sqrt(n.deg))) };
    return out;
  }

  function other(k, i) { return EF[k] === i ? ET[k] : EF[k]; }

  function visEdge(k) {
    var out = { id: k, from: EF[k], to: ET[k] };
    if (meta.relations[ER[k]] === "proposesMethod") out.width = 2;
    return out;
  }

  /* ---- which nodes are drawn ------------------------------------------------------- */

  function computeView() {
    var want = new Set();
    for (var i = 0; i < N && want.size < state.limit; i++) {
      var n = nodes[i];
      if (state.types.has(n.group) && n.deg >= state.minDegree) want.add(i);
    }
    state.pinned.forEach(function (p) { want.add(p); });
    return want;
  }

  function applyView() {
    var want = computeView();
    var removeNodes = [], addNodes = [], removeEdges = [], addEdges = [];
    drawnNodes.forEach(function (i) { if (!want.has(i)) removeNodes.push(i); });
    want.forEach(function (i) { if (!drawnNodes.has(i)) addNodes.push(visNode(i)); });
    var wantEdges = new Set();
    want.forEach(function (i) {
      edgesOf(i).forEach(function (k) {
        if (EF[k] === i && want.has(ET[k])) wantEdges.add(k);
      });
    });
    drawnEdges.forEach(function (k) { if (!wantEdges.has(k)) removeEdges.push(k); });
    wantEdges.forEach(function (k) { if (!drawnEdges.has(k)) addEdges.push(visEdge(k)); });
    edgeSet.remove(removeEdges);
    nodeSet.remove(removeNodes);
    nodeSet.add(addNodes);
    edgeSet.add(addEdges);
    drawnNodes = want;
    drawnEdges = wantEdges;
    updateStatus();
  }

  function updateStatus() {
    if (mode !== "papers") return;
    var shown = drawnNodes.size, hidden = N - shown;
    $("status").textContent = "Showing " + shown + " of " + N + " nodes" +
      (hidden ? " (" + hidden + " hidden: search or change the filters to reveal them)." : ".");
  }

  function reveal(i) {
    if (drawnNodes.has(i)) return;
    state.pinned.add(i);
    var around = edgesOf(i).map(function (k) { return other(k, i); });
    around.sort(function (a, b) { return a - b; });
    around.slice(0, NEIGHBOURS_REVEALED).forEach(function (j) { state.pinned.add(j); });
    applyView();
  }

  /* ---- search -------------------------------------------------------------------- */

  var haystack = null;
  function buildHaystack() {
    haystack = new Array(N);
    for (var i = 0; i < N; i++) {
      var n = nodes[i];
      var labels = [n.name].concat(n.alt || []);
      if (n.url && n.group === "repository") labels.push(n.url);
      haystack[i] = "\n" + labels.join("\n").toLowerCase() + "\n";
    }
  }

  function search(query, limit) {
    var q = String(query || "").trim().toLowerCase().replace(/\s+/g, " ");
    if (!q) return [];
    if (!haystack) buildHaystack();
    var hits = [];
    for (var i = 0; i < N; i++) {
      var h = haystack[i], at = h.indexOf(q);
      if (at < 0) continue;
      var score = 3;
      if (h.indexOf("\n" + q + "\n") >= 0) score = 0;
      else if (h.indexOf("\n" + q) >= 0) score = 1;
      else if (!/[a-z0-9]/.test(h.charAt(at - 1))) score = 2;
      hits.push([score, i]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return hits.slice(0, limit || 15).map(function (h) { return h[1]; });
  }

  function renderResults(ids, query) {
    var list = $("results");
    list.textContent = "";
    ids.forEach(function (i) {
      var n = nodes[i];
      var button = el("button", "result");
      button.type = "button";
      button.dataset.node = String(i);
      button.appendChild(el("span", "tag tag-" + typeClass(n.group), TYPE_LABEL[n.group] || n.group));
      button.appendChild(el("span", "result-name", n.name));
      if (n.isKind) button.appendChild(el("span", "hint", " (kind)"));
      if (!drawnNodes.has(i)) button.appendChild(el("span", "hint", " (not drawn yet)"));
      button.addEventListener("click", function () { select(i, { focusCamera: true }); });
      var item = el("li");
      item.appendChild(button);
      list.appendChild(item);
    });
    $("search-status").textContent = query ? (ids.length ? ids.length + " result" + (ids.length > 1 ? "s" : "") : "No results") : "";
  }

  /* ---- the details panel --------------------------------------------------------- */

  var lastFocus = null;

  /* `results` (a paper's result rows) let a highlighted number say what it measures. */
  function highlighted(text, marks, field, results) {
    var out = document.createDocumentFragment(), pos = 0, resultAt = {};
    (results || []).forEach(function (r) { resultAt[r[0] + ":" + r[1]] = r.slice(1); });
    (marks || []).forEach(function (m) {
      var start = m[1], end = m[2];
      if (m[0] !== field || start < pos || end > text.length || start >= end) return;
      if (start > pos) out.appendChild(document.createTextNode(text.slice(pos, start)));
      var type = m[3] === "result" ? "result" : typeClass(m[3]);
      var mark = el("mark", "m m-" + type, text.slice(start, end));
      var target = m[4] >= 0 && m[4] < N ? nodes[m[4]].name : null;
      var row = type === "result" ? resultAt[field + ":" + start] : null;
      mark.setAttribute("title", type === "result" ? (row ? resultTitle(row) : "Result")
        : (TYPE_LABEL[type] || type) + (target ? ": " + target : ""));
      mark.dataset.type = type;
      out.appendChild(mark);
      pos = end;
    });
    if (pos < text.length) out.appendChild(document.createTextNode(text.slice(pos)));
    return out;
  }

  function nodeButton(j) {
    var button = el("button", "link-button");
    button.type = "button";
    button.appendChild(el("span", "dot dot-" + typeClass(nodes[j].group)));
    button.appendChild(document.createTextNode(nodes[j].name));
    button.addEventListener("click", function () { select(j, { focusCamera: true }); });
    return button;
  }

  function externalLink(url, text) {
    var a = el("a", "external", text || url);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function section(body, heading, items) {
    if (!items.length) return;
    body.appendChild(el("h3", null, heading + " (" + items.length + ")"));
    var list = el("ul", "node-list");
    items.slice(0, LIST_LIMIT).forEach(function (item) { var li = el("li"); li.appendChild(item); list.appendChild(li); });
    body.appendChild(list);
    /* "not listed": these are in the page, unlike the "in the corpus, not in this page" line that may follow */
    if (items.length > LIST_LIMIT) body.appendChild(el("p", "hint", "and " + (items.length - LIST_LIMIT) + " more, not listed"));
  }

  /* A result row r: [start, end, text, value, unit, kind, metric, dataset, method (node ids or -1)].
   * One line: "28.4 [BLEU] on [WMT14] by [Transformer] (score)", the names as buttons to
   * their panels (the panel's own node left out); a dataset's panel adds the paper below. */
  var KIND_LABEL = { AbsoluteResult: "score", Improvement: "improvement", EfficiencyResult: "efficiency" };
  var RESULT_ROLES = [["", 6], ["on ", 7], ["by ", 8]];
  function nodeName(j) { return j >= 0 && j < N ? nodes[j].name : null; }
  function resultTitle(r) {
    var parts = ["Result (" + (KIND_LABEL[r[5]] || r[5]) + "): " + r[3] + (r[4] ? " " + r[4] : "")];
    RESULT_ROLES.forEach(function (role) { var name = nodeName(r[role[1]]); if (name) parts.push(role[0] + name); });
    return parts.join(" · ");
  }
  /* A row of a dataset's results: [paper, k] points at the paper's own k-th result row
   * (kg.viz.render.build_nodes), so it is not embedded twice; -> [paper, start, end, ...]. */
  function hubResult(r) {
    if (r.length !== 2) return r;
    var own = nodes[r[0]] && nodes[r[0]].results ? nodes[r[0]].results[r[1]] : null;
    return own ? [r[0]].concat(own.slice(1)) : r;
  }

  function resultItem(r, paper, self) {
    var wrap = el("span", "result-item");
    var mark = el("mark", "m m-result", r[2]);
    mark.setAttribute("title", resultTitle(r));
    wrap.appendChild(mark);
    RESULT_ROLES.forEach(function (role) {
      var j = r[role[1]];
      if (nodeName(j) === null || j === self) return;
      wrap.appendChild(document.createTextNode(" " + role[0]));
      wrap.appendChild(nodeButton(j));
    });
    wrap.appendChild(document.createTextNode(" (" + (KIND_LABEL[r[5]] || r[5]) + ")"));
    if (paper !== undefined && nodeName(paper) !== null) {
      var from = el("span", "result-paper");
      from.appendChild(nodeButton(paper));
      from.firstChild.setAttribute("aria-label", "in " + nodes[paper].name);
      wrap.appendChild(from);
    }
    return wrap;
  }

  function neighbours(i) {
    return edgesOf(i).map(function (k) { return { node: other(k, i), rel: meta.relations[ER[k]] }; })
      .sort(function (a, b) { return a.node - b.node; });
  }

  function fillPaper(body, i, n) {
    var heading = el("h2", "panel-heading");
    heading.appendChild(highlighted(n.name, n.marks, 0, n.results));
    body.appendChild(heading);
    var facts = [TYPE_LABEL.paper || "Paper"];
    if (n.arxiv) facts.push("arXiv " + n.arxiv);
    if (n.issued) facts.push(n.issued);
    body.appendChild(el("p", "facts", facts.join(" · ")));
    if (n.authors && n.authors.length) body.appendChild(el("p", "authors", n.authors.join(", ")));
    var url = safeUrl(n.url);
    if (url) { var p = el("p"); p.appendChild(externalLink(url, "Paper page")); body.appendChild(p); }
    if (n.abstract) {
      body.appendChild(el("h3", null, "Abstract"));
      var key = el("p", "mark-key");
      key.appendChild(el("span", null, "Highlighted: "));
      ["Method", "Dataset", "Metric", "Task", "repository"].forEach(function (t) {
        key.appendChild(el("mark", "m m-" + t, t === "repository" ? "Code" : TYPE_LABEL[t] || t));
        key.appendChild(document.createTextNode(" "));
      });
      if (n.results && n.results.length) key.appendChild(el("mark", "m m-result", "Result"));
      body.appendChild(key);
      var abstract = el("p", "abstract");
      abstract.appendChild(highlighted(n.abstract, n.marks, 1, n.results));
      body.appendChild(abstract);
    }
    section(body, "Results", (n.results || []).map(function (r) { return resultItem(r.slice(1)); }));
    var groups = {};
    neighbours(i).forEach(function (nb) { (groups[nb.rel] = groups[nb.rel] || []).push(nb.node); });
    Object.keys(REL_HEADINGS).forEach(function (rel) {
      var members = groups[rel] || [];
      if (rel !== "hasCode") { section(body, REL_HEADINGS[rel], members.map(nodeButton)); return; }
      section(body, "Code", members.map(function (j) {
        var wrap = el("span"), link = safeUrl(nodes[j].url);
        wrap.appendChild(link ? externalLink(link) : el("span", null, nodes[j].name));
        return wrap;
      }));
    });
  }

  function fillHub(body, i, n) {
    var heading = el("h2", "panel-heading", n.name);
    body.appendChild(heading);
    var typeLabel = TYPE_LABEL[n.group] || n.group;
    var facts = [typeLabel + (n.isKind ? " (kind)" : ""), n.deg + " paper" + (n.deg === 1 ? "" : "s")];
    if (n.host) facts.push(n.host);
    body.appendChild(el("p", "facts", facts.join(" · ")));
    if (n.isKind) {
      body.appendChild(el("p", "hint kind-note", "A kind of thing, not a named " + typeLabel.toLowerCase() +
        ": the default view draws named concepts first."));
    }
    var url = safeUrl(n.url);
    if (url) { var p = el("p"); p.appendChild(externalLink(url, "Open " + url)); body.appendChild(p); }
    if (n.alt && n.alt.length) {
      body.appendChild(el("h3", null, "Also called"));
      var labels = el("ul", "labels");
      n.alt.forEach(function (a) { labels.appendChild(el("li", null, a)); });
      body.appendChild(labels);
    }
    section(body, "Results", (n.results || []).map(function (r) { r = hubResult(r); return resultItem(r.slice(1), r[0], i); }));
    var linked = neighbours(i);
    section(body, "Papers", linked.map(function (nb) { return nodeButton(nb.node); }));
    if (n.deg > linked.length) body.appendChild(notEmbedded(n.deg - linked.length, "link", linked.length > 0));
  }

  /* "and N more …": what a panel cannot list because the page leaves those papers out
   * (`listed`: whether it listed some). */
  function notEmbedded(more, word, listed) {
    var what = more.toLocaleString("en") + (listed ? " more " : " ") + word + (more === 1 ? "" : "s") + " in the corpus, ";
    return el("p", "hint more-papers", (listed ? "and " + what + "not in this page" : what + "none of them in this page") +
      " (it embeds " + meta.embedded.toLocaleString("en") + " of its " + meta.papers.toLocaleString("en") +
      " papers, the most connected first)");
  }

  function openPanel(i, fill) {
    var panel = $("panel"), body = $("panel-body"), n = nodes[i];
    if (panel.hidden && !panel.contains(document.activeElement)) lastFocus = document.activeElement;
    body.textContent = "";
    panel.dataset.node = String(i);
    panel.dataset.type = n.group;
    (fill || (n.group === "paper" ? fillPaper : fillHub))(body, i, n);
    var heading = body.querySelector(".panel-heading");
    heading.id = "panel-heading";
    heading.tabIndex = -1;
    panel.hidden = false;
    heading.focus({ preventScroll: true });
    panel.scrollTop = 0;
  }

  function closePanel() {
    var panel = $("panel");
    if (panel.hidden) return false;
    panel.hidden = true;
    if (network) network.unselectAll();
    if (cmap) cmap.select(-1);
    var back = lastFocus && document.body.contains(lastFocus) && lastFocus !== document.body ? lastFocus : $("search");
    back.focus();
    lastFocus = null;
    return true;
  }

  function resolve(ref) {
    if (typeof ref === "number") return ref >= 0 && ref < N ? ref : -1;
    return byKey.has(ref) ? byKey.get(ref) : -1;
  }

  function select(ref, options) {
    var i = resolve(ref);
    if (i < 0) return false;
    if (mode === "map") {
      if (conceptOf.has(i)) return selectConcept(conceptOf.get(i), options);
      openPanel(i);
      return true;
    }
    ensureNetwork();
    reveal(i);
    network.selectNodes([i]);
    if (options && options.focusCamera) {
      network.focus(i, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 250, easingFunction: "easeInOutQuad" } });
    }
    openPanel(i);
    return true;
  }

  /* ---- wiring -------------------------------------------------------------------- */

  function readInt(input, fallback) {
    var v = parseInt(input.value, 10);
    return isFinite(v) && v >= 0 ? v : fallback;
  }

  function syncControls() {
    document.querySelectorAll("#types input[type=checkbox]").forEach(function (b) { b.checked = state.types.has(b.value); });
    $("min-degree").value = $("min-degree-range").value = String(state.minDegree);
    $("limit").value = String(state.limit);
  }

  function bindControls() {
    var input = $("search");
    input.addEventListener("input", function () { renderResults(search(input.value), input.value.trim()); });
    $("search-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var first = search(input.value, 1)[0];
      if (first !== undefined) select(first, { focusCamera: true });
    });
    input.addEventListener("keydown", function (ev) {
      var first = $("results").querySelector("button");
      if (ev.key === "ArrowDown" && first) { ev.preventDefault(); first.focus(); }
    });
    $("results").addEventListener("keydown", function (ev) {
      var buttons = Array.prototype.slice.call($("results").querySelectorAll("button"));
      var at = buttons.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && at >= 0 && at < buttons.length - 1) { ev.preventDefault(); buttons[at + 1].focus(); }
      if (ev.key === "ArrowUp" && at >= 0) { ev.preventDefault(); (at === 0 ? input : buttons[at - 1]).focus(); }
    });
    document.querySelectorAll("#types input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", function () {
        if (box.checked) state.types.add(box.value); else state.types.delete(box.value);
        applyView();
      });
    });
    var range = $("min-degree-range"), number = $("min-degree");
    range.max = String(Math.max(1, Math.min(maxDegree, 50)));
    number.max = String(maxDegree);
    function setMinDegree(v) { state.minDegree = v; range.value = String(v); number.value = String(v); applyView(); }
    range.addEventListener("input", function () { setMinDegree(readInt(range, 0)); });
    number.addEventListener("change", function () { setMinDegree(readInt(number, 0)); });
    $("limit").addEventListener("change", function () { state.limit = Math.min(readInt($("limit"), meta.cap), N); applyView(); });
    $("show-all").addEventListener("click", function () { state.limit = N; $("limit").value = String(N); applyView(); ensureNetwork().fit(); });
    $("reset").addEventListener("click", function () {
      state.types = new Set(meta.types.map(function (t) { return t.name; }));
      document.querySelectorAll("#types input[type=checkbox]").forEach(function (b) { b.checked = true; });
      state.pinned.clear(); state.limit = meta.cap; $("limit").value = String(meta.cap);
      setMinDegree(0);
      ensureNetwork().fit();
    });
    $("fit").addEventListener("click", function () { ensureNetwork().fit({ animation: { duration: 250, easingFunction: "easeInOutQuad" } }); });
    document.querySelectorAll("#mode-tabs button").forEach(function (tab) {
      tab.addEventListener("click", function () { setMode(tab.dataset.mode); });
    });
    $("panel-close").addEventListener("click", closePanel);
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      if ((ev.target === input || $("results").contains(ev.target)) && $("results").firstChild) {
        renderResults([], ""); input.focus(); ev.preventDefault(); return;
      }
      if (closePanel()) ev.preventDefault();
    });
  }

  /* ---- the two views: the concept map (default) and papers with their concepts ---- */

  var network = null, cmap = null, mode = null, conceptOf = new Map();
  var api = {
    ready: false,
    readyTime: null,
    timings: { scriptStart: started, json: jsonMs, parsed: null, mapBuilt: null, firstDraw: null },
    drawnNodeCount: function () { return nodeSet.length; },
    drawnEdgeCount: function () { return edgeSet.length; },
    totalNodeCount: function () { return N; },
    isDrawn: function (ref) { return drawnNodes.has(resolve(ref)); },
    search: function (q, limit) { return search(q, limit).map(function (i) { return { id: i, key: nodes[i].key, name: nodes[i].name, type: nodes[i].group }; }); },
    select: function (ref) { return select(ref, { focusCamera: false }); },
    closePanel: closePanel,
    setFilters: function (o) {
      if (o.types) state.types = new Set(o.types);
      if (o.minDegree !== undefined) state.minDegree = o.minDegree;
      if (o.limit !== undefined) state.limit = Math.min(o.limit, N);
      syncControls();
      applyView();
      return nodeSet.length;
    },
    nodePosition: function (ref) {
      var i = resolve(ref);
      if (!drawnNodes.has(i) || !network) return null;
      var p = network.canvasToDOM(network.getPosition(i)), box = $("network").getBoundingClientRect();
      return { x: p.x + box.left, y: p.y + box.top };
    },
    mode: function () { return mode; },
    setMode: function (m) { setMode(m); return mode; },
    map: null,
    network: null
  };

  function markReady() {
    if (api.ready) return;
    api.readyTime = performance.now();
    api.timings.firstDraw = api.readyTime - started;
    api.ready = true;
    document.body.dataset.ready = "true";
  }

  function ensureNetwork() {
    if (network) return network;
    applyView();
    network = new vis.Network($("network"), { nodes: nodeSet, edges: edgeSet }, data.options);
    api.network = network;
    network.on("click", function (params) { if (params.nodes.length) select(params.nodes[0], { focusCamera: false }); });
    network.on("doubleClick", function (params) {
      var n = params.nodes.length ? nodes[params.nodes[0]] : null, url = n && n.group === "repository" ? safeUrl(n.url) : null;
      if (url) window.open(url, "_blank", "noopener,noreferrer");
    });
    network.once("afterDrawing", markReady);
    network.fit();
    return network;
  }

  var mapView = null;
  function ensureMap() {
    if (cmap) return cmap;
    mapView = window.KgMapView({
      data: data, nodes: nodes, el: el, section: section, nodeButton: nodeButton, externalLink: externalLink,
      resultItem: resultItem, hubResult: hubResult, safeUrl: safeUrl, openPanel: openPanel, select: select, markReady: markReady,
      notEmbedded: notEmbedded,
      setStatus: function (text) { if (mode === "map") $("status").textContent = text; }
    });
    cmap = mapView.map;
    conceptOf = mapView.conceptOf;
    api.map = mapView.api;
    api.timings.mapBuilt = performance.now() - started;
    return cmap;
  }

  function selectConcept(c, options) { ensureMap(); return mapView.selectConcept(c, options); }

  function setMode(next) {
    if (next === "map" && !data.map.concepts.node.length) next = "papers";
    if (next === mode) return;
    mode = next;
    document.body.dataset.mode = mode;
    $("map").hidden = mode !== "map";
    $("network").hidden = mode !== "papers";
    $("map-controls").hidden = mode !== "map";
    $("paper-controls").hidden = mode !== "papers";
    document.querySelectorAll("#mode-tabs button").forEach(function (tab) {
      tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
    });
    if (mode === "papers") { ensureNetwork(); network.redraw(); updateStatus(); }
    else { ensureMap().resize(); mapView.status(); }
  }

  bindControls();
  window.kgViewer = api;
  api.timings.parsed = performance.now() - started;
  setMode(data.map.concepts.node.length ? "map" : "papers");
})();
