// Package data is the demo catalog: the manifest of the coal-sector layers and the
// deterministic generator that places synthetic features over the real coalfields.
//
// # Manifest
//
// A [Manifest] lists layers. Each [Entry] is a [layers.Layer] (metadata after
// IS 16439 / ISO 19115: title and Hindi title, abstract, category, keywords,
// owner and custodian, geometry type, source CRS, scale and accuracy,
// lineage, attribute dictionary with Hindi labels, status and update
// frequency as ISO 19115 codes, licence, access, zoom range, default style)
// plus where its features come from: a Source file to import (with its
// SRID when the file does not say), or a [Generator] for the demo.
// [ParseManifest] reads the JSON form strictly: an unknown field is an error
// that names the layer and the field, and the entries must validate (ids,
// uniqueness, attribute dictionaries, generator values). [Manifest.WriteJSON]
// writes the same form.
//
// [Demo] returns the demo catalog: 126 layers a coal ministry keeps or
// consults — coalfields and lignite fields; coal blocks (all, allocated,
// auctioned, allotted, CIL, captive, offered, explored, regionally explored)
// and lignite blocks; resource estimates, exploration boreholes and
// boundary pillars (restricted); mines by type and status; quarries,
// overburden dumps, reclaimed land, eco-parks, closure sites, fire and
// subsidence areas; washeries, coal handling plants, sidings (restricted),
// first-mile connectivity projects, silos, conveyors; land notified under
// sections 4, 7, 9 and 11 of the Coal Bearing Areas Act (restricted),
// land records; and the other ministries' context layers — transmission
// lines by voltage (existing and proposed), substations, power stations,
// rail (existing, proposed, under construction, DFC), highways, rivers,
// reservoirs, forests, protected areas, eco-sensitive zones, villages,
// district and state boundaries and more. The manifest is built in Go (see
// catalog*.go) so that shared dictionaries, contacts and styles are written
// once; Demo().WriteJSON gives the JSON.
//
// # Generated features
//
// [Entry.Features] yields a layer's features for a seed; [Entry.WriteGeoJSONSeq]
// writes them as newline-delimited GeoJSON for the import path. The same
// seed gives byte-identical output: the package uses its own splitmix64
// generator, one stream per layer (and one per shared set such as the coal
// blocks), rounds coordinates to 1e-6 degree, and iterates in fixed order.
// Every feature has an id unique in its layer and exactly the properties of
// the layer's attribute dictionary, with the dictionary's types (null where
// the record has no value, e.g. the allocation date of an unallocated block).
//
// THE GEOMETRIES ARE SYNTHETIC. They are placed over the real coalfields
// (Singrauli, Sohagpur, Korba, Hasdeo-Arand, Mand-Raigarh, Ib Valley, Talcher,
// Jharia, Raniganj, the Karanpuras, Wardha Valley, Godavari Valley and
// others, at approximately their real places and extents), and real named
// features sit within a few kilometres of their real locations: coal blocks
// such as Dhirauli (feature id "dhirauli", Singrauli district, about 23.95°N
// 82.33°E), Pelma, Gare Palma Sectors I–III and IV/1–IV/8, Sardega, Siarmal,
// Talabira, Tentuloi, Budhapank, Machhakata, Utkal, Mahan, Amelia, Chhatrasal,
// Bandha, Parsa, Kente Extension, Madanpur (South), Pakri Barwadih, Baranj;
// real substations, power stations, ports, rivers, reservoirs and protected
// areas. Their outlines, and all the other features, are drawn. Names of
// generated features are made from Hindi syllables; attribute values are
// plausible but illustrative.
//
// The ministry's real cases are present with stable ids: the proposed 765 kV
// line through Dhirauli ("dhirauli-765kv", transmission_lines_proposed_765kv),
// the Jharsuguda–Dharamjaygarh 765 kV D/C line across Gare Palma Sector II
// ("jharsuguda-dharamjaygarh", transmission_lines_765kv), and the proposed
// rail alignments Pelma–Sardega ("pelma-sardega") and Tentuloi–Budhapank
// ("tentuloi-budhapank", both railway_lines_proposed), each crossing the
// blocks on its way. Features of the tables in places.go keep their ids
// whatever the seed.
//
// Geometries are valid by construction: polygon rings are star-shaped about
// their centre (vertices at increasing angles, positive radii) and mapped by
// a stretch and rotation, so they cannot cross themselves; holes lie in the
// disk the shell is known to contain; the parts of a multipolygon and the
// coal blocks of the catalog lie in disjoint disks; districts and states
// tessellate a lattice whose shared edges wiggle only within their own
// diamond, so neighbours share their boundaries exactly. The tests check
// validity of every feature independently.
//
// Sizes follow real data: about 600 coal blocks (some multipolygons, some
// with holes, a few with thousands of vertices), about 2,200 transmission
// lines of up to 5,000 vertices, about 390 rail lines, 30,000 villages,
// 20,000 boreholes, district and forest outlines of thousands of vertices —
// some 115,000 features and 255 MB of GeoJSON in all, generated in a few
// seconds of CPU: about 2.5 s to generate, 4 s with the GeoJSONSeq encoding
// (see BenchmarkDemo).
package data
