package api

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/coalmap/coalmap/layers"
)

// CRS URIs of OGC API – Features Part 2.
const (
	crs84URI    = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	epsgURIBase = "http://www.opengis.net/def/crs/EPSG/0/"
)

// supportedSRIDs are the CRSs items can be asked in and bboxes given in:
// WGS 84 (EPSG:4326, latitude first), Web Mercator, UTM 43N–46N (the coal
// belt's zones) and India's NSF LCC.
var supportedSRIDs = []int{4326, 3857, 32643, 32644, 32645, 32646, 7755}

// outputCRS is a CRS named by a request: the SRID to transform to and
// whether coordinates are written latitude first.
type outputCRS struct {
	URI    string
	SRID   int
	LatLon bool
}

// crsList is the "crs" member of a collection.
func crsList() []string {
	out := []string{crs84URI}
	for _, s := range supportedSRIDs {
		out = append(out, epsgURIBase+strconv.Itoa(s))
	}
	return out
}

// parseCRS reads a CRS URI (also the short forms "EPSG:n", "CRS84" and the
// safe CURIE "[EPSG:n]").
func parseCRS(param, s string) (outputCRS, error) {
	v := strings.TrimSpace(s)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	switch v {
	case crs84URI, "CRS84", "OGC:CRS84", "http://www.opengis.net/def/crs/OGC/0/CRS84":
		return outputCRS{URI: crs84URI, SRID: layers.StorageSRID}, nil
	}
	var code string
	switch {
	case strings.HasPrefix(v, epsgURIBase):
		code = strings.TrimPrefix(v, epsgURIBase)
	case strings.HasPrefix(v, "https://www.opengis.net/def/crs/EPSG/0/"):
		code = strings.TrimPrefix(v, "https://www.opengis.net/def/crs/EPSG/0/")
	case strings.HasPrefix(strings.ToUpper(v), "EPSG:"):
		code = v[5:]
	}
	n, err := strconv.Atoi(code)
	if err == nil {
		for _, s := range supportedSRIDs {
			if s == n {
				return outputCRS{URI: epsgURIBase + code, SRID: n, LatLon: n == 4326}, nil
			}
		}
	}
	return outputCRS{}, badParam(param, "unsupported CRS %q; supported: %s", s, strings.Join(crsList(), ", "))
}

func (c outputCRS) String() string { return fmt.Sprintf("<%s>", c.URI) }
