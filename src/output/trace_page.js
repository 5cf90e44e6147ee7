// gnutsim trace page: replays the embedded trace (script#trace) in simulated time. No network, no library.
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("trace").textContent);
  var M = D.messages, n = M.length, $ = function (id) { return document.getElementById(id); };
  // A message's colour class, as category() in trace_html.rs draws the legend.
  M.forEach(function (m) {
    m.c = m.fate === "lost" ? "lost" : m.fate === "dropped" ? "dropped" : m.fate === "swallowed" ? "swallowed" :
      m.fate === "duplicate" ? "dup" : m.kind === "fake-hit" ? "fake" : m.fate === "new" ? "new" :
      (m.kind === "hit" || m.kind === "walk-hit" || m.kind === "answer+") ? "hit" : "other";
  });
  var svgNS = "http://www.w3.org/2000/svg";
  // Replay order: by arrival time, stable (the text trace's order already is).
  var order = M.map(function (m, i) { return i; });
  order.sort(function (a, b) { return (M[a].t_s - M[b].t_s) || (a - b); });
  var pos = {};
  D.nodes.forEach(function (v) { pos[v[0]] = [v[1], v[2]]; });
  var t0 = D.query.issued_s, tEnd = t0, maxFlight = 0;
  M.forEach(function (m) { tEnd = Math.max(tEnd, m.t_s); maxFlight = Math.max(maxFlight, m.t_s - m.sent_s); });
  var span = Math.max(tEnd - t0, 1e-6);
  var offline = {};
  D.offline.forEach(function (o) { (offline[o[0]] = offline[o[0]] || []).push([o[1], o[2]]); });
  var cats = ["other", "dup", "new", "lost", "dropped", "swallowed", "fake", "hit"], trail = {}, path = {};
  cats.forEach(function (c) {
    var p = document.createElementNS(svgNS, "path");
    p.setAttribute("class", "m " + c);
    $("trails").appendChild(p);
    path[c] = p;
  });
  var totals = { dropped: 0, swallowed: 0, fake: 0 };
  M.forEach(function (m) {
    if (m.fate === "dropped") totals.dropped++;
    if (m.fate === "swallowed") totals.swallowed++;
    if (m.kind === "fake-hit") totals.fake++;
  });
  var t = t0, k = 0, cnt, reached, playing = false, last = null, dots = [];

  function reset() {
    k = 0;
    cnt = { messages: 0, "new": 0, duplicates: 0, hits: 0, lost: 0, dropped: 0, swallowed: 0, fake: 0 };
    cats.forEach(function (c) { trail[c] = ""; });
    if (reached) reached.forEach(function (id) { var e = $("n" + id); if (e) e.classList.remove("reached", "found"); });
    reached = [];
  }
  function xy(p) { return p[0].toFixed(1) + " " + p[1].toFixed(1); }
  function apply(m) {
    cnt.messages++;
    if (m.fate === "new") cnt["new"]++;
    else if (m.fate === "duplicate") cnt.duplicates++;
    else if (m.fate === "hit" && m.kind !== "fake-hit") cnt.hits++;
    else if (m.fate === "lost") cnt.lost++;
    else if (m.fate === "dropped") cnt.dropped++;
    else if (m.fate === "swallowed") cnt.swallowed++;
    if (m.kind === "fake-hit") cnt.fake++;
    var a = pos[m.from], b = pos[m.to];
    if (a && b) trail[m.c] += "M" + xy(a) + "L" + xy(b);
    var cls = m.fate === "new" ? "reached" : (m.fate === "hit" && m.kind !== "fake-hit") ? "found" : null;
    if (cls) {
      var e = $("n" + (cls === "found" ? m.to : m.to));
      if (e) { e.classList.add(cls); reached.push(m.to); }
    }
  }
  // A message under way is a short comet along its link (head at its position), so it does not read as a peer.
  function dot(i, c, a, b, f) {
    var d = dots[i];
    if (!d) { d = document.createElementNS(svgNS, "line"); $("flight").appendChild(d); dots[i] = d; }
    var g = Math.max(0, f - 12 / Math.max(1, Math.hypot(b[0] - a[0], b[1] - a[1])));
    d.setAttribute("class", "dot " + c);
    d.setAttribute("x1", (a[0] + (b[0] - a[0]) * g).toFixed(1));
    d.setAttribute("y1", (a[1] + (b[1] - a[1]) * g).toFixed(1));
    d.setAttribute("x2", (a[0] + (b[0] - a[0]) * f).toFixed(1));
    d.setAttribute("y2", (a[1] + (b[1] - a[1]) * f).toFixed(1));
    d.style.display = "";
  }
  function draw() {
    if (k > 0 && M[order[k - 1]].t_s > t) reset();
    while (k < n && M[order[k]].t_s <= t) apply(M[order[k++]]);
    cats.forEach(function (c) { if (path[c].getAttribute("d") !== trail[c]) path[c].setAttribute("d", trail[c]); });
    // Messages under way: sent, not yet arrived (arrivals come at most maxFlight after sending).
    var used = 0;
    for (var j = k; j < n && used < 3000; j++) {
      var m = M[order[j]];
      if (m.t_s > t + maxFlight) break;
      if (m.sent_s > t || m.t_s <= m.sent_s) continue;
      var a = pos[m.from], b = pos[m.to];
      if (!a || !b) continue;
      var f = (t - m.sent_s) / (m.t_s - m.sent_s);
      dot(used++, m.c, a, b, f);
    }
    for (var u = used; u < dots.length; u++) dots[u].style.display = "none";
    var off = 0;
    Object.keys(offline).forEach(function (id) {
      var now = offline[id].some(function (s) { return s[0] <= t && t < s[1]; });
      var e = $("n" + id);
      if (now) off++;
      if (e) e.classList.toggle("off", now);
    });
    var s = "<b>messages</b> " + cnt.messages + " <b>new</b> " + cnt["new"] + " <b>duplicates</b> " + cnt.duplicates +
      " <b>hits</b> " + cnt.hits + " <b>lost</b> " + cnt.lost;
    if (totals.dropped) s += " <b>dropped</b> " + cnt.dropped;
    if (totals.swallowed) s += " <b>swallowed</b> " + cnt.swallowed;
    if (totals.fake) s += " <b>fake hits</b> " + cnt.fake;
    if (D.offline.length) s += " <b>offline now</b> " + off;
    s += " <span class=\"of\">(of " + n + " messages; outcome " + D.query.outcome + ")</span>";
    $("counts").innerHTML = s;
    $("clock").textContent = "t = " + t.toFixed(6) + " s (+" + ((t - t0) * 1e3).toFixed(3) + " ms since the query left)";
    $("slider").value = String(Math.round((t - t0) / span * 1000));
    document.body.setAttribute("data-t", (t - t0).toFixed(6));
  }
  function frame(now) {
    if (!playing) return;
    if (last !== null) t = Math.min(tEnd, t + (now - last) / 1000 * speed());
    last = now;
    draw();
    if (t >= tEnd) { setPlaying(false); return; }
    requestAnimationFrame(frame);
  }
  function setPlaying(p) {
    if (p && t >= tEnd) { t = t0; }
    playing = p;
    last = null;
    $("play").textContent = p ? "pause" : "play";
    if (p) requestAnimationFrame(frame);
  }
  // Speeds in simulated seconds per second of watching; the default replays the query in about 20 seconds.
  var speeds = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50];
  var best = 0;
  speeds.forEach(function (v, i) {
    var o = document.createElement("option");
    o.value = String(v);
    o.textContent = v >= 1 ? v + "\u00d7" : "1/" + Math.round(1 / v) + "\u00d7";
    $("speed").appendChild(o);
    if (Math.abs(Math.log(v / (span / 20))) < Math.abs(Math.log(speeds[best] / (span / 20)))) best = i;
  });
  $("speed").selectedIndex = best;
  function speed() { return Number($("speed").value); }
  $("play").addEventListener("click", function () { setPlaying(!playing); });
  $("step").addEventListener("click", function () {
    setPlaying(false);
    if (k < n) t = M[order[k]].t_s;
    draw();
  });
  $("slider").addEventListener("input", function () { t = t0 + Number($("slider").value) / 1000 * span; draw(); });
  // Hovering a node names it (peers are numbered as in the text trace; servers after the peers).
  $("nodes").addEventListener("mouseover", function (e) {
    var id = e.target.id;
    if (!id || id[0] !== "n") return;
    var k = Number(id.slice(1));
    $("hover").textContent = k >= D.peers ? "server" + (k - D.peers) : "peer " + k;
  });
  reset();
  // #t=SECONDS (after the query left) or #t=end opens the page paused at that moment (tests and still images).
  var h = /[#&]t=([0-9.]+|end)/.exec(location.hash);
  if (h) t = h[1] === "end" ? tEnd : Math.min(tEnd, t0 + Number(h[1]));
  draw();
  document.body.setAttribute("data-ready", "1");
  // On its own the page plays at once; framed in report.html (several at a time, some folded away) it waits.
  if (!h && window.self === window.top) setTimeout(function () { setPlaying(true); }, 500);
})();
