// The district layer of a large set (mapping/render/topo.py, TopoDistricts): inlined into each
// map page that draws one, before the call palmapTopoDistricts(data). See topo.py's docstring.
function palmapTopoDistricts(data) {
    // The packed strings (pack_arcs, pack_shapes): zigzag varints of 5 bits per character
    // (32 and up: more follow); any character outside the alphabet closes a list.
    var digits = new Int8Array(128).fill(-1);
    for (var d = 0; d < data.alphabet.length; d++) { digits[data.alphabet.charCodeAt(d)] = d; }
    function read(text, number, mark) {
        var value = 0, scale = 1;
        for (var i = 0; i < text.length; i++) {
            var code = text.charCodeAt(i), digit = code < 128 ? digits[code] : -1;
            if (digit < 0) { mark(code); continue; }
            value += (digit & 31) * scale;
            if (digit >= 32) { scale *= 32; continue; }
            number(value % 2 ? -(value + 1) / 2 : value / 2);
            value = 0; scale = 1;
        }
    }
    // Arcs: delta-encoded grid steps -> longitude and latitude, each arc's points from
    // arcStart[a] to arcStart[a + 1].
    var transform = data.topology.transform;
    var sx = transform.scale[0], sy = transform.scale[1];
    var tx = transform.translate[0], ty = transform.translate[1];
    var packed = data.packedArcs, capacity = (packed.length >> 1) + 1;
    var lon = new Float64Array(capacity), lat = new Float64Array(capacity);
    var arcStart = [0], count = 0, x = 0, y = 0, half = 0, odd = false, value = 0, scale = 1;
    // read() inlined: one call per number cost more than the decoding.
    for (var c = 0; c < packed.length; c++) {
        var code = packed.charCodeAt(c), digit = code < 128 ? digits[code] : -1;
        if (digit < 0) { arcStart.push(count); x = 0; y = 0; continue; }
        value += (digit & 31) * scale;
        if (digit >= 32) { scale *= 32; continue; }
        var number = value % 2 ? -(value + 1) / 2 : value / 2;
        value = 0; scale = 1;
        if (!odd) { half = number; odd = true; continue; }
        odd = false;
        x += half; y += number;
        lon[count] = x * sx + tx;
        lat[count] = y * sy + ty;
        count++;
    }
    arcStart = Int32Array.from(arcStart);
    // Districts: their rings' arc references (~a: arc a walked backwards); the rings of
    // district i are ringStart[i] .. ringStart[i + 1], ring r's references refs[ringEnd[r - 1]
    // .. ringEnd[r]]. Polygons of a multipolygon are not told apart: districts do not overlap,
    // so filling and hit-testing by the even-odd rule over all of a district's rings is right.
    var refs = [], ringEnd = [], ringStart = [0];
    read(data.packedShapes, function (n) { refs.push(n); }, function (code) {
        if (code === 46) { ringEnd.push(refs.length); }  // "."
        else if (code === 59) { ringStart.push(ringEnd.length); }  // ";"
    });
    refs = Int32Array.from(refs); ringEnd = Int32Array.from(ringEnd);
    ringStart = Int32Array.from(ringStart);
    var total = ringStart.length - 1;
    var west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
    for (var p = 0; p < count; p++) {
        if (lon[p] < west) { west = lon[p]; }
        if (lon[p] > east) { east = lon[p]; }
        if (lat[p] < south) { south = lat[p]; }
        if (lat[p] > north) { north = lat[p]; }
    }
    // Per district: its style, and the distinct styles drawn thinnest stroke first.
    var styleOf = new Int32Array(total);
    var byStyle = data.styles.map(function () { return []; });
    for (var i = 0; i < total; i++) {
        styleOf[i] = data.styleOf[i];
        byStyle[styleOf[i]].push(i);
    }
    // Tooltips and popups come as one JSON string, read at the first hover or click (not
    // while the page loads).
    var rows = null;
    function row(i) { rows = rows || JSON.parse(data.rows); return rows[i]; }
    var order = data.styles.map(function (s, k) { return k; }).sort(function (a, b) {
        return (data.styles[a].weight || 0) - (data.styles[b].weight || 0);
    });
    function dashes(style) {
        return style.dashArray ? String(style.dashArray).split(/[ ,]+/).map(Number) : [];
    }
    function join(pieces) {
        return pieces.map(function (q) { return typeof q === "number" ? data.pieces[q] : q; })
            .join("");
    }
    var widest = Math.max.apply(null, data.styles.concat([data.highlight]).map(function (s) {
        return s.weight || 0;
    }));

    var Layer = L.Path.extend({
        options: {interactive: true, weight: widest},
        initialize: function (options) {
            L.setOptions(this, options);
            this._under = -1;
            this._lit = -1;
            this.palmapCount = total;
            this.palmapDrawn = 0;
        },
        getBounds: function () { return L.latLngBounds([south, west], [north, east]); },
        // A district's tooltip HTML (escaped on the server).
        palmapTip: function (i) { return i >= 0 ? join(row(i)[0]) : ""; },
        // The district under a layer point, or -1.
        palmapDistrictAt: function (point) {
            return this._containsPoint(point) ? this._under : -1;
        },
        _worldOnce: function () {
            // Longitude and latitude -> the map's CRS at zoom 0, once per CRS (Web Mercator
            // by its formula, as L.Projection.SphericalMercator and L.CRS.EPSG3857 have it;
            // any other CRS point by point).
            var crs = this._map.options.crs;
            if (this._crs === crs) { return; }
            this._crs = crs;
            var wx = this._wx = new Float64Array(count), wy = this._wy = new Float64Array(count);
            var k, point;
            if (crs === L.CRS.EPSG3857) {
                var limit = L.Projection.SphericalMercator.MAX_LATITUDE, degree = Math.PI / 180;
                for (k = 0; k < count; k++) {
                    var sin = Math.sin(Math.max(Math.min(limit, lat[k]), -limit) * degree);
                    wx[k] = 256 * (0.5 + lon[k] / 360);
                    wy[k] = 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
                }
                return;
            }
            for (k = 0; k < count; k++) {
                point = crs.latLngToPoint(L.latLng(lat[k], lon[k]), 0);
                wx[k] = point.x; wy[k] = point.y;
            }
        },
        _project: function () {
            // Layer points at the current zoom: a point less than a pixel from the last one
            // kept (|dx| + |dy| < 1) is left out, an arc's ends never; both neighbours of a
            // border walk the same kept points of its arc. Then each district's box and path.
            var map = this._map;
            this._worldOnce();
            var crs = this._crs, k = crs.scale(map.getZoom()) / crs.scale(0);
            var origin = map.getPixelOrigin(), ox = origin.x, oy = origin.y;
            var wx = this._wx, wy = this._wy;
            var px = this._px = this._px || new Float64Array(count);
            var py = this._py = this._py || new Float64Array(count);
            var start = this._start = this._start || new Int32Array(arcStart.length);
            // Each arc's box in layer points, then each district's as the union of its arcs'.
            var arcs = arcStart.length - 1;
            var arcBox = this._arcBox = this._arcBox || new Float64Array(4 * arcs);
            var n = 0;
            for (var a = 0; a < arcs; a++) {
                start[a] = n;
                var last = arcStart[a + 1] - 1;
                var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
                for (var q = arcStart[a]; q <= last; q++) {
                    var sx = wx[q] * k - ox, sy = wy[q] * k - oy;
                    if (q > arcStart[a] && q < last && n > start[a] &&
                        Math.abs(sx - px[n - 1]) + Math.abs(sy - py[n - 1]) < 1) { continue; }
                    px[n] = sx; py[n] = sy; n++;
                    if (sx < x0) { x0 = sx; }
                    if (sx > x1) { x1 = sx; }
                    if (sy < y0) { y0 = sy; }
                    if (sy > y1) { y1 = sy; }
                }
                arcBox[4 * a] = x0; arcBox[4 * a + 1] = y0; arcBox[4 * a + 2] = x1;
                arcBox[4 * a + 3] = y1;
            }
            start[arcs] = n;
            var box = this._box = this._box || new Float64Array(4 * total);
            var all = [Infinity, Infinity, -Infinity, -Infinity];
            for (var i = 0; i < total; i++) {
                var b0 = Infinity, b1 = Infinity, b2 = -Infinity, b3 = -Infinity;
                var first = ringStart[i] ? ringEnd[ringStart[i] - 1] : 0;
                for (var f = first; f < ringEnd[ringStart[i + 1] - 1]; f++) {
                    var e = 4 * (refs[f] < 0 ? ~refs[f] : refs[f]);
                    if (arcBox[e] < b0) { b0 = arcBox[e]; }
                    if (arcBox[e + 1] < b1) { b1 = arcBox[e + 1]; }
                    if (arcBox[e + 2] > b2) { b2 = arcBox[e + 2]; }
                    if (arcBox[e + 3] > b3) { b3 = arcBox[e + 3]; }
                }
                box[4 * i] = b0; box[4 * i + 1] = b1; box[4 * i + 2] = b2; box[4 * i + 3] = b3;
                if (b0 < all[0]) { all[0] = b0; }
                if (b1 < all[1]) { all[1] = b1; }
                if (b2 > all[2]) { all[2] = b2; }
                if (b3 > all[3]) { all[3] = b3; }
            }
            this._pxBounds = L.bounds([all[0], all[1]], [all[2], all[3]]);
            var paths = this._paths = [];
            for (i = 0; i < total; i++) {
                paths.push(new Path2D());
                this._trace(paths[i], i);
            }
        },
        _update: function () {},
        _trace: function (ctx, i) {
            var px = this._px, py = this._py, start = this._start;
            for (var r = ringStart[i]; r < ringStart[i + 1]; r++) {
                var first = true;
                for (var f = r ? ringEnd[r - 1] : 0; f < ringEnd[r]; f++) {
                    var ref = refs[f], arc = ref < 0 ? ~ref : ref;
                    var from = start[arc], to = start[arc + 1] - 1;
                    for (var s = 0; s <= to - from; s++) {
                        var m = ref < 0 ? to - s : from + s;
                        if (first) { ctx.moveTo(px[m], py[m]); first = false; }
                        else if (s > 0) { ctx.lineTo(px[m], py[m]); }
                    }
                }
                // No closePath: the ring already ends where it began, and Chromium's
                // closePath costs time in proportion to the whole path (quadratic here).
            }
        },
        _visible: function (i, view) {
            var box = this._box;
            return box[4 * i + 2] >= view.min.x && box[4 * i] <= view.max.x &&
                box[4 * i + 3] >= view.min.y && box[4 * i + 1] <= view.max.y;
        },
        _fillStyle: function (ctx, s) {
            ctx.globalAlpha = s.fillOpacity === undefined ? 0.2 : s.fillOpacity;
            ctx.fillStyle = s.fillColor || s.color || "#3388ff";
        },
        _stroke: function (ctx, path, s) {
            if (s.stroke === false || s.weight === 0) { return; }
            ctx.setLineDash(dashes(s));
            ctx.globalAlpha = s.opacity === undefined ? 1 : s.opacity;
            ctx.lineWidth = s.weight === undefined ? 3 : s.weight;
            ctx.strokeStyle = s.color || "#3388ff";
            ctx.lineCap = "round"; ctx.lineJoin = "round";
            ctx.stroke(path);
        },
        _updatePath: function () {
            // Each district filled on its own (one path of the whole set fills three times
            // slower in Chromium), then the borders of each style as one path, from the
            // thinnest to the thickest, then the hovered district on top.
            if (!this._renderer._drawing) { return; }
            var ctx = this._renderer._ctx, view = this._renderer._bounds, paths = this._paths;
            var drawn = 0, lit = this._lit, borders = [], k, n, i;
            ctx.save();
            for (k = 0; k < byStyle.length; k++) {
                borders.push(new Path2D());
                var style = data.styles[k], fill = style.fill !== false;
                if (fill) { this._fillStyle(ctx, style); }
                for (n = 0; n < byStyle[k].length; n++) {
                    i = byStyle[k][n];
                    if (i === lit || !this._visible(i, view)) { continue; }
                    if (fill) { ctx.fill(paths[i], "evenodd"); }
                    borders[k].addPath(paths[i]);
                    drawn++;
                }
            }
            for (k = 0; k < order.length; k++) {
                this._stroke(ctx, borders[order[k]], data.styles[order[k]]);
            }
            if (lit >= 0) {
                var hover = L.extend({}, data.styles[styleOf[lit]], data.highlight);
                if (hover.fill !== false) {
                    this._fillStyle(ctx, hover);
                    ctx.fill(paths[lit], "evenodd");
                }
                this._stroke(ctx, paths[lit], hover);
                drawn++;
            }
            ctx.restore();
            this.palmapDrawn = drawn;
        },
        _containsPoint: function (p) {
            var box = this._box, px = this._px, py = this._py, start = this._start;
            this._under = -1;
            if (!box) { return false; }
            for (var i = 0; i < total; i++) {
                if (p.x < box[4 * i] || p.x > box[4 * i + 2] || p.y < box[4 * i + 1] ||
                    p.y > box[4 * i + 3]) { continue; }
                var inside = false;
                for (var f = ringEnd[ringStart[i] - 1] || 0; f < ringEnd[ringStart[i + 1] - 1];
                     f++) {
                    var arc = refs[f] < 0 ? ~refs[f] : refs[f];
                    for (var m = start[arc] + 1; m < start[arc + 1]; m++) {
                        var x1 = px[m - 1], y1 = py[m - 1], x2 = px[m], y2 = py[m];
                        if ((y1 > p.y) !== (y2 > p.y) &&
                            p.x < (x2 - x1) * (p.y - y1) / (y2 - y1) + x1) { inside = !inside; }
                    }
                }
                if (inside) { this._under = i; return true; }
            }
            return false;
        }
    });
    var layer = new Layer({renderer: L.canvas({padding: 0.1})});
    layer.bindTooltip(function () { return layer.palmapTip(layer._under); },
                      {sticky: true, className: data.tooltipClass});
    layer.on("mouseover mousemove", function () {
        if (layer._under === layer._lit) { return; }
        layer._lit = layer._under;
        layer.setTooltipContent(layer.palmapTip(layer._lit));
        layer._renderer._requestRedraw(layer);
    });
    layer.on("mouseout", function () {
        layer._lit = -1;
        layer._renderer._requestRedraw(layer);
    });
    layer.on("click", function (e) {
        var popup = layer._under >= 0 ? row(layer._under)[1] : null;
        if (popup) { L.popup().setLatLng(e.latlng).setContent(popup).openOn(layer._map); }
    });
    return layer;
}
