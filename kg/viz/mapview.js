/* kg viewer, concept map mode: the controls around the map (kg/viz/conceptmap.js), the
 * concept panel and the exports. viewer.js creates it on first use and lends it its panel
 * helpers (`deps`), so both modes share one panel, one search and one status line.
 * The map counts every paper of the corpus; the page embeds only some (P: the first in
 * drawing order), so a concept's panel lists those and says how many more there are.
 */
(function () {
  "use strict";

  var TYPES = ["Method", "Dataset", "Metric", "Task"];
  var NEIGHBOURS_LISTED = 15;

  function KgMapView(deps) {
    var data = deps.data, nodes = deps.nodes, el = deps.el, M = data.map;
    var C = M.concepts, E = M.edges, P = M.papers;
    var $ = function (id) { return document.getElementById(id); };
    var conceptOf = new Map();
    C.node.forEach(function (rank, c) { conceptOf.set(rank, c); });
    if (!P.concepts) {  /* each embedded paper's map concepts, from the page's edges (paper -> concept) */
      var paperAt = new Int32Array(nodes.length).fill(-1), conceptAt = new Int32Array(nodes.length).fill(-1);
      var F = data.edges.from, T = data.edges.to;
      P.node.forEach(function (rank, p) { paperAt[rank] = p; });
      C.node.forEach(function (rank, c) { conceptAt[rank] = c; });
      P.concepts = P.node.map(function () { return []; });
      for (var k = 0; k < F.length; k++) {
        var p = paperAt[F[k]], c = conceptAt[T[k]];
        if (p >= 0 && c >= 0) P.concepts[p].push(c);
      }
      P.concepts.forEach(function (cs) { if (cs.length > 1) cs.sort(function (a, b) { return a - b; }); });
    }
    var papersOf = C.node.map(function () { return []; });  /* concept -> its embedded papers */
    P.concepts.forEach(function (cs, p) { for (var j = 0; j < cs.length; j++) papersOf[cs[j]].push(p); });
    var defaults = { minPapers: M.defaults.minPapers };

    var map = null;
    map = window.KgMap($("map"), M, nodes, {
      onSelect: function (c) { selectConcept(c, { focusCamera: false }); },
      onChange: function () { status(); },
      onDraw: deps.markReady
    }, { minPapers: defaults.minPapers });

    function plural(k, word) { return k.toLocaleString("en") + " " + word + (k === 1 ? "" : "s"); }

    function status() {
      if (!map) return;  /* the map's first count, while it is being made */
      var s = map.state, parts = [];
      var text = "Concept map: " + map.visibleCount().toLocaleString("en") + " of " + plural(map.size, "concept") +
        ", " + plural(map.visibleEdgeCount(), "link") + ", from " + plural(map.shownPapers(), "paper");
      if (M.years && (s.y0 > M.years[0] || s.y1 < M.years[1])) parts.push(s.y0 === s.y1 ? "in " + s.y0 : "in " + s.y0 + "\u2013" + s.y1);
      if (s.cats) parts.push("in " + Array.from(s.cats).map(function (c) { return M.categories[c]; }).join(", "));
      if (parts.length) text += " " + parts.join(" ");
      text += "; at least " + plural(s.minPapers, "paper") + " each";
      if (s.types.size < TYPES.length) text += "; types: " + Array.from(s.types).join(", ");
      if (s.groups) text += "; " + (s.groups.size - 1) + " of " + M.communities.length + " communities";
      text += s.kinds ? "; kinds shown." : "; kinds hidden.";
      deps.setStatus(text);
    }

    /* ---- controls ------------------------------------------------------------------- */

    function communityLabel(g) {
      return M.communities[g].top.map(function (c) { return nodes[C.node[c]].name; }).join(", ");
    }

    function fillCommunities() {
      var list = $("community-list");
      list.textContent = "";
      M.communities.forEach(function (com, g) {
        if (com.size < 2 && g >= 20) return;
        var item = el("li"), label = el("label", "type-option community-option");
        var box = el("input");
        box.type = "checkbox"; box.value = String(g); box.checked = true; box.name = "community";
        var swatch = el("span", "community-swatch");
        swatch.style.background = com.color;
        label.appendChild(box); label.appendChild(swatch);
        label.appendChild(el("span", "community-name", communityLabel(g)));
        label.appendChild(el("span", "count", com.size));
        item.appendChild(label);
        list.appendChild(item);
      });
    }

    function readGroups() {
      var boxes = document.querySelectorAll("#community-list input"), on = new Set(), all = true;
      boxes.forEach(function (b) { if (b.checked) on.add(Number(b.value)); else all = false; });
      if (all) return null;
      on.add(-2);  /* a placeholder so an empty choice hides everything */
      return on;
    }

    function readInt(input, fallback) { var v = parseInt(input.value, 10); return isFinite(v) ? v : fallback; }

    function bind() {
      document.querySelectorAll("#map-types input[name=map-type]").forEach(function (box) {
        box.addEventListener("change", function () {
          var types = new Set(map.state.types);
          if (box.checked) types.add(box.value); else types.delete(box.value);
          map.update({ types: types });
        });
      });
      $("map-kinds").addEventListener("change", function () { map.update({ kinds: $("map-kinds").checked }); });
      $("map-min").addEventListener("change", function () { map.update({ minPapers: Math.max(1, readInt($("map-min"), 1)) }); });
      document.querySelectorAll("input[name=map-color]").forEach(function (r) {
        r.addEventListener("change", function () { if (r.checked) map.update({ color: r.value }); });
      });
      if (M.years) {
        var from = $("year-from"), to = $("year-to");
        var onYears = function () {
          var a = Math.max(M.years[0], Math.min(M.years[1], readInt(from, M.years[0])));
          var b = Math.max(M.years[0], Math.min(M.years[1], readInt(to, M.years[1])));
          if (a > b) { var t = a; a = b; b = t; }
          map.update({ y0: a, y1: b });
        };
        from.addEventListener("change", onYears); to.addEventListener("change", onYears);
      }
      if ($("map-categories")) {
        $("map-categories").addEventListener("change", function () {
          var picked = Array.prototype.filter.call($("map-categories").options, function (o) { return o.selected; })
            .map(function (o) { return Number(o.value); });
          map.update({ cats: picked.length ? new Set(picked) : null });
        });
      }
      $("community-list").addEventListener("change", function () { map.update({ groups: readGroups() }); });
      $("map-fit").addEventListener("click", function () { map.fit(); });
      $("map-reset").addEventListener("click", reset);
      $("export-graphml").addEventListener("click", function () { download("kg-concept-map.graphml", map.graphml(), "application/graphml+xml"); });
      $("export-nodes").addEventListener("click", function () { download("kg-concept-map-nodes.csv", map.nodesCsv(), "text/csv"); });
      $("export-edges").addEventListener("click", function () { download("kg-concept-map-edges.csv", map.edgesCsv(), "text/csv"); });
      $("export-png").addEventListener("click", function () {
        map.drawNow();
        map.canvas.toBlob(function (blob) { download("kg-concept-map.png", blob, "image/png"); }, "image/png");
      });
    }

    function reset() {
      document.querySelectorAll("#map-types input[name=map-type]").forEach(function (b) { b.checked = true; });
      document.querySelectorAll("#community-list input").forEach(function (b) { b.checked = true; });
      $("map-kinds").checked = false;
      $("map-min").value = String(defaults.minPapers);
      document.querySelector("input[name=map-color][value=community]").checked = true;
      if (M.years) { $("year-from").value = String(M.years[0]); $("year-to").value = String(M.years[1]); }
      if ($("map-categories")) Array.prototype.forEach.call($("map-categories").options, function (o) { o.selected = false; });
      map.update({ types: new Set(TYPES), kinds: false, groups: null, cats: null, minPapers: defaults.minPapers,
        color: "community", y0: M.years ? M.years[0] : null, y1: M.years ? M.years[1] : null });
      map.fit();
    }

    function download(name, content, mime) {
      var blob = content instanceof Blob ? content : new Blob([content], { type: mime + ";charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = name;
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }

    /* ---- the concept panel ---------------------------------------------------------- */

    function paperShown(p) {
      var s = map.state;
      if (M.years && (s.y0 > M.years[0] || s.y1 < M.years[1]) && !(P.year[p] !== null && P.year[p] >= s.y0 && P.year[p] <= s.y1)) return false;
      if (!s.cats) return true;
      return P.cats[p].some(function (c) { return s.cats.has(c); });
    }

    function conceptPapers(c) {
      return papersOf[c].filter(paperShown).sort(function (a, b) {
        return (P.year[b] || 0) - (P.year[a] || 0) || P.node[a] - P.node[b];
      });
    }

    function conceptButton(c) {
      var b = deps.nodeButton(C.node[c]);
      b.dataset.concept = String(c);
      return b;
    }

    function yearChart(c) {
      var flat = map.yearsOf(c), counts = {}, y;
      for (var j = 0; j < flat.length; j += 2) counts[flat[j]] = flat[j + 1];
      if (!M.years || !flat.length) return null;
      var first = M.years[0], last = M.years[1], span = last - first + 1, top = 1;
      for (y = first; y <= last; y++) top = Math.max(top, counts[y] || 0);
      var ns = "http://www.w3.org/2000/svg", w = Math.min(360, Math.max(200, span * 28)), h = 64, bw = w / span;
      var svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", "0 0 " + w + " " + (h + 14));
      svg.setAttribute("width", String(w));  /* drawn at its own size: text stays 10px */
      svg.setAttribute("height", String(h + 14));
      svg.setAttribute("class", "year-chart");
      svg.setAttribute("role", "img");
      var said = [];
      for (y = first; y <= last; y++) {
        var v = counts[y] || 0, bh = v ? Math.max(2, (h - 4) * v / top) : 0;
        if (v) said.push(y + ": " + v);
        var rect = document.createElementNS(ns, "rect");
        rect.setAttribute("x", String((y - first) * bw + 1)); rect.setAttribute("width", String(Math.max(1, bw - 2)));
        rect.setAttribute("y", String(h - bh)); rect.setAttribute("height", String(bh));
        rect.setAttribute("class", y >= map.state.y0 && y <= map.state.y1 ? "bar" : "bar out");
        var title = document.createElementNS(ns, "title");
        title.textContent = y + ": " + plural(v, "paper");
        rect.appendChild(title);
        svg.appendChild(rect);
      }
      [first, last].forEach(function (yy, k) {
        var t = document.createElementNS(ns, "text");
        t.setAttribute("x", String(k ? w : 0)); t.setAttribute("y", String(h + 12));
        t.setAttribute("text-anchor", k ? "end" : "start");
        t.textContent = String(yy);
        svg.appendChild(t);
      });
      svg.setAttribute("aria-label", "Papers per year: " + said.join(", "));
      return svg;
    }

    function evidenceItem(c, row) {
      var wrap = el("span", "evidence"), text = row[1], s = row[2], e = row[3];
      var quote = el("q");
      quote.appendChild(document.createTextNode(text.slice(0, s)));
      quote.appendChild(el("mark", "m m-" + nodes[C.node[c]].group, text.slice(s, e)));
      quote.appendChild(document.createTextNode(text.slice(e)));
      wrap.appendChild(quote);
      var from = el("span", "result-paper");
      from.appendChild(deps.nodeButton(row[0]));
      wrap.appendChild(from);
      return wrap;
    }

    function fillConcept(body, c) {
      var rank = C.node[c], n = nodes[rank], kind = !!C.kind[c];
      body.appendChild(el("h2", "panel-heading", n.name));
      var perYear = map.yearsOf(c), first = perYear.length ? perYear[0] : null;
      var facts = [(n.group) + (kind ? " (kind)" : ""), plural(map.count[c], "paper") +
        (map.count[c] !== C.papers[c] ? " shown of " + C.papers[c].toLocaleString("en") : "")];
      if (first !== null) facts.push("first seen " + first);
      body.appendChild(el("p", "facts", facts.join(" \u00b7 ")));
      var g = C.group[c];
      if (g >= 0) {
        var com = el("p", "facts community-fact"), sw = el("span", "community-swatch");
        sw.style.background = M.communities[g].color;
        com.appendChild(sw);
        com.appendChild(document.createTextNode(" Community: " + communityLabel(g)));
        body.appendChild(com);
      }
      if (C.broader[c] >= 0) {
        var broader = el("p", "broader");
        broader.appendChild(document.createTextNode("Broader: "));
        broader.appendChild(conceptButton(C.broader[c]));
        body.appendChild(broader);
      }
      if (n.alt && n.alt.length) {
        body.appendChild(el("h3", null, "Also called"));
        var labels = el("ul", "labels");
        n.alt.forEach(function (a) { labels.appendChild(el("li", null, a)); });
        body.appendChild(labels);
      }
      var chart = yearChart(c);
      if (chart) { body.appendChild(el("h3", null, "Papers per year")); body.appendChild(chart); }
      var strongest = map.neighbours[c].filter(function (k) { return map.edgeVisible[k]; })
        .sort(function (a, b) { return map.edgeStrength[b] - map.edgeStrength[a] || map.edgeCount[b] - map.edgeCount[a] || a - b; })
        .slice(0, NEIGHBOURS_LISTED);
      deps.section(body, "Strongest neighbours", strongest.map(function (k) {
        var other = E.s[k] === c ? E.t[k] : E.s[k], wrap = el("span", "neighbour");
        wrap.appendChild(conceptButton(other));
        wrap.appendChild(el("span", "hint", " " + plural(map.edgeCount[k], "paper") + " together, strength " +
          (Math.round(map.edgeStrength[k] * 10) / 10)));
        return wrap;
      }));
      deps.section(body, "Evidence", (C.evidence[c] || []).map(function (row) { return evidenceItem(c, row); }));
      deps.section(body, "Results", (n.results || []).map(function (r) { r = deps.hubResult(r); return deps.resultItem(r.slice(1), r[0], rank); }));
      var listed = conceptPapers(c), more = map.count[c] - listed.length;  /* exact: the count is over every paper */
      deps.section(body, "Papers", listed.map(function (p) {
        var paper = nodes[P.node[p]], wrap = el("span", "paper-item");
        wrap.appendChild(deps.nodeButton(P.node[p]));
        if (P.year[p] !== null) wrap.appendChild(el("span", "hint", " " + P.year[p]));
        var url = deps.safeUrl(paper.url) || (paper.arxiv ? "https://arxiv.org/abs/" + encodeURIComponent(paper.arxiv) : null);
        if (url) { wrap.appendChild(document.createTextNode(" ")); wrap.appendChild(deps.externalLink(url, "link")); }
        return wrap;
      }));
      if (more > 0) {
        if (!listed.length) body.appendChild(el("h3", null, "Papers (0)"));
        body.appendChild(deps.notEmbedded(more, "paper", listed.length > 0));
      }
    }

    function selectConcept(c, options) {
      if (c < 0 || c >= C.node.length) return false;
      if (!map.visible[c]) {  /* searched for a hidden concept: lower the bar so it shows */
        var s = map.state, types = new Set(s.types);
        types.add(nodes[C.node[c]].group);
        var changes = { types: types, minPapers: Math.min(s.minPapers, Math.max(1, map.count[c] || 1)) };
        if (C.kind[c]) changes.kinds = true;
        if (s.groups) changes.groups = null;
        map.update(changes);
        syncControls();
      }
      map.select(c);
      deps.openPanel(C.node[c], function (body) { fillConcept(body, c); });
      if (options && options.focusCamera) {  /* reached from the search or a panel: bring it into view, left of the panel */
        var panel = document.getElementById("panel");
        map.reveal(c, panel && !panel.hidden ? panel.getBoundingClientRect().width : 0);
      }
      return true;
    }

    function syncControls() {
      var s = map.state;
      document.querySelectorAll("#map-types input[name=map-type]").forEach(function (b) { b.checked = s.types.has(b.value); });
      $("map-kinds").checked = s.kinds;
      $("map-min").value = String(s.minPapers);
      if (!s.groups) document.querySelectorAll("#community-list input").forEach(function (b) { b.checked = true; });
    }

    fillCommunities();
    bind();
    status();
    return {
      map: map, conceptOf: conceptOf, selectConcept: selectConcept, status: status,
      api: {
        state: function () { var s = map.state; return { minPapers: s.minPapers, kinds: s.kinds, y0: s.y0, y1: s.y1, color: s.color,
          types: Array.from(s.types), groups: s.groups ? Array.from(s.groups) : null, cats: s.cats ? Array.from(s.cats) : null }; },
        conceptIndex: function (key) { var i = data.nodes.findIndex(function (x) { return x.key === key; }); return conceptOf.has(i) ? conceptOf.get(i) : -1; },
        key: function (c) { return nodes[C.node[c]].key; },
        visibleCount: map.visibleCount, visibleEdgeCount: map.visibleEdgeCount, shownPapers: map.shownPapers,
        count: function (c) { return map.count[c]; }, isVisible: function (c) { return !!map.visible[c]; },
        edgeCount: function (k) { return map.edgeCount[k]; }, edgeVisible: function (k) { return !!map.edgeVisible[k]; },
        meanYear: function (c) { var v = map.meanYear[c]; return isNaN(v) ? null : v; },
        screenPosition: map.screenPosition, labels: map.labels, hit: map.hit, fit: map.fit, view: map.view,
        update: function (o) {
          var changes = {};
          Object.keys(o).forEach(function (k) { changes[k] = (k === "types" || k === "groups" || k === "cats") && o[k] ? new Set(o[k]) : o[k]; });
          map.update(changes); syncControls(); map.drawNow(); return map.visibleCount();
        },
        graphml: map.graphml, nodesCsv: map.nodesCsv, edgesCsv: map.edgesCsv, drawNow: map.drawNow
      }
    };
  }

  window.KgMapView = KgMapView;
})();
