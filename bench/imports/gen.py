#!/usr/bin/env python3
"""Writes the import benchmark's GeoJSON: N star-shaped (simple, valid)
polygons of V vertices each over the coal belt of central/eastern India, with
the attributes a coal block layer has. The boundaries are smooth at the
vertex scale, as digitised block boundaries are (a few low-frequency lobes
and a little noise). Deterministic (seeded)."""
import json, math, random, sys

def main():
    out, n, v = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(42)
    states = ["Madhya Pradesh", "Chhattisgarh", "Odisha", "Jharkhand", "Maharashtra", "Telangana"]
    with open(out, "w") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i in range(n):
            cx, cy = rnd.uniform(78.0, 87.0), rnd.uniform(19.0, 25.0)
            r0 = rnd.uniform(0.01, 0.05)
            p1, p2, p3 = rnd.uniform(0, 6.3), rnd.uniform(0, 6.3), rnd.uniform(0, 6.3)
            ring = []
            for k in range(v - 1):
                a = 2 * math.pi * k / (v - 1)
                r = r0 * (1 + 0.25 * math.sin(3 * a + p1) + 0.1 * math.sin(7 * a + p2) + 0.04 * math.sin(23 * a + p3)
                          + 0.002 * rnd.random())
                ring.append("[%.6f,%.6f]" % (cx + r * math.cos(a), cy + r * math.sin(a)))
            ring.append(ring[0])
            props = {"name": "Block %d" % i, "state": states[i % len(states)],
                     "area_km2": round(math.pi * (r0 * 100) ** 2, 2), "seams": i % 9,
                     "allotted_on": "%d-%02d-01" % (2000 + i % 24, 1 + i % 12)}
            f.write('{"type":"Feature","id":"blk-%d","properties":%s,"geometry":{"type":"Polygon","coordinates":[[%s]]}}%s\n'
                    % (i, json.dumps(props, ensure_ascii=False), ",".join(ring), "," if i < n - 1 else ""))
        f.write("]}\n")

main()
