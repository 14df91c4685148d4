/* kg concept map: a canvas drawing of concepts, co-occurrence edges and communities.
 *
 * The layout comes from Python (kg.viz.maplayout); this file only filters, recounts and
 * draws. A filter on papers (years, categories) recounts each concept's papers and each
 * edge's co-occurrences over every paper of the corpus, from the counts per cell (a year
 * and a set of categories: kg.viz.mapdata.recount is the same in Python), and recomputes
 * association strength (m c / (n_i n_j)); positions never move. Labels are placed greedily, most used concept first, and never overlap.
 * Text from papers reaches the page only through textContent and canvas fillText.
 */
(function () {
  "use strict";

  var VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  var MAX_LABELS = 300;

  function yearColor(t) {
    t = Math.max(0, Math.min(1, t));
    var x = t * (VIRIDIS.length - 1), k = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - k;
    var a = VIRIDIS[k], b = VIRIDIS[k + 1];
    return "rgb(" + [0, 1, 2].map(function (c) { return Math.round(a[c] + (b[c] - a[c]) * f); }).join(",") + ")";
  }

  function radius(papers) { return Math.round(Math.min(40, 2 + 3 * Math.sqrt(Math.max(papers, 0))) * 10) / 10; }

  function csvCell(value) {
    var s = value === null || value === undefined ? "" : String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = "'" + s;  /* text never a formula in a spreadsheet; numbers stay numbers */
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function xmlText(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }[c];
    }).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd");
  }

  /* KgMap(container, map, nodes, hooks, initial): map is the page data's `map`, nodes its
   * node list (names, types, aliases), hooks.onSelect(i) / onChange() / onDraw()
   * callbacks, initial the first filter state (e.g. {minPapers: 2}). */
  function KgMap(container, map, nodes, hooks, initial) {
    var C = map.concepts, E = map.edges, CY = map.cells.year, CC = map.cells.cats, CP = map.cells.papers;
    var n = C.node.length, m = E.s.length, nCells = CY.length;
    var type = C.node.map(function (r) { return nodes[r].group; });
    var name = C.node.map(function (r) { return nodes[r].name; });
    var years = map.years;
    var state = {
      types: new Set(["Method", "Dataset", "Metric", "Task"]), kinds: false, groups: null, cats: null,
      y0: years ? years[0] : null, y1: years ? years[1] : null, minPapers: 1, color: "community"
    };
    Object.keys(initial || {}).forEach(function (key) { state[key] = initial[key]; });
    var count = new Int32Array(n), visible = new Uint8Array(n), meanYear = new Float64Array(n);
    var edgeCount = new Int32Array(m), edgeStrength = new Float64Array(m), edgeVisible = new Uint8Array(m);
    var cellOn = new Uint8Array(nCells);
    var shownPapers = map.total, selected = -1, labelBoxes = [];
    var view = { x: 0, y: 0, k: 1 };
    var canvas = document.createElement("canvas");
    canvas.className = "map-canvas";
    canvas.setAttribute("aria-hidden", "true");
    container.appendChild(canvas);
    var tip = document.createElement("div");
    tip.className = "map-tip";
    tip.hidden = true;
    container.appendChild(tip);
    var ctx = canvas.getContext("2d");
    var width = 0, height = 0, dpr = 1, pending = false;
    var neighbours = new Array(n);
    for (var i = 0; i < n; i++) neighbours[i] = [];
    for (var k = 0; k < m; k++) { neighbours[E.s[k]].push(k); neighbours[E.t[k]].push(k); }

    /* ---- counting ------------------------------------------------------------------ */

    function yearsFiltered() { return !!years && (state.y0 > years[0] || state.y1 < years[1]); }
    function cellPasses(q) {
      if (yearsFiltered() && !(CY[q] !== null && CY[q] >= state.y0 && CY[q] <= state.y1)) return false;
      if (!state.cats) return true;
      var cats = CC[q];
      for (var c = 0; c < cats.length; c++) if (state.cats.has(cats[c])) return true;
      return false;
    }

    /* Each concept's and edge's papers in the cells that pass: [cell, papers, cell, papers...]. */
    function recount() {
      var i, k, j, flat, sumYear = new Float64Array(n), dated = new Int32Array(n);
      shownPapers = 0;
      for (var q = 0; q < nCells; q++) { cellOn[q] = cellPasses(q) ? 1 : 0; if (cellOn[q]) shownPapers += CP[q]; }
      for (i = 0; i < n; i++) {
        var c = 0, s = 0, d = 0;
        flat = C.cells[i];
        for (j = 0; j < flat.length; j += 2) {
          if (!cellOn[flat[j]]) continue;
          c += flat[j + 1];
          if (CY[flat[j]] !== null) { s += CY[flat[j]] * flat[j + 1]; d += flat[j + 1]; }
        }
        count[i] = c; sumYear[i] = s; dated[i] = d;
      }
      for (k = 0; k < m; k++) {
        var e = 0;
        flat = E.cells[k];
        for (j = 0; j < flat.length; j += 2) if (cellOn[flat[j]]) e += flat[j + 1];
        edgeCount[k] = e;
      }
      for (i = 0; i < n; i++) {
        meanYear[i] = dated[i] ? sumYear[i] / dated[i] : NaN;
        var group = C.group[i];
        visible[i] = count[i] > 0 && count[i] >= state.minPapers && state.types.has(type[i]) &&
          (state.kinds || !C.kind[i]) && (!state.groups || state.groups.has(group)) ? 1 : 0;
      }
      for (k = 0; k < m; k++) {
        var s = E.s[k], t = E.t[k];
        edgeVisible[k] = visible[s] && visible[t] && edgeCount[k] > 0 ? 1 : 0;
        edgeStrength[k] = edgeVisible[k] ? shownPapers * edgeCount[k] / (count[s] * count[t]) : 0;
      }
      if (selected >= 0 && !visible[selected]) selected = -1;
      sortShown();
      schedule();
      if (hooks.onChange) hooks.onChange();
    }

    /* ---- drawing ------------------------------------------------------------------- */

    function toScreen(i) { return [(C.x[i] - view.x) * view.k + width / 2, (C.y[i] - view.y) * view.k + height / 2]; }
    function nodeRadius(i) { return Math.max(2, radius(count[i]) * view.k); }
    function fill(i) {
      if (state.color === "year" && years) {
        var span = Math.max(1, years[1] - years[0]);
        return isNaN(meanYear[i]) ? "#cccccc" : yearColor((meanYear[i] - years[0]) / span);
      }
      var g = C.group[i];
      return g >= 0 && g < map.communities.length ? map.communities[g].color : "#b5b5b5";
    }

    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; draw(); });
    }

    function resize() {
      dpr = window.devicePixelRatio || 1;
      width = container.clientWidth; height = container.clientHeight;
      canvas.width = Math.max(1, Math.round(width * dpr)); canvas.height = Math.max(1, Math.round(height * dpr));
      canvas.style.width = width + "px"; canvas.style.height = height + "px";
      schedule();
    }

    function draw() {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      var k, i, maxStrength = 0;
      for (k = 0; k < m; k++) if (edgeVisible[k] && edgeStrength[k] > maxStrength) maxStrength = edgeStrength[k];
      var buckets = [[], [], [], []], logMax = Math.log(1 + maxStrength) || 1;
      for (k = 0; k < m; k++) {
        if (!edgeVisible[k]) continue;
        var level = Math.min(3, Math.floor(4 * Math.log(1 + edgeStrength[k]) / logMax));
        buckets[level].push(k);
      }
      ctx.lineWidth = 1;
      buckets.forEach(function (list, level) {
        if (!list.length) return;
        ctx.strokeStyle = "rgba(110,120,135," + (0.10 + 0.10 * level) + ")";
        ctx.beginPath();
        list.forEach(function (k) {
          var a = toScreen(E.s[k]), b = toScreen(E.t[k]);
          ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]);
        });
        ctx.stroke();
      });
      if (selected >= 0) {
        ctx.strokeStyle = "rgba(31,41,51,0.85)"; ctx.lineWidth = 1.6; ctx.beginPath();
        neighbours[selected].forEach(function (k) {
          if (!edgeVisible[k]) return;
          var a = toScreen(E.s[k]), b = toScreen(E.t[k]);
          ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]);
        });
        ctx.stroke();
      }
      var order = shownOrder;
      for (var o = 0; o < order.length; o++) {
        i = order[o];
        var s = toScreen(i), r = nodeRadius(i);
        if (s[0] < -r || s[1] < -r || s[0] > width + r || s[1] > height + r) continue;
        ctx.beginPath();
        ctx.arc(s[0], s[1], r, 0, 2 * Math.PI);
        ctx.fillStyle = fill(i);
        ctx.globalAlpha = C.kind[i] ? 0.55 : 0.92;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.lineWidth = i === selected ? 3 : 1;
        ctx.strokeStyle = i === selected ? "#111111" : "#ffffff";
        ctx.stroke();
      }
      drawLabels(order);
      if (hooks.onDraw) hooks.onDraw();
    }

    /* The visible nodes, small first, so big nodes are on top (and hit first); made when
     * the counts change, not on every drawing or pointer move. */
    var shownOrder = [];
    function sortShown() {
      shownOrder = [];
      for (var i = 0; i < n; i++) if (visible[i]) shownOrder.push(i);
      shownOrder.sort(function (a, b) { return count[a] - count[b] || b - a; });
    }

    function drawLabels(order) {
      labelBoxes = [];
      var cell = 64, grid = new Map(), placed = 0;
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      function overlaps(box) {
        for (var gx = Math.floor(box[0] / cell); gx <= Math.floor(box[2] / cell); gx++) {
          for (var gy = Math.floor(box[1] / cell); gy <= Math.floor(box[3] / cell); gy++) {
            var list = grid.get(gx + "," + gy);
            if (!list) continue;
            for (var j = 0; j < list.length; j++) {
              var o = list[j];
              if (box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]) return true;
            }
          }
        }
        return false;
      }
      function add(box) {
        for (var gx = Math.floor(box[0] / cell); gx <= Math.floor(box[2] / cell); gx++) {
          for (var gy = Math.floor(box[1] / cell); gy <= Math.floor(box[3] / cell); gy++) {
            var key = gx + "," + gy;
            if (!grid.has(key)) grid.set(key, []);
            grid.get(key).push(box);
          }
        }
      }
      var byUse = order.slice().reverse();
      if (selected >= 0 && visible[selected]) byUse.unshift(selected);
      for (var o = 0; o < byUse.length && placed < MAX_LABELS; o++) {
        var i = byUse[o];
        if (o > 0 && i === selected) continue;
        var s = toScreen(i), r = nodeRadius(i);
        var size = Math.round(Math.max(11, Math.min(22, 9 + r * 0.45)));
        ctx.font = (C.kind[i] ? "italic " : "") + (size >= 14 ? "600 " : "") + size + "px system-ui, sans-serif";
        var text = name[i].length > 42 ? name[i].slice(0, 41) + "\u2026" : name[i];
        var w = ctx.measureText(text).width, y = s[1] + r + size * 0.7;
        var box = [s[0] - w / 2 - 2, y - size * 0.6, s[0] + w / 2 + 2, y + size * 0.6];
        if (box[2] < 0 || box[0] > width || box[3] < 0 || box[1] > height) continue;
        if (overlaps(box)) continue;
        add(box);
        placed++;
        labelBoxes.push({ id: i, box: box, size: size });
        ctx.lineWidth = 3.5; ctx.strokeStyle = "rgba(255,255,255,0.92)";
        ctx.strokeText(text, s[0], y);
        ctx.fillStyle = "#1f2933";
        ctx.fillText(text, s[0], y);
      }
    }

    function fit() {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, any = false;
      for (var i = 0; i < n; i++) {
        if (!visible[i]) continue;
        var r = radius(count[i]);
        any = true;
        x0 = Math.min(x0, C.x[i] - r); x1 = Math.max(x1, C.x[i] + r);
        y0 = Math.min(y0, C.y[i] - r); y1 = Math.max(y1, C.y[i] + r + 16);
      }
      if (!any) { view = { x: 0, y: 0, k: 1 }; schedule(); return; }
      view.x = (x0 + x1) / 2; view.y = (y0 + y1) / 2;
      view.k = Math.min(4, 0.94 * Math.min(width / Math.max(1, x1 - x0), height / Math.max(1, y1 - y0)));
      schedule();
    }

    function focus(i, k) {
      view.x = C.x[i]; view.y = C.y[i];
      if (k) view.k = k;
      schedule();
    }

    /* Pan so node i is in view and not under the right `inset` pixels (the open panel). */
    function reveal(i, inset) {
      var s = toScreen(i), margin = 24, right = width - (inset || 0);
      if (s[0] >= margin && s[0] <= right - margin && s[1] >= margin && s[1] <= height - margin) return false;
      view.x = C.x[i] + (width / 2 - right / 2) / view.k;
      view.y = C.y[i];
      schedule();
      return true;
    }

    function hit(px, py) {
      var order = shownOrder, best = -1;
      for (var o = order.length - 1; o >= 0; o--) {
        var i = order[o], s = toScreen(i), r = Math.max(nodeRadius(i), 4);
        if ((px - s[0]) * (px - s[0]) + (py - s[1]) * (py - s[1]) <= r * r) { best = i; break; }
      }
      return best;
    }

    /* ---- interaction --------------------------------------------------------------- */

    var drag = null;
    function local(ev) { var b = canvas.getBoundingClientRect(); return [ev.clientX - b.left, ev.clientY - b.top]; }
    canvas.addEventListener("pointerdown", function (ev) {
      var p = local(ev);
      drag = { x: p[0], y: p[1], vx: view.x, vy: view.y, moved: false };
      canvas.setPointerCapture(ev.pointerId);
    });
    canvas.addEventListener("pointermove", function (ev) {
      var p = local(ev);
      if (drag) {
        if (Math.abs(p[0] - drag.x) + Math.abs(p[1] - drag.y) > 4) drag.moved = true;
        if (drag.moved) { view.x = drag.vx - (p[0] - drag.x) / view.k; view.y = drag.vy - (p[1] - drag.y) / view.k; tip.hidden = true; schedule(); }
        return;
      }
      var i = hit(p[0], p[1]);
      canvas.style.cursor = i >= 0 ? "pointer" : "grab";
      if (i < 0) { tip.hidden = true; return; }
      tip.textContent = name[i] + " \u2014 " + type[i] + (C.kind[i] ? " (kind)" : "") + ", " + count[i] + " paper" + (count[i] === 1 ? "" : "s");
      tip.style.left = Math.min(width - 260, p[0] + 14) + "px"; tip.style.top = (p[1] + 14) + "px";
      tip.hidden = false;
    });
    canvas.addEventListener("pointerup", function (ev) {
      var p = local(ev), was = drag;
      drag = null;
      if (was && !was.moved) {
        var i = hit(p[0], p[1]);
        if (i >= 0 && hooks.onSelect) hooks.onSelect(i);
      }
    });
    canvas.addEventListener("pointerleave", function () { tip.hidden = true; });
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = local(ev), factor = Math.exp(-ev.deltaY * 0.0015);
      var wx = (p[0] - width / 2) / view.k + view.x, wy = (p[1] - height / 2) / view.k + view.y;
      view.k = Math.max(0.02, Math.min(20, view.k * factor));
      view.x = wx - (p[0] - width / 2) / view.k; view.y = wy - (p[1] - height / 2) / view.k;
      schedule();
    }, { passive: false });
    if (window.ResizeObserver) new ResizeObserver(resize).observe(container);
    else window.addEventListener("resize", resize);

    /* ---- exports of what is shown -------------------------------------------------- */

    function shownIds() { var out = []; for (var i = 0; i < n; i++) if (visible[i]) out.push(i); return out; }
    function shownEdges() { var out = []; for (var k = 0; k < m; k++) if (edgeVisible[k]) out.push(k); return out; }
    function nodeRow(i) {
      var g = C.group[i];
      return { id: "c" + i, label: name[i], type: type[i], kind: !!C.kind[i], papers: count[i],
        community: g, x: C.x[i], y: C.y[i], meanYear: isNaN(meanYear[i]) ? null : Math.round(meanYear[i] * 100) / 100,
        key: nodes[C.node[i]].key };
    }
    function nodesCsv() {
      var head = ["id", "label", "type", "kind", "papers", "community", "mean_year", "x", "y", "key"];
      return [head.join(",")].concat(shownIds().map(function (i) {
        var r = nodeRow(i);
        return [r.id, r.label, r.type, r.kind, r.papers, r.community, r.meanYear, r.x, r.y, r.key].map(csvCell).join(",");
      })).join("\n") + "\n";
    }
    function edgesCsv() {
      return ["source,target,source_label,target_label,papers,association_strength"].concat(shownEdges().map(function (k) {
        return ["c" + E.s[k], "c" + E.t[k], name[E.s[k]], name[E.t[k]], edgeCount[k],
          Math.round(edgeStrength[k] * 10000) / 10000].map(csvCell).join(",");
      })).join("\n") + "\n";
    }
    function graphml() {
      var keys = [["label", "node", "string"], ["type", "node", "string"], ["kind", "node", "boolean"],
        ["papers", "node", "int"], ["community", "node", "int"], ["mean_year", "node", "double"],
        ["x", "node", "double"], ["y", "node", "double"], ["key", "node", "string"],
        ["weight", "edge", "int"], ["association_strength", "edge", "double"]];
      var out = ['<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'];
      keys.forEach(function (k) { out.push('  <key id="' + k[0] + '" for="' + k[1] + '" attr.name="' + k[0] + '" attr.type="' + k[2] + '"/>'); });
      out.push('  <graph id="kg-concept-map" edgedefault="undirected">');
      shownIds().forEach(function (i) {
        var r = nodeRow(i);
        out.push('    <node id="' + r.id + '">');
        [["label", r.label], ["type", r.type], ["kind", String(r.kind)], ["papers", r.papers], ["community", r.community],
          ["mean_year", r.meanYear], ["x", r.x], ["y", r.y], ["key", r.key]].forEach(function (d) {
          if (d[1] !== null) out.push('      <data key="' + d[0] + '">' + xmlText(d[1]) + "</data>");
        });
        out.push("    </node>");
      });
      shownEdges().forEach(function (k) {
        out.push('    <edge source="c' + E.s[k] + '" target="c' + E.t[k] + '"><data key="weight">' + edgeCount[k] +
          '</data><data key="association_strength">' + (Math.round(edgeStrength[k] * 10000) / 10000) + "</data></edge>");
      });
      out.push("  </graph>", "</graphml>");
      return out.join("\n") + "\n";
    }

    resize();
    recount();
    fit();

    /* A concept's papers per year over all categories: [year, papers, ...] ascending. */
    function yearsOf(i) {
      var per = new Map(), flat = C.cells[i], out = [];
      for (var j = 0; j < flat.length; j += 2) {
        var y = CY[flat[j]];
        if (y !== null) per.set(y, (per.get(y) || 0) + flat[j + 1]);
      }
      Array.from(per.keys()).sort(function (a, b) { return a - b; }).forEach(function (y) { out.push(y, per.get(y)); });
      return out;
    }

    return {
      state: state, count: count, yearsOf: yearsOf, visible: visible, meanYear: meanYear, edgeCount: edgeCount,
      edgeStrength: edgeStrength, edgeVisible: edgeVisible, neighbours: neighbours, name: name, type: type,
      size: n, canvas: canvas,
      shownPapers: function () { return shownPapers; },
      visibleCount: function () { var c = 0; for (var i = 0; i < n; i++) c += visible[i]; return c; },
      visibleEdgeCount: function () { var c = 0; for (var k = 0; k < m; k++) c += edgeVisible[k]; return c; },
      update: function (changes) { Object.keys(changes || {}).forEach(function (key) { state[key] = changes[key]; }); recount(); },
      redraw: schedule, drawNow: draw, fit: fit, focus: focus, hit: hit, resize: resize, reveal: reveal,
      select: function (i) { selected = i; schedule(); },
      selected: function () { return selected; },
      screenPosition: function (i) {
        var s = toScreen(i), b = canvas.getBoundingClientRect();
        return { x: s[0] + b.left, y: s[1] + b.top, r: nodeRadius(i) };
      },
      labels: function () { return labelBoxes.map(function (l) { return { id: l.id, box: l.box.slice(), size: l.size }; }); },
      view: function () { return { x: view.x, y: view.y, k: view.k }; },
      nodesCsv: nodesCsv, edgesCsv: edgesCsv, graphml: graphml
    };
  }

  window.KgMap = KgMap;
})();
