// Package formats reads the files analysts have (GeoJSON, Shapefile, GeoPackage,
// KML/KMZ, CSV) as streams of features: orb geometries with their properties and
// the source CRS. It touches no database.
//
// # Reading
//
// Open sniffs the format and returns a Source; Next yields one *Feature at a
// time and io.EOF at the end:
//
//	src, err := formats.Open("blocks.zip", formats.Options{})
//	…
//	defer src.Close()
//	for {
//		f, err := src.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err // *formats.Error: format, feature index, line/offset, reason
//		}
//		…
//	}
//
// Every reader streams: memory depends on the largest feature and the
// schema sample, not on the file. A 90 MB FeatureCollection is read with a few
// MB of heap (see TestGeoJSONLargeBoundedMemory).
//
// # Formats
//
//	GeoJSON     FeatureCollection (also a lone Feature or Geometry), decoded one
//	            feature at a time from encoding/json tokens; the legacy "crs"
//	            member gives the SRID (it must come before "features", or agree).
//	GeoJSONSeq  one feature (or geometry) per line, RFC 8142 RS separators
//	            allowed; sniffed from .geojsonl/.ndjson/.jsonl or the content.
//	Shapefile   a .shp, a folder, or a .zip (read in place, nothing extracted).
//	            Point, MultiPoint, PolyLine, Polygon and their Z/M variants;
//	            MultiPatch is refused. Holes (counter-clockwise rings) go to the
//	            smallest clockwise outer ring that contains them, several outers
//	            give a MultiPolygon, and a file whose rings all run
//	            counter-clockwise is grouped by nesting. A .dbf is required and
//	            its record count must match the .shp (and .shx); deleted records
//	            are skipped and counted in Stats.Skipped. A zip that holds no
//	            shapefile but one file GDAL reads (.gpkg, .geojson, a FileGDB
//	            folder…) goes to ogr2ogr through /vsizip/; one holding a .kml is
//	            read as KMZ.
//	GeoPackage  one feature table (Options.SourceLayer when there are several),
//	            through the pure-Go SQLite driver modernc.org/sqlite; geometry
//	            blobs are decoded here (ISO/EWKB, Z and M dropped). Declared
//	            column types give the schema; the primary key gives Feature.ID.
//	KML, KMZ    Placemarks at any depth of Document/Folder; the names of the
//	            enclosing Folders, joined with "/", are the "folder" property,
//	            beside "name" and "description". Point, LineString, LinearRing,
//	            Polygon with inner boundaries, MultiGeometry (nested); Data and
//	            SchemaData/SimpleData attributes, or, when a Placemark has no
//	            ExtendedData, the two-cell rows of an HTML table in its
//	            description (as ArcGIS and QGIS export them). KMZ reads doc.kml
//	            (or the first .kml) from the zip.
//	CSV         a WKT/EWKT column (wkt, geom, geometry, the_geom, wkt_geom,
//	            shape) or x/y columns (lon, long, lng, longitude, x, easting,
//	            point_x / lat, latitude, y, northing, point_y), matched without
//	            regard to case; Options.WKTField, LonField and LatField name
//	            them instead. Comma, semicolon or tab, by the header. The WKT
//	            column is not a property; x/y columns are.
//	other       anything GDAL reads (DXF, FileGDB, MapInfo…) through
//	            "ogr2ogr -f GeoJSONSeq /vsistdout/ SRC LAYER"; without ogr2ogr on
//	            PATH Open returns ErrNoGDAL ("apt-get install gdal-bin").
//
// # Geometry
//
// Geometries are 2D, x before y (lon before lat), in the source CRS; Z and M
// are dropped and the features that had them counted in Stats.ZDropped. Ring
// order and orientation are kept as in the source. Every reader applies the
// same checks and refuses a feature, with its index and reason, for NaN or
// infinite coordinates, lines of fewer than two points, and rings that are
// not closed or have fewer than four points (GeoJSON and KML require closed
// rings; closing them silently would hide a broken export). Simplicity and
// self-intersection are not checked: that is for the consumer (PostGIS
// ST_MakeValid). Empty geometries and features without one give a nil
// Geometry (Stats.NullGeometries). Mixed geometry types in one source are
// allowed; Stats.GeometryTypes counts what was seen.
//
// # Attributes and schema
//
// Values are string, int64, float64, bool, time.Time or nil; Fields gives
// their types (Text, Integer, Real, Boolean, Date, Timestamp).
//
// Shapefile and GeoPackage declare their schema and Fields is exact. DBF
// names are kept as written (10 characters at most); a name repeated after
// that cut gets a suffix ("_2") in Field.Name, with Field.Original as
// written. Blank or unparsable DBF numbers, dates and logicals are null.
//
// GeoJSON, KML, CSV and the ogr2ogr route have no declared schema. Open reads
// a sample ahead (Options.SampleSize features, 1000 by default) and types
// the fields from it; text values (CSV cells, KML data) are typed by what
// they hold: integers (not with leading zeros: "007" stays text), reals,
// true/false, dates (2006-01-02) and timestamps (RFC 3339 and
// "2006-01-02 15:04:05"); other spellings stay text. GeoJSON values keep
// their JSON types; nested objects and arrays are kept as JSON text. A
// feature past the sample may add a field or widen one (Integer to Real,
// Date to Timestamp, anything else to Text): Fields is final after io.EOF,
// Stats.Widened names the widened fields, and values read before the
// widening keep their narrower Go type. A consumer that must fix its
// column types before the first row sets Options.FullScan, which reads the
// input once more to settle the schema first.
//
// # Feature ids
//
// Feature.ID is the GeoJSON "id" (string or number, as written), the KML
// Placemark id, the GeoPackage primary key, or the Options.IDField
// attribute. Duplicates are not refused (ids are not always keys) but
// counted in Stats.DuplicateIDs, with the first in Stats.FirstDuplicateID;
// the check remembers up to 1<<20 distinct ids (Stats.IDsUnchecked counts
// the rest).
//
// # Coordinate reference systems
//
// CRS.From says where the SRID came from. Options.SRID overrides it
// ("--srid").
//
//	GeoJSON     the crs member, else EPSG:4326 ("default 4326", RFC 7946)
//	Shapefile   the .prj: its AUTHORITY["EPSG",…] when present, else matched by
//	            datum, projection and parameters against the CRSs that arrive in
//	            India: WGS 84 (4326), UTM 43N–46N (32643–32646), Kalianpur 1975
//	            (4146) and its India zones (24378–24381, 24383), Kalianpur 1880
//	            (4243) and its zone IIb (24382), India NSF LCC (7755), Web
//	            Mercator (3857); then the other WGS 84 / UTM zones (32601–32660,
//	            32701–32760). This is the one CRS matcher: the importer only
//	            checks the code against spatial_ref_sys. Anything else gives
//	            SRID 0 with the WKT kept, for the consumer to ask for --srid. No
//	            .prj gives SRID 0: assuming WGS 84 for Kalianpur coordinates
//	            moves them about 200 m.
//	GeoPackage  gpkg_spatial_ref_sys: its EPSG code, else matched from its WKT
//	KML         always 4326
//	CSV         the EWKT SRID; lon/lat column names imply 4326; x/y, easting/
//	            northing and plain WKT leave it unknown (0)
//	ogr2ogr     GDAL reprojects to 4326 when the layer's CRS is known (or given
//	            by Options.SRID); a DXF has none, and its SRID is 0
//
// # Text encoding
//
// Encoding reports the decoding used and why. A shapefile's .dbf is decoded
// with Options.Encoding when set, else with its .cpg, unless the bytes
// contradict the .cpg (a .cpg saying 1252 over valid UTF-8 text, or UTF-8
// over bytes that are not); without a .cpg, text that is valid UTF-8 is
// UTF-8 and anything else windows-1252. So Hindi written as UTF-8 without a
// .cpg survives (कोयला stays कोयला), and a character cut in half by a DBF
// field width is dropped rather than turned into mojibake. CSV is UTF-8
// (a BOM is skipped) unless its first 64 KB are not valid UTF-8
// (windows-1252) or Options.Encoding says otherwise. JSON is UTF-8; XML
// follows its declaration.
//
// # Untrusted input
//
// Zip entries named with "../" or an absolute path are refused
// (ErrUnsafeArchive); an archive whose entries decompress to more than
// Options.MaxUncompressed (4 GiB by default), by their declared sizes or by
// the bytes they actually yield, is refused (ErrTooLarge). XML that declares
// entities in a DOCTYPE is refused (ErrUnsafeXML); encoding/xml expands no
// external entity anyway. Counts read from binary files are checked against
// the bytes present before anything is allocated. Every parser has a fuzz
// test.
//
// # Errors
//
// Errors are *Error, whose message reads
// "formats: geojson: feature 12: offset 3456: field "geometry": reason", and
// wrap ErrEmpty, ErrUnsupported, ErrInvalidGeometry, ErrUnsafeArchive,
// ErrUnsafeXML, ErrTooLarge or ErrNoGDAL where they apply. An error wrapping
// ErrInvalidGeometry is about one feature: Next may be called again to go
// on (the consumer chooses between refusing the file and skipping the
// feature; Stats.InvalidGeometries counts them). After any other error a
// Source returns the same error again.
//
// A Source is not safe for concurrent use; open one per goroutine.
package formats
