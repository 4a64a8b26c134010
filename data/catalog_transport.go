package data

import "github.com/coalmap/coalmap/layers"

var (
	aZone     = txt("railway_zone", "Railway zone", "रेलवे ज़ोन", "Zonal railway.")
	aTracks   = txt("tracks", "Tracks", "ट्रैक", "Single, double or multiple line.")
	aElectric = boolean("electrified", "Electrified", "विद्युतीकृत", "Whether the section is electrified.")
	aLanes    = integer("lanes", "Lanes", "", "लेन", "Number of traffic lanes.")
	aSurface  = txt("surface", "Surface", "सतह", "Pavement type.")
)

var zones = []string{"SECR", "ECoR", "ECR", "SER", "ER", "WCR", "CR", "SCR", "NCR"}

var railAttrs = attrs(named, one(txt("gauge", "Gauge", "गेज", "Track gauge."), aTracks, aElectric, aZone, integer("max_speed_kmph", "Sectional speed", "km/h", "खंडीय गति", "Maximum permitted speed."), aOwner, aStatus, aFrom, aTo, aLength))
var railProposedAttrs = attrs(named, one(txt("project_type", "Project type", "परियोजना प्रकार", "New line, doubling, third/fourth line, or bypass."), aZone, aOwner, aStatus, aFrom, aTo,
	num("cost_crore", "Cost", "₹ crore", "लागत", "Sanctioned or estimated cost."), integer("target_year", "Target year", "", "लक्ष्य वर्ष", "Scheduled completion year."), aLength))

var roadAttrs = attrs(named, one(txt("road_no", "Road number", "सड़क संख्या", "Route number."), aLanes, aSurface, aOwner, aStatus, aFrom, aTo, aLength))

func transportSpecs() []spec {
	railGen := func(count int, label, labelHi string, status []string) Generator {
		return Generator{Kind: KindNetwork, Count: count, SizeKm: []float64{20, 200}, StepKm: 0.08, Vertices: []int{2, 5000}, Label: label, LabelHi: labelHi,
			Values: map[string][]string{"gauge": {"Broad gauge (1,676 mm)"}, "tracks": {"Single", "Double", "Double", "Triple"}, "electrified": {"true", "true", "false"}, "railway_zone": zones,
				"owner": {"Ministry of Railways"}, "status": status, "project_type": {"New line", "Doubling", "Third line", "Bypass"}, "max_speed_kmph": {"75", "100", "110", "130"}},
			Ranges: map[string][2]float64{"cost_crore": {200, 5000}, "target_year": {2025, 2031}}}
	}
	rail := func(id, title, hi, desc string, proposed bool, g Generator, style layers.Style) spec {
		s := spec{
			id: id, title: title, hi: hi, desc: desc, cat: layers.Rail,
			kw:  []string{"railway", "rail line", "alignment", "Indian Railways"},
			org: "rail", geom: layers.LineString, scale: "1:10,000", acc: "±10 m",
			lineage: "Railway centrelines from the zonal railways' GIS (Indian Railways' GIS portal) and final location surveys.", source: "Ministry of Railways",
			attrs: railAttrs, freq: "quarterly", zoom: [2]int{4, 20}, style: style, gen: g,
		}
		if proposed {
			s.cat, s.attrs, s.status, s.freq = layers.ProposedProjects, railProposedAttrs, "planned", "monthly"
			s.kw = append(s.kw, "proposed", "final location survey", "DPR")
			s.acc = "±50 m (reconnaissance / final location survey)"
		}
		s.gen = s.gen.only(s.attrs)
		return s
	}
	road := func(id, title, hi, desc, org string, g Generator, style layers.Style, zoom [2]int) spec {
		return spec{
			id: id, title: title, hi: hi, desc: desc, cat: layers.Roads,
			kw:  []string{"road", "highway", "connectivity"},
			org: org, geom: layers.LineString, scale: "1:10,000", acc: "±10 m",
			lineage: "Centrelines from the road owners' GIS (MoRTH/NHAI Data Lake, state PWDs, PMGSY GeoSadak).", source: "MoRTH / NHAI / state PWDs",
			attrs: roadAttrs, freq: "quarterly", zoom: zoom, style: style, gen: g,
		}
	}
	return []spec{
		rail("railway_lines_existing", "Railway lines (existing)", "रेल लाइनें (मौजूदा)", "Existing broad gauge lines of Indian Railways.", false,
			railGen(260, " section", " खंड", []string{"Existing"}), stroke("#212121", 2.2)),
		rail("railway_lines_proposed", "Railway lines (proposed alignments)", "रेल लाइनें (प्रस्तावित संरेखण)", "Proposed rail alignments under survey or sanction, including coal connectivity lines checked against coal blocks.", true,
			railGen(70, " new line (proposed)", " नई लाइन (प्रस्तावित)", []string{"Proposed", "Survey sanctioned", "DPR under preparation"}), stroke("#6a1b9a", 2.2, 10, 5)),
		rail("railway_lines_under_construction", "Railway lines (under construction)", "रेल लाइनें (निर्माणाधीन)", "Sanctioned rail projects under construction.", true,
			railGen(50, " line (under construction)", " लाइन (निर्माणाधीन)", []string{"Under construction"}), stroke("#1565c0", 2.2, 4, 4)),
		func() spec {
			s := rail("dedicated_freight_corridors", "Dedicated freight corridors", "समर्पित माल ढुलाई गलियारे", "Eastern DFC and the planned East Coast and East–West corridors.", false,
				Generator{Kind: KindNetwork, Count: 8, SizeKm: []float64{150, 450}, StepKm: 0.15, Vertices: []int{2, 5000}, Label: " DFC section", LabelHi: " डीएफसी खंड",
					Values: map[string][]string{"gauge": {"Broad gauge (1,676 mm)"}, "tracks": {"Double"}, "electrified": {"true"}, "railway_zone": zones, "owner": {"Dedicated Freight Corridor Corporation of India Ltd"}, "status": {"Existing", "Proposed"}, "max_speed_kmph": {"100"}}},
				stroke("#0d47a1", 3.5))
			s.org, s.kw = "dfccil", []string{"DFC", "freight corridor", "Eastern DFC", "East Coast DFC"}
			return s
		}(),
		{
			id: "railway_stations", title: "Railway stations", hi: "रेलवे स्टेशन",
			desc: "Stations and halts with their category.",
			cat:  layers.Rail, kw: []string{"station", "halt", "goods shed"},
			org: "rail", geom: layers.Point, scale: "1:10,000", acc: "±20 m",
			lineage: "Indian Railways station list with coordinates.", source: "Ministry of Railways",
			attrs: attrs(named, one(txt("station_code", "Station code", "स्टेशन कोड", "Station code."), txt("category", "Category", "श्रेणी", "NSG/SG/HG category."), aZone, boolean("goods_shed", "Goods shed", "माल गोदाम", "Whether the station has a goods shed."), aState, aDistrict)),
			freq:  "annually", zoom: [2]int{8, 22}, style: withIcon(dot("#212121", 4), "rail"),
			gen: Generator{Kind: KindPoints, Filter: AnchorBelt, Count: 900,
				Values: map[string][]string{"category": {"NSG-3", "NSG-4", "NSG-5", "NSG-6", "SG-2", "HG-2", "HG-3"}, "railway_zone": zones, "goods_shed": {"true", "false", "false"}}},
		},
		{
			id: "railway_goods_sheds", title: "Railway goods sheds", hi: "रेलवे माल गोदाम",
			desc: "Goods sheds and freight terminals handling coal and other commodities.",
			cat:  layers.Rail, kw: []string{"goods shed", "freight terminal", "Gati Shakti cargo terminal"},
			org: "rail", geom: layers.Point, scale: "1:10,000", acc: "±20 m",
			lineage: "Freight Operations Information System terminal list.", source: "Ministry of Railways (FOIS)",
			attrs: attrs(named, one(txt("commodities", "Commodities", "वस्तुएं", "Main commodities handled."), num("rakes_per_month", "Rakes per month", "rakes", "प्रति माह रेक", "Average rakes handled."), aZone)),
			freq:  "annually", zoom: [2]int{8, 22}, style: dot("#37474f", 5),
			gen: Generator{Kind: KindPoints, Filter: AnchorBelt, Count: 200, Label: " Goods Shed", LabelHi: " माल गोदाम",
				Values: map[string][]string{"commodities": {"Coal", "Coal, fly ash", "Cement, clinker", "Iron ore, steel", "Fertiliser, foodgrain"}, "railway_zone": zones},
				Ranges: map[string][2]float64{"rakes_per_month": {2, 120}}},
		},
		{
			id: "level_crossings", title: "Level crossings", hi: "समपार फाटक",
			desc: "Level crossings, with road over/under bridge proposals.",
			cat:  layers.Rail, kw: []string{"level crossing", "ROB", "RUB", "safety"},
			org: "rail", geom: layers.Point, scale: "1:10,000", acc: "±20 m",
			lineage: "Zonal railways' LC registers.", source: "Ministry of Railways",
			attrs: attrs(one(aCode, boolean("manned", "Manned", "मानवयुक्त", "Whether the crossing is manned."), boolean("rob_proposed", "ROB/RUB proposed", "आरओबी/आरयूबी प्रस्तावित", "Whether a bridge is sanctioned."), aZone)),
			freq:  "annually", zoom: [2]int{11, 22}, style: dot("#ff1744", 3),
			gen: Generator{Kind: KindPoints, Filter: AnchorBelt, Count: 1500,
				Values: map[string][]string{"manned": {"true", "true", "false"}, "rob_proposed": {"true", "false", "false"}, "railway_zone": zones}},
		},
		road("national_highways", "National highways", "राष्ट्रीय राजमार्ग", "National highways with their number and lanes.", "nhai",
			Generator{Kind: KindNetwork, Count: 200, SizeKm: []float64{30, 300}, StepKm: 0.08, Vertices: []int{2, 5000}, Label: " NH section", LabelHi: " राष्ट्रीय राजमार्ग खंड",
				Values: map[string][]string{"road_no": {"NH-39", "NH-135", "NH-130", "NH-49", "NH-53", "NH-43", "NH-20", "NH-18", "NH-19", "NH-55", "NH-143", "NH-149B", "NH-30", "NH-44", "NH-63", "NH-353"}, "lanes": {"2", "4", "4", "6"}, "surface": {"Bituminous", "Cement concrete"}, "owner": {"National Highways Authority of India", "MoRTH (state PWD NH division)", "NHIDCL"}, "status": {"Existing"}}},
			stroke("#c62828", 3), [2]int{4, 20}),
		road("state_highways", "State highways", "राज्य राजमार्ग", "State highways maintained by the state PWDs.", "state",
			Generator{Kind: KindNetwork, Count: 300, SizeKm: []float64{15, 150}, StepKm: 0.07, Vertices: []int{2, 5000}, Label: " SH section", LabelHi: " राज्य राजमार्ग खंड",
				Values: map[string][]string{"road_no": {"SH-1", "SH-5", "SH-9", "SH-10", "SH-21", "SH-44", "SH-63", "SH-126"}, "lanes": {"2", "2", "4"}, "surface": {"Bituminous"}, "owner": {"State PWD"}, "status": {"Existing"}}},
			stroke("#ef6c00", 2.2), [2]int{6, 20}),
		road("major_district_roads", "Major district roads", "प्रमुख ज़िला सड़कें", "Major district roads.", "state",
			Generator{Kind: KindNetwork, Count: 500, SizeKm: []float64{5, 60}, StepKm: 0.06, Vertices: []int{2, 3000}, Label: " MDR", LabelHi: " प्रमुख ज़िला सड़क",
				Values: map[string][]string{"road_no": {"MDR-12", "MDR-27", "MDR-41", "MDR-58", "MDR-73"}, "lanes": {"1", "2"}, "surface": {"Bituminous", "WBM"}, "owner": {"State PWD", "Zila Parishad"}, "status": {"Existing"}}},
			stroke("#fb8c00", 1.5), [2]int{8, 20}),
		road("pmgsy_rural_roads", "Rural roads (PMGSY)", "ग्रामीण सड़कें (पीएमजीएसवाई)", "Rural roads built under the Pradhan Mantri Gram Sadak Yojana.", "state",
			Generator{Kind: KindLines, Filter: AnchorBelt, Count: 3000, SizeKm: []float64{1, 10}, StepKm: 0.05, Vertices: []int{2, 400}, Label: " Road", LabelHi: " मार्ग",
				Values: map[string][]string{"road_no": {"L028", "L045", "T012", "L101", "T033"}, "lanes": {"1"}, "surface": {"Bituminous", "Cement concrete", "Gravel"}, "owner": {"State Rural Roads Development Agency"}, "status": {"Existing", "Existing", "Under construction"}, "from_name": {"Village"}, "to_name": {"Habitation"}}},
			stroke("#a1887f", 1), [2]int{10, 20}),
		road("bharatmala_corridors", "Bharatmala corridors (proposed)", "भारतमाला गलियारे (प्रस्तावित)", "Economic corridors, inter-corridors, feeder routes and greenfield expressways under Bharatmala Pariyojana.", "nhai",
			Generator{Kind: KindNetwork, Count: 25, SizeKm: []float64{60, 350}, StepKm: 0.1, Vertices: []int{2, 5000}, Label: " corridor", LabelHi: " गलियारा",
				Values: map[string][]string{"road_no": {"EC-Raipur–Visakhapatnam", "EC-Varanasi–Kolkata", "IC-Raipur–Dhanbad", "FR-Angul–Sambalpur"}, "lanes": {"4", "6"}, "surface": {"Cement concrete", "Bituminous"}, "owner": {"National Highways Authority of India"}, "status": {"Proposed", "Under construction", "DPR"}}},
			stroke("#ad1457", 3, 8, 4), [2]int{4, 20}),
		road("mine_haul_roads", "Mine haul roads", "खदान ढुलाई सड़कें", "Haul roads inside the mine leases.", "cil",
			Generator{Kind: KindLines, Filter: AnchorMines, Count: 600, SizeKm: []float64{0.5, 5}, StepKm: 0.02, Vertices: []int{2, 400}, Label: " Haul Road", LabelHi: " ढुलाई सड़क",
				Values: map[string][]string{"road_no": {"HR-1", "HR-2", "HR-3", "HR-4"}, "lanes": {"2", "3"}, "surface": {"Gravel", "Bituminous"}, "owner": {"Coal India Ltd"}, "status": {"Existing"}, "from_name": {"Quarry"}, "to_name": {"CHP", "Dump", "Siding"}}},
			stroke("#795548", 1.5, 2, 2), [2]int{11, 22}),
	}
}
