package data

import "github.com/coalmap/coalmap/layers"

var (
	aNotifYear = integer("notified_year", "Year notified", "", "अधिसूचना वर्ष", "Year of the final notification.")
	aDivision  = txt("forest_division", "Forest division", "वन मंडल", "Territorial forest division.")
	aForestTyp = txt("forest_type", "Forest type", "वन प्रकार", "Champion & Seth forest type group.")
)

var forestDivisions = []string{"Korba", "Katghora", "Dharamjaygarh", "Raigarh", "Sundargarh", "Rourkela", "Jharsuguda", "Angul", "Athmallik", "Singrauli", "Sidhi", "Hazaribagh West", "Chatra North", "Dhanbad", "Latehar", "Chandrapur", "Bilaspur", "Marwahi", "Surguja", "Manendragarh"}

func protectedArea(id, title, hi, desc string, extra []layers.Attribute, count int, size []float64, style layers.Style) spec {
	s := spec{
		id: id, title: title, hi: hi, desc: desc, cat: layers.Environment,
		kw:  []string{"protected area", "wildlife", "Wildlife (Protection) Act 1972", "no-go"},
		org: "wii", geom: layers.Polygon, scale: "1:50,000", acc: "±100 m",
		lineage: "Boundaries from the state forest departments' notifications, compiled by WII (ENVIS).", source: "Wildlife Institute of India, National Wildlife Database",
		attrs: attrs(named, one(aNotifYear, aState, aDistrict), extra, one(aArea)), freq: "asNeeded", zoom: [2]int{4, 20}, style: style,
		gen: Generator{Kind: KindPolygons, Filter: AnchorBelt, Count: count, SizeKm: size, Vertices: []int{300, 2500},
			Values: map[string][]string{"flagship_species": {"Tiger", "Elephant", "Leopard", "Gaur", "Sloth bear", "Wild buffalo"}, "ntca_rating": {"Excellent", "Very good", "Good", "Fair"}},
			Ranges: map[string][2]float64{"notified_year": {1955, 2021}, "core_area_km2": {200, 1500}}},
	}
	s.gen = s.gen.only(s.attrs)
	return s
}

func environmentSpecs() []spec {
	forest := func(id, title, hi, desc, legal string, count int, size []float64, verts []int, style layers.Style) spec {
		return spec{
			id: id, title: title, hi: hi, desc: desc, cat: layers.Environment,
			kw:  []string{"forest", legal, "Indian Forest Act 1927", "Digital Forest Boundary"},
			org: "fsi", geom: layers.Polygon, crs: "EPSG:32644 / EPSG:32645", scale: "1:15,000", acc: "±15 m",
			lineage: "Digitised forest boundaries (Decision Support System of MoEFCC / FSI) from notified maps and DGPS pillar surveys.", source: "FSI Digital Forest Boundaries; MoEFCC DSS",
			attrs: attrs(named, one(txt("legal_status", "Legal status", "वैधानिक स्थिति", "Reserved, protected or unclassed forest."), aDivision, aForestTyp,
				aNotifYear, aState, aDistrict, aArea)),
			freq: "annually", zoom: [2]int{6, 20}, style: style,
			gen: Generator{Kind: KindPolygons, Filter: AnchorBelt, Count: count, SizeKm: size, Vertices: verts, Label: map[bool]string{true: " RF", false: " PF"}[legal == "Reserved Forest"], LabelHi: map[bool]string{true: " आरक्षित वन", false: " संरक्षित वन"}[legal == "Reserved Forest"],
				Values: map[string][]string{"legal_status": {legal}, "forest_division": forestDivisions, "forest_type": {"Tropical dry deciduous (Sal)", "Tropical moist deciduous (Sal)", "Dry teak", "Mixed deciduous", "Dry deciduous scrub"}},
				Ranges: map[string][2]float64{"notified_year": {1900, 1995}}},
		}
	}
	return []spec{
		forest("reserved_forests", "Reserved forests", "आरक्षित वन", "Reserved forests notified under section 20 of the Indian Forest Act 1927.", "Reserved Forest", 900, []float64{1, 10}, []int{200, 4000}, fill("#1b5e20", "#2e7d32", 0.35, 1)),
		forest("protected_forests", "Protected forests", "संरक्षित वन", "Protected forests notified under section 29 of the Indian Forest Act 1927.", "Protected Forest", 700, []float64{0.5, 7}, []int{100, 2500}, fill("#33691e", "#689f38", 0.3, 1)),
		protectedArea("wildlife_sanctuaries", "Wildlife sanctuaries", "वन्यजीव अभयारण्य", "Wildlife sanctuaries under the Wildlife (Protection) Act 1972.",
			one(txt("flagship_species", "Flagship species", "प्रमुख प्रजाति", "Flagship species.")), 20, []float64{5, 15}, fill("#004d40", "#26a69a", 0.35, 1.5)),
		protectedArea("national_parks", "National parks", "राष्ट्रीय उद्यान", "National parks under the Wildlife (Protection) Act 1972.",
			one(txt("flagship_species", "Flagship species", "प्रमुख प्रजाति", "Flagship species.")), 0, []float64{8, 20}, fill("#004d40", "#00796b", 0.4, 1.5)),
		protectedArea("tiger_reserves", "Tiger reserves", "बाघ अभयारण्य", "Tiger reserves notified under section 38V of the Wildlife (Protection) Act.",
			one(num("core_area_km2", "Core (critical tiger habitat)", "km²", "कोर क्षेत्र", "Area of the core."), txt("ntca_rating", "MEE rating", "एमईई रेटिंग", "NTCA management effectiveness rating.")), 0, []float64{15, 30}, fill("#e65100", "#ffa726", 0.2, 2)),
		protectedArea("elephant_reserves", "Elephant reserves", "हाथी रिज़र्व", "Elephant reserves under Project Elephant.",
			one(txt("flagship_species", "Flagship species", "प्रमुख प्रजाति", "Flagship species.")), 0, []float64{20, 30}, fill("#5d4037", "#bcaaa4", 0.2, 1.5)),
		{
			id: "eco_sensitive_zones", title: "Eco-sensitive zones", hi: "पर्यावरण-संवेदनशील क्षेत्र",
			desc: "Eco-sensitive zones notified around protected areas under the Environment (Protection) Act 1986.",
			cat:  layers.Environment, kw: []string{"ESZ", "eco-sensitive zone", "buffer", "Environment (Protection) Act"},
			org: "moefcc", geom: layers.Polygon, scale: "1:50,000", acc: "±100 m",
			lineage: "ESZ final notifications (S.O.) of MoEFCC with their boundary maps.", source: "MoEFCC ESZ notifications",
			attrs: attrs(named, one(aNotifNo, aGazetteDate, num("extent_km", "Extent from PA boundary", "km", "पीए सीमा से विस्तार", "Width of the zone beyond the protected area."), aState, aArea)),
			freq:  "asNeeded", zoom: [2]int{5, 20}, style: layers.Style{Color: "#827717", FillColor: "#d4e157", FillOpacity: 0.15, LineWidth: 1, LineDash: []int{6, 3}},
			gen: Generator{Kind: KindPolygons, Filter: AnchorBelt, Count: 10, SizeKm: []float64{8, 20}, Vertices: []int{300, 2000}, Label: " Eco-Sensitive Zone", LabelHi: " पर्यावरण-संवेदनशील क्षेत्र",
				Ranges: map[string][2]float64{"gazette_date": {2016, 2024}, "extent_km": {0, 10}}},
		},
		{
			id: "elephant_corridors", title: "Elephant corridors", hi: "हाथी गलियारे",
			desc: "Elephant corridors identified in Right of Passage (WTI/MoEFCC).",
			cat:  layers.Environment, kw: []string{"elephant", "corridor", "human-elephant conflict", "Right of Passage"},
			org: "moefcc", geom: layers.LineString, scale: "1:50,000", acc: "±250 m",
			lineage: "Right of Passage (2017, 2023) corridor maps digitised.", source: "MoEFCC Project Elephant",
			attrs: attrs(named, one(txt("priority", "Priority", "प्राथमिकता", "Ecological priority."), num("width_km", "Width", "km", "चौड़ाई", "Width of the corridor."), aState, aLength)),
			freq:  "irregular", zoom: [2]int{6, 20}, style: stroke("#6d4c41", 3, 2, 6),
			gen: Generator{Kind: KindLines, Filter: AnchorBelt, Count: 45, SizeKm: []float64{5, 40}, StepKm: 0.1, Label: " Elephant Corridor", LabelHi: " हाथी गलियारा",
				Values: map[string][]string{"priority": {"High", "Medium", "Low"}}, Ranges: map[string][2]float64{"width_km": {0.5, 5}}},
		},
		{
			id: "forest_cover", title: "Forest cover (ISFR density classes)", hi: "वनावरण (आईएसएफआर घनत्व वर्ग)",
			desc: "Very dense, moderately dense and open forest from the India State of Forest Report.",
			cat:  layers.Environment, kw: []string{"forest cover", "ISFR", "canopy density", "satellite"},
			org: "fsi", geom: layers.Polygon, scale: "1:50,000", acc: "23.5 m (LISS-III)",
			lineage: "Vectorised from FSI's forest cover raster (LISS-III, 23.5 m).", source: "India State of Forest Report",
			attrs: attrs(one(txt("density_class", "Density class", "घनत्व वर्ग", "VDF (≥70%), MDF (40–70%) or OF (10–40%)."), num("canopy_pct", "Canopy density", "%", "छत्र घनत्व", "Mean canopy density."),
				integer("assessment_year", "Assessment", "", "आकलन वर्ष", "ISFR cycle."), aArea)),
			freq: "biannually", zoom: [2]int{6, 18}, style: fill("#2e7d32", "#43a047", 0.3, 0.5),
			gen: Generator{Kind: KindPolygons, Filter: AnchorBelt, Count: 600, SizeKm: []float64{1, 8}, Vertices: []int{100, 1500},
				Values: map[string][]string{"density_class": {"Very Dense Forest", "Moderately Dense Forest", "Moderately Dense Forest", "Open Forest"}, "assessment_year": {"2021", "2023"}}},
		},
		{
			id: "compensatory_afforestation_sites", title: "Compensatory afforestation sites", hi: "प्रतिपूरक वनीकरण स्थल",
			desc: "Land where compensatory afforestation is done for forest land diverted to coal projects (CAMPA).",
			cat:  layers.Environment, kw: []string{"CAMPA", "compensatory afforestation", "forest clearance"},
			org: "moefcc", geom: layers.Polygon, crs: "EPSG:4326 (KML from e-Green Watch)", scale: "1:10,000", acc: "±10 m",
			lineage: "KML boundaries from e-Green Watch.", source: "e-Green Watch (CAMPA)",
			attrs: attrs(one(aCode, txt("species", "Species", "प्रजातियां", "Species planted."), aPlantYear, num("survival_pct", "Survival", "%", "उत्तरजीविता", "Survival of plantation."),
				txt("user_agency", "User agency", "उपयोगकर्ता एजेंसी", "Project for which the afforestation is done."), aState, aAreaHa)),
			freq: "annually", zoom: [2]int{9, 22}, style: fill("#558b2f", "#aed581", 0.4, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorBelt, Count: 300, SizeKm: []float64{0.3, 2}, Vertices: []int{8, 120},
				Values: map[string][]string{"species": {"Sal, Sagon, Bamboo", "Khair, Neem, Karanj", "Mixed indigenous"}, "user_agency": {"South Eastern Coalfields Ltd", "Mahanadi Coalfields Ltd", "Northern Coalfields Ltd", "NTPC Ltd", "Power Grid Corporation of India Ltd"}},
				Ranges: map[string][2]float64{"plantation_year": {2008, 2025}, "survival_pct": {40, 95}}},
		},
		{
			id: "wetlands", title: "Wetlands", hi: "आर्द्रभूमि",
			desc: "Wetlands of the National Wetland Inventory and Assessment.",
			cat:  layers.Water, kw: []string{"wetland", "NWIA", "Ramsar", "water body"},
			org: "moefcc", geom: layers.Polygon, scale: "1:50,000", acc: "±25 m",
			lineage: "National Wetland Decadal Change Atlas (SAC/ISRO), vectorised.", source: "SAC-ISRO NWIA",
			attrs: attrs(named, one(txt("wetland_type", "Wetland type", "आर्द्रभूमि प्रकार", "NWIA class."), boolean("ramsar_site", "Ramsar site", "रामसर स्थल", "Whether designated under the Ramsar Convention."), aAreaHa)),
			freq:  "irregular", zoom: [2]int{7, 20}, style: fill("#0277bd", "#81d4fa", 0.5, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorBelt, Count: 200, SizeKm: []float64{0.2, 2}, Vertices: []int{40, 400}, Label: " Wetland", LabelHi: " आर्द्रभूमि",
				Values: map[string][]string{"wetland_type": {"Lake/pond", "Tank/pond", "Riverine wetland", "Reservoir/barrage", "Waterlogged"}, "ramsar_site": {"false"}}},
		},
		{
			id: "air_quality_stations", title: "Ambient air quality monitoring stations", hi: "परिवेशी वायु गुणवत्ता निगरानी केंद्र",
			desc: "Continuous (CAAQMS) and manual (NAMP) stations in and around the coalfields.",
			cat:  layers.Environment, kw: []string{"air quality", "CAAQMS", "NAMP", "PM10", "PM2.5", "dust"},
			org: "cpcb", geom: layers.Point, scale: "1:10,000", acc: "±10 m",
			lineage: "CPCB station registry and the coal companies' monitoring network.", source: "CPCB",
			attrs: attrs(one(aCode, aName, aNameHi, txt("station_type", "Type", "प्रकार", "CAAQMS or manual."), num("pm10_ugm3", "PM10 (annual mean)", "µg/m³", "पीएम10", "Annual mean PM10."),
				num("pm25_ugm3", "PM2.5 (annual mean)", "µg/m³", "पीएम2.5", "Annual mean PM2.5."), aOperator, aState, aDistrict)),
			freq: "daily", zoom: [2]int{7, 22}, style: dot("#00acc1", 5),
			gen: Generator{Kind: KindPoints, Filter: AnchorNear, Count: 120, Label: " AQ Station", LabelHi: " वायु गुणवत्ता केंद्र",
				Values: map[string][]string{"station_type": {"CAAQMS", "Manual (NAMP)"}, "operator": {"CPCB", "State Pollution Control Board", "Coal India Ltd", "NTPC Ltd"}},
				Ranges: map[string][2]float64{"pm10_ugm3": {60, 260}, "pm25_ugm3": {25, 120}}},
		},
		{
			id: "inviolate_forest_areas", title: "Inviolate forest areas (assessment)", hi: "अक्षुण्ण वन क्षेत्र (आकलन)",
			desc: "Forest areas assessed as inviolate for mining on forest cover, biodiversity and hydrological criteria. Draft assessment: restricted.",
			cat:  layers.Environment, kw: []string{"inviolate", "go/no-go", "forest", "biodiversity"},
			org: "moefcc", geom: layers.Polygon, scale: "1:50,000", acc: "±100 m", status: "underDevelopment",
			lineage: "Joint MoEFCC–MoC assessment using FSI forest cover, WII biodiversity data and CGWB hydrology.", source: "MoEFCC / Ministry of Coal",
			attrs:  attrs(one(aCode, txt("criterion", "Criterion", "मानदंड", "Main criterion met."), integer("assessment_year", "Assessment", "", "आकलन वर्ष", "Year of assessment."), aCoalfield, aArea)),
			access: layers.Restricted, freq: "irregular", zoom: [2]int{5, 18}, style: fill("#1b5e20", "#004d40", 0.3, 1.5),
			gen: Generator{Kind: KindPolygons, Filter: AnchorNear, Count: 80, SizeKm: []float64{3, 10}, Vertices: []int{200, 1500},
				Values: map[string][]string{"criterion": {"Forest cover above 70%", "Within 10 km of a protected area", "High hydrological value", "Wildlife corridor"}, "assessment_year": {"2012", "2018", "2024"}}},
		},
	}
}
