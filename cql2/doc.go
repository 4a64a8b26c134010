// Package cql2 reads OGC Common Query Language (CQL2, OGC 21-065r2)
// filter expressions in both of its encodings, cql2-text and cql2-json,
// into one syntax tree, and checks that tree against the properties a
// collection offers (its queryables). It knows nothing of SQL or HTTP:
// postgis translates a checked tree into a parameterised WHERE clause,
// api reads the filter, filter-lang and filter-crs parameters.
//
// # What is read
//
//	logic       AND, OR, NOT, TRUE, FALSE, parentheses
//	comparison  =, <>, <, <=, >, >=, [NOT] LIKE, [NOT] BETWEEN … AND …,
//	            [NOT] IN (…), IS [NOT] NULL, CASEI(…)
//	spatial     S_INTERSECTS, S_EQUALS, S_DISJOINT, S_TOUCHES, S_WITHIN,
//	            S_OVERLAPS, S_CROSSES, S_CONTAINS; S_DWITHIN(a, b, metres)
//	            as an extension (the distance measured on the ellipsoid)
//	temporal    T_INTERSECTS, T_BEFORE, T_AFTER, T_DISJOINT, T_EQUALS,
//	            T_DURING with instants (DATE, TIMESTAMP) and INTERVAL
//	literals    'strings' ('' or \' for a quote), numbers, booleans,
//	            DATE('…'), TIMESTAMP('…'), INTERVAL('…','…') with '..' for
//	            an open end, geometries as WKT (text; Z is dropped) or
//	            GeoJSON (JSON), and BBOX(w,s,e,n)
//
// Arithmetic, ACCENTI, array functions and other functions are refused
// with an error that names them. Keywords are case-insensitive;
// properties are bare or "double-quoted" names.
//
// # Untrusted input
//
// Every filter comes from a client. Parsing is bounded: at most MaxLength
// bytes, MaxDepth levels of nesting, MaxPoints coordinates in all. An
// error is an *Error carrying the Position of the fault: a character
// offset into cql2-text, a JSON path (`$.args[1].args[0]`) into
// cql2-json, so that a 400 can say where the filter is wrong. Nothing in a
// filter is ever spliced into SQL: the tree holds values, and postgis
// sends them as parameters; property names are looked up in the
// collection's queryables (Check) before any translation.
//
// # Canonical text
//
// String on any node writes canonical cql2-text (keywords upper case,
// properties quoted, every AND/OR parenthesised), which parses back to an
// equal tree: the tile cache keys filtered tiles by it, and TileJSON puts
// it in tile URLs. FuzzText and FuzzJSON hold this for any input.
package cql2
