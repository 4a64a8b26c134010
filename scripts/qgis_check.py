#!/usr/bin/python3
"""Checks a running coalmap service with a real QGIS (PyQGIS, headless).

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/qgis_check.py BASE_URL OUT_DIR [TOKEN]

As an analyst would in QGIS, it
  1. adds coal_blocks as an OGC API - Features layer (the OAPIF provider) and
     counts its features, following the service's paging, against the
     numberMatched the service states;
  2. adds coal_blocks and sidings as one vector tile layer with its style
     loaded from /styles/coal_blocks,sidings (the "Style URL" of a vector
     tile connection, which also fetches the sprite), and renders the
     Singrauli coalfield to OUT_DIR/singrauli.png;
  3. checks the picture: pixels of the blocks' fill (the style's fill-color
     at its fill-opacity over the white background) are there, lie inside the
     blocks the features layer returned, and every block in view shows it;
  4. renders a closer view (OUT_DIR/singrauli-sidings.png) where each siding
     is the style's circle with the sprite's white symbol at its centre.
It prints what it measured and exits 0 only if every check holds; any
failure to run (no PyQGIS, no service) is an error, never a skip.
"""
import json
import os
import sys
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402  (QT_QPA_PLATFORM first)
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsGeometry,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

# The Singrauli coalfield (Madhya Pradesh / Uttar Pradesh), in EPSG:4326.
SINGRAULI = QgsRectangle(82.0, 23.7, 82.8, 24.3)
SIZE = QSize(1000, 750)
TOLERANCE = 10  # per channel, for antialiasing and rounding


def fail(msg):
    print("qgis_check: FAIL " + msg, flush=True)
    sys.exit(1)


def fetch_json(url, token):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def hex_rgb(s):
    s = s.lstrip("#")
    if len(s) == 3:
        s = "".join(c * 2 for c in s)
    return tuple(int(s[i:i + 2], 16) for i in (0, 2, 4))


def main():
    if len(sys.argv) < 3:
        fail("usage: qgis_check.py BASE_URL OUT_DIR [TOKEN]")
    base, out = sys.argv[1].rstrip("/"), sys.argv[2]
    token = sys.argv[3] if len(sys.argv) > 3 else ""
    os.makedirs(out, exist_ok=True)

    app = QgsApplication([], False)
    app.initQgis()
    from qgis.core import Qgis
    print("qgis_check: QGIS %s" % Qgis.QGIS_VERSION, flush=True)

    # 1. OGC API - Features.
    uri = QgsDataSourceUri()
    uri.setParam("url", base)
    uri.setParam("typename", "coal_blocks")
    features = QgsVectorLayer(uri.uri(False), "coal_blocks (OGC API - Features)", "OAPIF")
    if not features.isValid():
        fail("QGIS could not open %s as OGC API - Features: %s" % (base, features.error().summary()))
    matched = fetch_json(base + "/collections/coal_blocks/items?limit=1", token).get("numberMatched")
    blocks = [f.geometry() for f in features.getFeatures()]
    print("qgis_check: OAPIF coal_blocks: %d features read, featureCount() %d, numberMatched %s"
          % (len(blocks), features.featureCount(), matched), flush=True)
    if matched is None or len(blocks) != matched:
        fail("QGIS read %d features, the service says numberMatched=%s" % (len(blocks), matched))
    if features.featureCount() not in (-1, matched):
        fail("featureCount() %d, numberMatched %s" % (features.featureCount(), matched))

    # 2. Vector tiles with the service's style.
    style_url = base + "/styles/coal_blocks,sidings"
    style = fetch_json(style_url, token)
    fill = next(l for l in style["layers"] if l["id"] == "coal_blocks-fill")["paint"]
    rgb, alpha = hex_rgb(fill["fill-color"]), float(fill["fill-opacity"])
    expect = tuple(round(c * alpha + 255 * (1 - alpha)) for c in rgb)
    vt_uri = QgsDataSourceUri()
    vt_uri.setParam("type", "xyz")
    vt_uri.setParam("url", base + "/tiles/coal_blocks,sidings/{z}/{x}/{y}.mvt")
    vt_uri.setParam("zmin", "0")
    vt_uri.setParam("zmax", "16")
    vt_uri.setParam("styleUrl", style_url)
    tiles = QgsVectorTileLayer(bytes(vt_uri.encodedUri()).decode(), "coal blocks (vector tiles)")
    if not tiles.isValid():
        fail("QGIS could not open the vector tiles: %s" % tiles.error().summary())
    msg, ok = tiles.loadDefaultStyle()
    if not ok:
        fail("Load style from URL %s: %s" % (style_url, msg))
    print("qgis_check: style loaded from %s (%s)" % (style_url, msg or "no warnings"), flush=True)
    QgsProject.instance().addMapLayer(tiles)

    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    to_map = QgsCoordinateTransform(wgs84, mercator, QgsProject.instance())
    settings = QgsMapSettings()
    settings.setLayers([tiles])
    settings.setDestinationCrs(mercator)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputSize(SIZE)
    settings.setOutputDpi(96)
    settings.setExtent(to_map.transformBoundingBox(SINGRAULI))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    path = os.path.join(out, "singrauli.png")
    img.save(path)
    print("qgis_check: rendered %s (%dx%d)" % (path, img.width(), img.height()), flush=True)

    # 3. The picture.
    m2p = settings.mapToPixel()
    to_wgs = QgsCoordinateTransform(mercator, wgs84, QgsProject.instance())
    # A block over another block (the coalfield's outline holds blocks) is
    # the fill twice over.
    twice = tuple(round(c * alpha + e * (1 - alpha)) for c, e in zip(rgb, expect))

    def near(c, want=(expect, twice)):
        return any(all(abs(a - b) <= TOLERANCE for a, b in zip((c.red(), c.green(), c.blue()), w)) for w in want)

    # A fill pixel is one whose 3x3 neighbourhood is all fill: the grey of
    # an antialiased outline or letter is not.
    fill_pixels = []
    for y in range(1, img.height() - 1, 3):
        for x in range(1, img.width() - 1, 3):
            if all(near(QColor(img.pixel(x + dx, y + dy))) for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
                fill_pixels.append((x, y))
    print("qgis_check: %d sampled pixels of the blocks' fill %s or %s (fill-color %s at %.2f)"
          % (len(fill_pixels), expect, twice, fill["fill-color"], alpha), flush=True)
    if len(fill_pixels) < 200:
        fail("the map shows almost none of the blocks' colour %s: see %s" % (expect, path))

    # Fill pixels lie inside blocks (a few on the edges may fall just out).
    step = max(1, len(fill_pixels) // 400)
    sample = fill_pixels[::step]
    inside = 0
    for x, y in sample:
        p = to_wgs.transform(m2p.toMapCoordinates(x, y))
        g = QgsGeometry.fromPointXY(QgsPointXY(p))
        if any(b.buffer(0.002, 4).contains(g) for b in blocks):
            inside += 1
    print("qgis_check: %d of %d sampled fill pixels inside a block of the features layer" % (inside, len(sample)), flush=True)
    if inside < 0.97 * len(sample):
        fail("fill colour outside the blocks: %d of %d" % (len(sample) - inside, len(sample)))

    # Every block in view, and of more than a few pixels, shows the fill
    # somewhere inside it (its label may cover its middle).
    drawn = checked = 0
    for b in blocks:
        bb = b.boundingBox()
        if not SINGRAULI.contains(bb):
            continue
        lo = m2p.transform(to_map.transform(QgsPointXY(bb.xMinimum(), bb.yMinimum())))
        hi = m2p.transform(to_map.transform(QgsPointXY(bb.xMaximum(), bb.yMaximum())))
        if abs(hi.x() - lo.x()) < 4 or abs(hi.y() - lo.y()) < 4:
            continue
        checked += 1
        found = False
        for i in range(1, 12):
            for j in range(1, 12):
                p = QgsPointXY(bb.xMinimum() + bb.width() * i / 12, bb.yMinimum() + bb.height() * j / 12)
                if not b.contains(QgsGeometry.fromPointXY(p)):
                    continue
                px = m2p.transform(to_map.transform(p))
                x, y = int(round(px.x())), int(round(px.y()))
                if 0 <= x < img.width() and 0 <= y < img.height() and near(QColor(img.pixel(x, y))):
                    found = True
                    break
            if found:
                break
        drawn += found
    print("qgis_check: %d of %d blocks in view show the fill colour inside them" % (drawn, checked), flush=True)
    if checked == 0 or drawn != checked:
        fail("blocks not drawn: %d of %d" % (checked - drawn, checked))

    # 4. Closer in, the sidings carry the sprite's symbol (white) over
    # their circle (the style's colour).
    suri = QgsDataSourceUri()
    suri.setParam("url", base)
    suri.setParam("typename", "sidings")
    sidings = QgsVectorLayer(suri.uri(False), "sidings", "OAPIF")
    points = [f.geometry().asPoint() for f in sidings.getFeatures()]
    close = QgsRectangle(82.15, 23.78, 82.45, 23.98)
    settings.setExtent(to_map.transformBoundingBox(close))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    path = os.path.join(out, "singrauli-sidings.png")
    img.save(path)
    m2p = settings.mapToPixel()
    circle = hex_rgb(next(l for l in style["layers"] if l["id"] == "sidings-circle")["paint"]["circle-color"])
    symbol = ringed = checked = 0
    for p in points:
        if not close.contains(p):
            continue
        px = m2p.transform(to_map.transform(p))
        x, y = int(round(px.x())), int(round(px.y()))
        if not (12 <= x < img.width() - 12 and 12 <= y < img.height() - 12):
            continue
        checked += 1
        c = QColor(img.pixel(x, y))
        symbol += min(c.red(), c.green(), c.blue()) >= 220
        # QGIS 3.22 draws circle-radius at its first zoom stop (the
        # metadata's radius), MapLibre grows it under the symbol: look for
        # the circle's colour just outside the symbol.
        ring = [QColor(img.pixel(x + dx, y + dy)) for d in (4, 5, 6) for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d))]
        ringed += any(all(abs(a - b) <= 60 for a, b in zip((r.red(), r.green(), r.blue()), circle)) for r in ring)
    print("qgis_check: rendered %s: %d sidings in view, %d with the white symbol at their centre, %d in a circle of %s"
          % (path, checked, symbol, ringed, "#%02x%02x%02x" % circle), flush=True)
    if checked == 0 or symbol < 0.8 * checked or ringed < 0.8 * checked:
        fail("the sidings' symbols are not drawn: see %s" % path)

    print("qgis_check: ok", flush=True)
    # PyQGIS 3.22 can crash in its own teardown (exitQgis, or the
    # interpreter's) after everything ran: leave without it.
    os._exit(0)


if __name__ == "__main__":
    main()
