package data

import (
	"fmt"

	"github.com/coalmap/coalmap/layers"
)

var (
	aVoltage = integer("voltage_kv", "Voltage", "kV", "वोल्टेज", "Nominal voltage.")
	aCircuit = txt("circuit", "Circuit", "सर्किट", "Single (S/C) or double (D/C) circuit.")
	aRoW     = num("row_width_m", "Right-of-way width", "m", "मार्गाधिकार चौड़ाई", "Right-of-way corridor width (CEA / MoP guidelines).")
	aMW      = integer("capacity_mw", "Installed capacity", "MW", "स्थापित क्षमता", "Installed capacity.")
)

var lineAttrs = attrs(named, one(aVoltage, aCircuit, txt("conductor", "Conductor", "चालक", "Conductor type and bundle."), aOwner, aStatus, aFrom, aTo, aRoW, aCommYear, aLength))
var proposedLineAttrs = attrs(named, one(aVoltage, aCircuit, aOwner, aStatus, aFrom, aTo, aRoW, txt("scheme", "Scheme", "योजना", "Transmission scheme (ISTS, intra-state, green energy corridor)."),
	integer("target_year", "Target year", "", "लक्ष्य वर्ष", "Scheduled commissioning year."), aLength))

type voltage struct {
	kv         int
	rows       []string
	conductors []string
	count      int
	proposed   int
	size       []float64
	step       float64
	color      string
	width      float64
}

var voltages = []voltage{
	{765, []string{"64", "67", "85"}, []string{"Hexa Zebra", "Quad Bersimis"}, 120, 40, []float64{80, 400}, 0.12, "#b71c1c", 3},
	{400, []string{"46", "52"}, []string{"Twin Moose", "Quad Moose", "Twin HTLS"}, 450, 80, []float64{40, 300}, 0.12, "#e53935", 2.4},
	{220, []string{"35"}, []string{"ACSR Zebra", "Twin Zebra"}, 650, 60, []float64{20, 150}, 0.09, "#fb8c00", 1.8},
	{132, []string{"27"}, []string{"ACSR Panther", "ACSR Wolf"}, 700, 50, []float64{10, 80}, 0.08, "#fdd835", 1.3},
}

var transcos = []string{"Power Grid Corporation of India Ltd", "Chhattisgarh State Power Transmission Co Ltd", "Odisha Power Transmission Corporation Ltd", "Jharkhand Urja Sancharan Nigam Ltd", "MP Power Transmission Co Ltd", "Maharashtra State Electricity Transmission Co Ltd", "West Bengal State Electricity Transmission Co Ltd", "Adani Energy Solutions Ltd", "Sterlite Power Transmission Ltd"}

func transmissionSpecs() []spec {
	var out []spec
	for _, v := range voltages {
		kv := fmt.Sprint(v.kv)
		out = append(out, spec{
			id: "transmission_lines_" + kv + "kv", title: kv + " kV transmission lines (existing)", hi: kv + " केवी पारेषण लाइनें (मौजूदा)",
			desc: "Existing " + kv + " kV AC transmission lines of the inter-state and intra-state grids.",
			cat:  layers.Power, kw: []string{"transmission line", kv + " kV", "POWERGRID", "CEA", "grid"},
			org: "cea", geom: layers.LineString, scale: "1:10,000", acc: "±10 m (tower locations by DGPS)",
			lineage: "Tower schedules of the transmission licensees compiled by CEA; lines joined tower to tower and densified.", source: "CEA National Electricity Plan (Transmission); licensees' tower schedules",
			attrs: lineAttrs, freq: "quarterly", zoom: [2]int{4, 20}, style: stroke(v.color, v.width),
			gen: Generator{Kind: KindNetwork, Count: v.count, SizeKm: v.size, StepKm: v.step, Vertices: []int{2, 5000},
				Label: " " + kv + " kV line", LabelHi: " " + kv + " केवी लाइन",
				Values: map[string][]string{"voltage_kv": {kv}, "circuit": {"S/C", "D/C", "D/C"}, "conductor": v.conductors, "owner": transcos, "status": {"Existing"}, "row_width_m": v.rows},
				Ranges: map[string][2]float64{"commissioned_year": {1975, 2025}}},
		})
	}
	for _, v := range voltages {
		kv := fmt.Sprint(v.kv)
		out = append(out, spec{
			id: "transmission_lines_proposed_" + kv + "kv", title: kv + " kV transmission lines (proposed and under construction)", hi: kv + " केवी पारेषण लाइनें (प्रस्तावित एवं निर्माणाधीन)",
			desc: "Proposed and under-construction " + kv + " kV lines from the approved transmission plans (NCT, state plans), checked against coal blocks before the route is fixed.",
			cat:  layers.ProposedProjects, kw: []string{"transmission line", "proposed", kv + " kV", "route survey", "NCT"},
			org: "pgcil", geom: layers.LineString, scale: "1:25,000", acc: "±50 m (walk-over / detailed survey)", status: "planned",
			lineage: "Preliminary and detailed route surveys submitted by the transmission service providers.", source: "CEA / National Committee on Transmission; POWERGRID route surveys",
			attrs: proposedLineAttrs, freq: "monthly", zoom: [2]int{4, 20}, style: stroke(v.color, v.width, 8, 4),
			gen: Generator{Kind: KindNetwork, Count: v.proposed, SizeKm: v.size, StepKm: v.step, Vertices: []int{2, 5000},
				Label: " " + kv + " kV line (proposed)", LabelHi: " " + kv + " केवी लाइन (प्रस्तावित)",
				Values: map[string][]string{"voltage_kv": {kv}, "circuit": {"S/C", "D/C"}, "owner": transcos, "status": {"Proposed", "Approved by NCT", "Under construction", "Route survey"}, "row_width_m": v.rows, "scheme": {"ISTS", "Intra-state", "Green Energy Corridor II", "Tariff-based competitive bidding"}},
				Ranges: map[string][2]float64{"target_year": {2025, 2032}}},
		})
	}
	return out
}

func powerSpecs() []spec {
	return append(transmissionSpecs(), []spec{
		{
			id: "hvdc_lines", title: "HVDC transmission lines", hi: "एचवीडीसी पारेषण लाइनें",
			desc: "High-voltage direct current links crossing the coal belt.",
			cat:  layers.Power, kw: []string{"HVDC", "±800 kV", "±500 kV", "bulk transfer"},
			org: "cea", geom: layers.LineString, scale: "1:25,000", acc: "±20 m",
			lineage: "CEA transmission maps.", source: "CEA",
			attrs: attrs(named, one(aVoltage, aMW, aOwner, aStatus, aFrom, aTo, aRoW, aLength)),
			freq:  "annually", zoom: [2]int{3, 18}, style: stroke("#311b92", 3.5),
			gen: Generator{Kind: KindNetwork, Count: 8, SizeKm: []float64{250, 450}, StepKm: 0.2, Vertices: []int{2, 5000}, Label: " HVDC link", LabelHi: " एचवीडीसी लिंक",
				Values: map[string][]string{"voltage_kv": {"500", "800"}, "owner": {"Power Grid Corporation of India Ltd"}, "status": {"Existing", "Existing", "Proposed"}, "row_width_m": {"52", "69"}},
				Ranges: map[string][2]float64{"capacity_mw": {2000, 6000}}},
		},
		{
			id: "substations", title: "Substations (existing)", hi: "उपकेंद्र (मौजूदा)",
			desc: "EHV substations of 132 kV and above.",
			cat:  layers.Power, kw: []string{"substation", "pooling station", "EHV", "grid"},
			org: "cea", geom: layers.Point, scale: "1:10,000", acc: "±20 m",
			lineage: "CEA substation list with licensee coordinates.", source: "CEA",
			attrs: attrs(named, one(aVoltage, num("capacity_mva", "Transformation capacity", "MVA", "परिवर्तन क्षमता", "Installed transformer capacity."), aOwner, aStatus, aState, aDistrict)),
			freq:  "quarterly", zoom: [2]int{5, 22}, style: withIcon(dot("#b71c1c", 6), "power"),
			gen: Generator{Kind: KindPoints, Filter: AnchorSubstations, Count: 350, Label: " Substation", LabelHi: " उपकेंद्र",
				Values: map[string][]string{"voltage_kv": {"132", "132", "220", "220", "400"}, "owner": transcos, "status": {"Existing"}},
				Ranges: map[string][2]float64{"capacity_mva": {50, 4500}}},
		},
		{
			id: "substations_proposed", title: "Substations (proposed)", hi: "उपकेंद्र (प्रस्तावित)",
			desc: "Substations approved in the transmission plans.",
			cat:  layers.ProposedProjects, kw: []string{"substation", "proposed", "pooling station"},
			org: "pgcil", geom: layers.Point, scale: "1:25,000", acc: "±100 m", status: "planned",
			lineage: "NCT and state transmission plans.", source: "CEA / NCT",
			attrs: attrs(named, one(aVoltage, aOwner, aStatus, integer("target_year", "Target year", "", "लक्ष्य वर्ष", "Scheduled commissioning year."), aState, aDistrict)),
			freq:  "monthly", zoom: [2]int{5, 22}, style: layers.Style{Color: "#b71c1c", FillColor: "#ffffff", FillOpacity: 1, Radius: 6, LineWidth: 2},
			gen: Generator{Kind: KindPoints, Filter: AnchorBelt, Count: 80, Label: " Substation (proposed)", LabelHi: " उपकेंद्र (प्रस्तावित)",
				Values: map[string][]string{"voltage_kv": {"220", "400", "400", "765"}, "owner": transcos, "status": {"Proposed", "Under construction"}},
				Ranges: map[string][2]float64{"target_year": {2025, 2032}}},
		},
		{
			id: "thermal_power_plants", title: "Coal-based thermal power plants", hi: "कोयला आधारित ताप विद्युत संयंत्र",
			desc: "Coal-based thermal power stations with capacity, sector and coal source.",
			cat:  layers.Power, kw: []string{"thermal power", "TPP", "STPS", "coal consumer", "pithead"},
			org: "cea", geom: layers.Point, scale: "1:10,000", acc: "±100 m",
			lineage: "CEA installed capacity reports and plant coordinates.", source: "CEA",
			attrs: attrs(named, one(aMW, aOwner, aStatus, txt("fuel", "Fuel", "ईंधन", "Primary fuel."), txt("sector", "Sector", "क्षेत्र", "Central, state or private."),
				txt("coal_source", "Coal source", "कोयला स्रोत", "Linkage (FSA), captive block or imported."), aState, aDistrict)),
			freq: "monthly", zoom: [2]int{4, 22}, style: withIcon(dot("#212121", 8), "power"),
			gen: Generator{Kind: KindPoints, Filter: AnchorPlants, Count: 60, Label: " TPP", LabelHi: " ताप विद्युत संयंत्र",
				Values: map[string][]string{"owner": {"NTPC Ltd", "Adani Power Ltd", "Jindal Power Ltd", "Vedanta Ltd", "State genco", "Captive (industry)"}, "status": {"Operational", "Operational", "Under construction"}, "fuel": {"Coal"}, "sector": {"Central", "State", "Private"}, "coal_source": {"FSA (CIL)", "Captive block", "Blended with imported"}},
				Ranges: map[string][2]float64{"capacity_mw": {60, 3300}}},
		},
		{
			id: "ash_ponds", title: "Ash ponds", hi: "राख तालाब",
			desc: "Fly ash ponds of the thermal power plants.",
			cat:  layers.Environment, kw: []string{"fly ash", "ash pond", "ash dyke", "utilisation"},
			org: "cea", geom: layers.Polygon, scale: "1:10,000", acc: "±10 m",
			lineage: "Plant layouts and satellite imagery; utilisation from CEA fly ash reports.", source: "CEA fly ash generation and utilisation report",
			attrs: attrs(named, one(num("ash_stored_mt", "Ash stored", "Mt", "संग्रहित राख", "Ash in the pond."), num("utilisation_pct", "Utilisation", "%", "उपयोग", "Fly ash utilisation of the plant."), aStatus, aAreaHa)),
			freq:  "annually", zoom: [2]int{9, 22}, style: fill("#9e9e9e", "#e0e0e0", 0.6, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorPlants, Count: 90, SizeKm: []float64{0.3, 1.5}, Vertices: []int{8, 80}, Label: " Ash Pond", LabelHi: " राख तालाब",
				Values: map[string][]string{"status": {"Active", "Active", "Abandoned", "Reclaimed"}},
				Ranges: map[string][2]float64{"ash_stored_mt": {1, 60}, "utilisation_pct": {40, 110}}},
		},
		{
			id: "solar_parks_on_mine_land", title: "Solar projects on mined-out land", hi: "खनन भूमि पर सौर परियोजनाएं",
			desc: "Solar power projects of the coal companies on reclaimed and decoaled land.",
			cat:  layers.Power, kw: []string{"solar", "renewable", "mine land", "net zero"},
			org: "mnre", geom: layers.Polygon, scale: "1:5,000", acc: "±5 m",
			lineage: "Project layouts of the coal companies.", source: "Ministry of Coal net-zero programme",
			attrs: attrs(named, one(aMW, txt("developer", "Developer", "विकासकर्ता", "Project developer."), aStatus, aBlockID, aBlockName, aAreaHa)),
			freq:  "quarterly", zoom: [2]int{9, 22}, style: fill("#f57f17", "#ffeb3b", 0.5, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorMines, Count: 60, SizeKm: []float64{0.2, 1}, Vertices: []int{4, 20}, Label: " Solar Project", LabelHi: " सौर परियोजना",
				Values: map[string][]string{"developer": {"Coal India Ltd", "NLC India Ltd", "NTPC Renewable Energy Ltd", "Singareni Collieries Company Ltd"}, "status": {"Commissioned", "Under construction", "Proposed"}},
				Ranges: map[string][2]float64{"capacity_mw": {5, 300}}},
		},
		{
			id: "hydro_power_plants", title: "Hydro power stations", hi: "जल विद्युत स्टेशन",
			desc: "Hydro power stations in the coal belt.",
			cat:  layers.Power, kw: []string{"hydro", "dam", "power station"},
			org: "cea", geom: layers.Point, scale: "1:25,000", acc: "±100 m",
			lineage: "CEA hydro installed capacity list.", source: "CEA",
			attrs: attrs(named, one(aMW, aOwner, aStatus, aState, aDistrict)),
			freq:  "annually", zoom: [2]int{5, 22}, style: withIcon(dot("#0288d1", 6), "power"),
			gen: Generator{Kind: KindPoints, Filter: AnchorBelt, Count: 25, Label: " HEP", LabelHi: " जल विद्युत परियोजना",
				Values: map[string][]string{"owner": {"NHPC Ltd", "State genco", "Damodar Valley Corporation"}, "status": {"Operational"}},
				Ranges: map[string][2]float64{"capacity_mw": {10, 400}}},
		},
	}...)
}
