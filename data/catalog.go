package data

import (
	"time"

	"github.com/coalmap/coalmap/layers"
)

// The demo manifest is built in Go rather than kept as a JSON file: the
// layers share attribute dictionaries, contacts and styles, and Go lets them
// be written once and reviewed as a table. `Demo().WriteJSON` gives the JSON
// form, which ParseManifest reads back.

// Demo returns the demo catalog: more than a hundred layers a coal ministry
// keeps, with their metadata, attribute dictionaries and generators. Each call
// returns a fresh copy.
func Demo() Manifest {
	var m Manifest
	for _, group := range [][]spec{coalSpecs(), miningSpecs(), logisticsSpecs(), landSpecs(), powerSpecs(), transportSpecs(), environmentSpecs(), contextSpecs()} {
		for _, s := range group {
			m.Layers = append(m.Layers, s.entry())
		}
	}
	return m
}

// spec is the compact form of a manifest entry.
type spec struct {
	id, title, hi, desc string
	cat                 layers.Category
	kw                  []string
	org                 string // key of orgs
	geom                layers.GeometryType
	crs, scale, acc     string
	lineage, source     string
	attrs               []layers.Attribute
	status, freq        string
	access              layers.Access
	zoom                [2]int
	style               layers.Style
	gen                 Generator
}

// demoRevised is the revision date the demo metadata carries.
var demoRevised = time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)

func (s spec) entry() Entry {
	o := orgs[s.org]
	lic := "Government Open Data License – India (GODL-India)"
	if s.access == layers.Restricted {
		lic = "Restricted: official use only under the NDSAP negative list; not for redistribution"
	}
	status, freq := s.status, s.freq
	if status == "" {
		status = "completed"
	}
	if freq == "" {
		freq = "annually"
	}
	crs := s.crs
	if crs == "" {
		crs = "EPSG:4326"
	}
	zoom := s.zoom
	if zoom == [2]int{} {
		zoom = [2]int{6, 22}
	}
	revised := demoRevised
	g := s.gen
	return Entry{
		Layer: layers.Layer{
			ID: s.id, Title: s.title, TitleHi: s.hi,
			Description: s.desc + " Demo data: the geometries are synthetic, placed over the real coalfields; names of real places and blocks are real, their attribute values are illustrative.",
			Category:    s.cat, Keywords: s.kw, Owner: o.owner, Custodian: o.contact,
			GeometryType: s.geom, SRID: layers.StorageSRID, SourceCRS: crs, Scale: s.scale, Accuracy: s.acc,
			Lineage:    layers.Lineage{Statement: s.lineage, Source: s.source},
			Attributes: s.attrs, Status: status, UpdateFrequency: freq, RevisedAt: &revised,
			License: lic, Access: s.access, MinZoom: zoom[0], MaxZoom: zoom[1], Style: s.style,
		},
		Generator: &g,
	}
}

type org struct {
	owner   string
	contact layers.Contact
}

var orgs = map[string]org{
	"moc":     {"Ministry of Coal", layers.Contact{Name: "Director (Technical), PM GatiShakti Cell", Organisation: "Ministry of Coal, Shastri Bhawan, New Delhi", Email: "gatishakti-coal@nic.in", Phone: "+91-11-23384884"}},
	"cmpdi":   {"Ministry of Coal / CMPDI", layers.Contact{Name: "General Manager (Geomatics)", Organisation: "Central Mine Planning & Design Institute Ltd, Ranchi", Email: "gm.geomatics@cmpdi.co.in", Phone: "+91-651-2230483"}},
	"cil":     {"Coal India Ltd", layers.Contact{Name: "General Manager (Planning & Projects)", Organisation: "Coal India Ltd, Kolkata", Email: "gmpp.cil@coalindia.in", Phone: "+91-33-23246526"}},
	"nominee": {"Ministry of Coal (Nominated Authority)", layers.Contact{Name: "Nominated Authority", Organisation: "Ministry of Coal, New Delhi", Email: "na-coal@nic.in", Phone: "+91-11-23070260"}},
	"cba":     {"Ministry of Coal (CBA Act cell)", layers.Contact{Name: "Under Secretary (CBA)", Organisation: "Ministry of Coal, New Delhi", Email: "cba-coal@nic.in", Phone: "+91-11-23381720"}},
	"ccl":     {"Coal India Ltd (subsidiaries)", layers.Contact{Name: "General Manager (Environment)", Organisation: "Coal India Ltd and subsidiaries (ECL, BCCL, CCL, NCL, WCL, SECL, MCL)", Email: "gm.env@coalindia.in", Phone: "+91-33-23246540"}},
	"gsi":     {"Geological Survey of India", layers.Contact{Name: "Director (Coal & Lignite Wing)", Organisation: "Geological Survey of India, Kolkata", Email: "coalwing.chq@gsi.gov.in", Phone: "+91-33-22861676"}},
	"dgh":     {"Ministry of Petroleum and Natural Gas / DGH", layers.Contact{Name: "Head (CBM)", Organisation: "Directorate General of Hydrocarbons, Noida", Email: "cbm@dghindia.gov.in", Phone: "+91-120-2472000"}},
	"rail":    {"Ministry of Railways", layers.Contact{Name: "Executive Director (Planning)", Organisation: "Railway Board, Ministry of Railways, New Delhi", Email: "edplanning@rb.railnet.gov.in", Phone: "+91-11-23303580"}},
	"dfccil":  {"Ministry of Railways / DFCCIL", layers.Contact{Name: "Group General Manager (Planning)", Organisation: "Dedicated Freight Corridor Corporation of India Ltd, New Delhi", Email: "planning@dfcc.co.in", Phone: "+91-11-23454700"}},
	"cea":     {"Ministry of Power / CEA", layers.Contact{Name: "Chief Engineer (PSPA-II)", Organisation: "Central Electricity Authority, New Delhi", Email: "cepspa2@cea.nic.in", Phone: "+91-11-26732308"}},
	"pgcil":   {"Ministry of Power / POWERGRID", layers.Contact{Name: "Chief General Manager (GIS)", Organisation: "Power Grid Corporation of India Ltd, Gurugram", Email: "gis@powergrid.in", Phone: "+91-124-2571700"}},
	"morth":   {"Ministry of Road Transport and Highways", layers.Contact{Name: "Chief Engineer (Planning)", Organisation: "Ministry of Road Transport and Highways, New Delhi", Email: "ce-planning-morth@gov.in", Phone: "+91-11-23719356"}},
	"nhai":    {"Ministry of Road Transport and Highways / NHAI", layers.Contact{Name: "General Manager (GIS)", Organisation: "National Highways Authority of India, New Delhi", Email: "gis@nhai.org", Phone: "+91-11-25074100"}},
	"state":   {"State Governments (PWD / Revenue)", layers.Contact{Name: "State GIS nodal officer", Organisation: "State Remote Sensing Applications Centres", Email: "gis-nodal@state.gov.in", Phone: "+91-771-2234567"}},
	"moefcc":  {"Ministry of Environment, Forest and Climate Change", layers.Contact{Name: "Inspector General of Forests (FC)", Organisation: "MoEFCC, Indira Paryavaran Bhawan, New Delhi", Email: "igf.fc-mef@gov.in", Phone: "+91-11-24695290"}},
	"fsi":     {"MoEFCC / Forest Survey of India", layers.Contact{Name: "Deputy Director (Digital Forest Boundaries)", Organisation: "Forest Survey of India, Dehradun", Email: "dfb@fsi.nic.in", Phone: "+91-135-2754507"}},
	"wii":     {"MoEFCC / Wildlife Institute of India", layers.Contact{Name: "Nodal officer (ENVIS)", Organisation: "Wildlife Institute of India, Dehradun", Email: "envis@wii.gov.in", Phone: "+91-135-2646100"}},
	"cpcb":    {"MoEFCC / Central Pollution Control Board", layers.Contact{Name: "Scientist 'E' (Air Lab)", Organisation: "Central Pollution Control Board, Delhi", Email: "airlab.cpcb@nic.in", Phone: "+91-11-43102030"}},
	"cwc":     {"Ministry of Jal Shakti / CWC", layers.Contact{Name: "Director (Hydrology)", Organisation: "Central Water Commission, New Delhi", Email: "dir-hydrology-cwc@nic.in", Phone: "+91-11-29583521"}},
	"cgwb":    {"Ministry of Jal Shakti / CGWB", layers.Contact{Name: "Scientist 'D' (Groundwater monitoring)", Organisation: "Central Ground Water Board, Faridabad", Email: "gwmonitoring-cgwb@nic.in", Phone: "+91-129-2419075"}},
	"soi":     {"Survey of India", layers.Contact{Name: "Director (Geo-spatial Data Centre)", Organisation: "Survey of India, Dehradun", Email: "gdc.soi@gov.in", Phone: "+91-135-2747051"}},
	"census":  {"Ministry of Home Affairs / Census of India", layers.Contact{Name: "Deputy Registrar General (Map)", Organisation: "Office of the Registrar General & Census Commissioner, New Delhi", Email: "map.rgi@censusindia.gov.in", Phone: "+91-11-23383145"}},
	"lgd":     {"Ministry of Panchayati Raj (LGD) / Survey of India", layers.Contact{Name: "Local Government Directory cell", Organisation: "Ministry of Panchayati Raj, New Delhi", Email: "lgd-mopr@gov.in", Phone: "+91-11-23074309"}},
	"dolr":    {"Department of Land Resources / State Revenue", layers.Contact{Name: "Director (DILRMP)", Organisation: "Department of Land Resources, New Delhi", Email: "dilrmp-dolr@gov.in", Phone: "+91-11-23063245"}},
	"ndma":    {"National Disaster Management Authority / BIS", layers.Contact{Name: "Joint Advisor (Mitigation)", Organisation: "NDMA, New Delhi", Email: "mitigation@ndma.gov.in", Phone: "+91-11-26701700"}},
	"mopng":   {"Ministry of Petroleum and Natural Gas / PNGRB", layers.Contact{Name: "Director (Infrastructure)", Organisation: "Petroleum and Natural Gas Regulatory Board, New Delhi", Email: "infra@pngrb.gov.in", Phone: "+91-11-23457700"}},
	"aai":     {"Ministry of Civil Aviation / AAI", layers.Contact{Name: "General Manager (Aerodrome Planning)", Organisation: "Airports Authority of India, New Delhi", Email: "planning@aai.aero", Phone: "+91-11-24632950"}},
	"mohfw":   {"Ministry of Health and Family Welfare", layers.Contact{Name: "Director (HMIS)", Organisation: "MoHFW, New Delhi", Email: "hmis@mohfw.gov.in", Phone: "+91-11-23061863"}},
	"moe":     {"Ministry of Education (UDISE+)", layers.Contact{Name: "Director (Statistics)", Organisation: "Department of School Education & Literacy, New Delhi", Email: "udiseplus@gov.in", Phone: "+91-11-23765609"}},
	"bisag":   {"PM GatiShakti NMP / BISAG-N", layers.Contact{Name: "Project Director (NMP)", Organisation: "BISAG-N, Gandhinagar", Email: "nmp@bisag-n.gov.in", Phone: "+91-79-23213081"}},
	"mopsw":   {"Ministry of Ports, Shipping and Waterways", layers.Contact{Name: "Director (Ports)", Organisation: "MoPSW, New Delhi", Email: "dir-ports@gov.in", Phone: "+91-11-23714938"}},
	"mnre":    {"Ministry of New and Renewable Energy", layers.Contact{Name: "Director (Solar Parks)", Organisation: "MNRE, New Delhi", Email: "solarparks-mnre@gov.in", Phone: "+91-11-20849000"}},
}

// Attribute helpers.

func txt(name, alias, hi, desc string) layers.Attribute {
	return layers.Attribute{Name: name, Alias: alias, Type: layers.Text, LabelHi: hi, Description: desc}
}

func num(name, alias, unit, hi, desc string) layers.Attribute {
	return layers.Attribute{Name: name, Alias: alias, Type: layers.Real, Unit: unit, LabelHi: hi, Description: desc}
}

func integer(name, alias, unit, hi, desc string) layers.Attribute {
	return layers.Attribute{Name: name, Alias: alias, Type: layers.Integer, Unit: unit, LabelHi: hi, Description: desc}
}

func date(name, alias, hi, desc string) layers.Attribute {
	return layers.Attribute{Name: name, Alias: alias, Type: layers.Date, LabelHi: hi, Description: desc}
}

func boolean(name, alias, hi, desc string) layers.Attribute {
	return layers.Attribute{Name: name, Alias: alias, Type: layers.Boolean, LabelHi: hi, Description: desc}
}

func attrs(groups ...[]layers.Attribute) []layers.Attribute {
	var out []layers.Attribute
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func one(a ...layers.Attribute) []layers.Attribute { return a }

// Shared attributes.
var (
	aName      = txt("name", "Name", "नाम", "Name of the feature in English.")
	aNameHi    = txt("name_hi", "Name (Hindi)", "नाम (हिंदी)", "Name of the feature in Devanagari.")
	aState     = txt("state", "State", "राज्य", "State in which the feature lies.")
	aDistrict  = txt("district", "District", "ज़िला", "District in which the feature lies.")
	aCoalfield = txt("coalfield", "Coalfield", "कोयला क्षेत्र", "Coalfield in which (or nearest to which) the feature lies.")
	aArea      = num("area_km2", "Area", "km²", "क्षेत्रफल", "Area of the polygon, computed on the ellipsoid-approximating local projection.")
	aAreaHa    = num("area_ha", "Area", "ha", "क्षेत्रफल (हेक्टेयर)", "Area of the polygon in hectares.")
	aLength    = num("length_km", "Length", "km", "लंबाई", "Length of the line.")
	aStatus    = txt("status", "Status", "स्थिति", "Current status of the feature.")
	aOwner     = txt("owner", "Owner / agency", "स्वामी / एजेंसी", "Organisation that owns or operates the feature.")
	aRemarks   = txt("remarks", "Remarks", "टिप्पणी", "Free-text remarks from the custodian.")
	aSubsid    = txt("subsidiary", "Coal company", "कोयला कंपनी", "CIL subsidiary (or other coal PSU) in whose command area the feature lies.")
	aBlockID   = txt("block_id", "Coal block id", "कोयला ब्लॉक आईडी", "Id of the coal block the feature belongs to (feature id in coal_blocks).")
	aBlockName = txt("block_name", "Coal block", "कोयला ब्लॉक", "Name of the coal block the feature belongs to.")
	aYear      = integer("year", "Year", "", "वर्ष", "Year of the record.")
	aFrom      = txt("from_name", "From", "से", "Name of the line's starting point.")
	aTo        = txt("to_name", "To", "तक", "Name of the line's end point.")
	aLat       = num("latitude", "Latitude", "degree", "अक्षांश", "Latitude (WGS 84).")
	aLon       = num("longitude", "Longitude", "degree", "देशांतर", "Longitude (WGS 84).")

	named      = one(aName, aNameHi)
	placeAttrs = one(aState, aDistrict)
	namedPlace = attrs(named, placeAttrs)
)

// Styles.
func fill(color, fillColor string, opacity, width float64) layers.Style {
	return layers.Style{Color: color, FillColor: fillColor, FillOpacity: opacity, LineWidth: width}
}
func stroke(color string, width float64, dash ...int) layers.Style {
	return layers.Style{Color: color, LineWidth: width, LineDash: dash}
}
func dot(color string, radius float64) layers.Style {
	return layers.Style{Color: color, FillColor: color, FillOpacity: 0.9, Radius: radius}
}

// withIcon adds a symbol of the service's sprite to a style (styles.Icons).
func withIcon(s layers.Style, icon string) layers.Style {
	s.Icon = icon
	return s
}

// only returns g with its Values and Ranges restricted to the attributes: for
// generators shared by layers whose dictionaries differ.
func (g Generator) only(as []layers.Attribute) Generator {
	keep := map[string]bool{}
	for _, a := range as {
		keep[a.Name] = true
	}
	v, r := map[string][]string{}, map[string][2]float64{}
	for k, x := range g.Values {
		if keep[k] {
			v[k] = x
		}
	}
	for k, x := range g.Ranges {
		if keep[k] {
			r[k] = x
		}
	}
	g.Values, g.Ranges = nil, nil
	if len(v) > 0 {
		g.Values = v
	}
	if len(r) > 0 {
		g.Ranges = r
	}
	return g
}
