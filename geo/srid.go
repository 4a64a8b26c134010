package geo

// The SRIDs (EPSG codes) the project names: the one set of them. Packages
// formats (CRS matching), layers (storage) and postgis use these.
const (
	// SRIDWGS84 is longitude/latitude on WGS 84, the storage CRS.
	SRIDWGS84 = 4326
	// SRIDWebMercator is the spherical Web Mercator of tiles.
	SRIDWebMercator = 3857
	// SRIDIndiaNSFLCC is WGS 84 / India NSF LCC, for display (it misstates
	// lengths by about 2% at 24°N).
	SRIDIndiaNSFLCC = 7755
	// SRIDKalianpur75 and SRIDKalianpur80 are the Everest datums' geographic
	// CRSs: Kalianpur 1975 and 1880.
	SRIDKalianpur75 = 4146
	SRIDKalianpur80 = 4243
	// SRIDUTM43N is WGS 84 / UTM zone 43N; 44N–46N follow (32644–32646).
	SRIDUTM43N = 32643
)
