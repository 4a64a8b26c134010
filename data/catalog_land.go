package data

import "github.com/coalmap/coalmap/layers"

func cbaLayer(section, title, hi, desc string, anchor string, count int, extra ...layers.Attribute) spec {
	id := "cba_section" + section + "_notifications"
	return spec{
		id: id, title: title, hi: hi, desc: desc, cat: layers.Land,
		kw:  []string{"CBA Act", "Coal Bearing Areas Act 1957", "land acquisition", "notification", "section " + section},
		org: "cba", geom: layers.MultiPolygon, crs: "EPSG:32644 / EPSG:32645 (schedule plans)", scale: "1:4,000 (schedule plans)", acc: "±5 m",
		lineage: "Schedules of the Gazette notifications georeferenced on village cadastral maps by CMPDI.", source: "Gazette of India, Part II Section 3(ii)",
		attrs:  attrs(one(aNotifNo, aGazetteDate, aSection, aSubsid, aVillages, aState, aDistrict, aAreaHa), extra),
		access: layers.Restricted, freq: "asNeeded", zoom: [2]int{8, 22},
		style: fill("#ad1457", "#f06292", 0.2, 1.2),
		gen: Generator{Kind: KindPolygons, Filter: anchor, Count: count, SizeKm: []float64{0.8, 4}, Vertices: []int{12, 240},
			Values: map[string][]string{"cba_section": {section + "(1)"}}, Ranges: map[string][2]float64{"gazette_date": {1985, 2025}, "villages_count": {1, 25}}},
	}
}

func landSpecs() []spec {
	s4 := cbaLayer("4", "CBA Act section 4 notifications (prospecting)", "सीबीए अधिनियम धारा 4 अधिसूचनाएं (पूर्वेक्षण)",
		"Areas notified under section 4(1) of the CBA Act, where coal is likely to be obtained and prospecting may be done.", AnchorNear, 250,
		date("prospecting_valid_till", "Prospecting valid till", "पूर्वेक्षण वैधता", "Two years from the notification, unless extended."))
	s4.gen.SizeKm = []float64{2, 7}
	s7 := cbaLayer("7", "CBA Act section 7 notifications (intention to acquire)", "सीबीए अधिनियम धारा 7 अधिसूचनाएं (अधिग्रहण का आशय)",
		"Land notified under section 7(1): the Central Government's intention to acquire land or rights in it.", AnchorBlocks, 300,
		date("objections_due", "Objections due", "आपत्ति अंतिम तिथि", "Last date for objections (30 days)."))
	s9 := cbaLayer("9", "CBA Act section 9 notifications (declaration of acquisition)", "सीबीए अधिनियम धारा 9 अधिसूचनाएं (अधिग्रहण की घोषणा)",
		"Land declared acquired under section 9(1); it vests in the Central Government free of encumbrances.", AnchorBlocks, 260,
		txt("rights_acquired", "Rights acquired", "अर्जित अधिकार", "Land, or mining rights only."))
	s9.gen.Values["rights_acquired"] = []string{"Land", "Land", "Mining rights"}
	s11 := cbaLayer("11", "CBA Act section 11 notifications (vesting in a government company)", "सीबीए अधिनियम धारा 11 अधिसूचनाएं (सरकारी कंपनी में निहित)",
		"Land vested under section 11(1) in a government company (a CIL subsidiary, NTPC, a state PSU).", AnchorBlocks, 220,
		txt("vested_in", "Vested in", "निहित", "Government company the land vests in."))
	return []spec{
		s4, s7, s9, s11,
		{
			id: "land_acquired_rfctlarr", title: "Land acquired under the RFCTLARR Act 2013", hi: "आरएफसीटीएलएआरआर अधिनियम 2013 के अंतर्गत अर्जित भूमि",
			desc: "Land acquired for coal projects through the states under the Right to Fair Compensation Act 2013.",
			cat:  layers.Land, kw: []string{"land acquisition", "RFCTLARR", "compensation", "award"},
			org: "state", geom: layers.Polygon, scale: "1:4,000", acc: "±5 m",
			lineage: "Collectors' awards, parcels merged per award.", source: "District land acquisition offices",
			attrs: attrs(one(aCode, aBlockID, aBlockName, date("award_date", "Award date", "अवार्ड तिथि", "Date of the Collector's award."),
				num("compensation_crore", "Compensation", "₹ crore", "मुआवज़ा", "Compensation awarded."),
				integer("families_displaced", "Families displaced", "", "विस्थापित परिवार", "Families to be resettled."), aAreaHa)),
			access: layers.Restricted, freq: "asNeeded", zoom: [2]int{9, 22}, style: fill("#6a1b9a", "#ce93d8", 0.25, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorMines, Count: 250, SizeKm: []float64{0.3, 2}, Vertices: []int{10, 120},
				Ranges: map[string][2]float64{"award_date": {2015, 2025}, "compensation_crore": {2, 600}, "families_displaced": {0, 1500}}},
		},
		{
			id: "forest_diversion_proposals", title: "Forest land diversion proposals (Van Sanrakshan Adhiniyam)", hi: "वन भूमि व्यपवर्तन प्रस्ताव",
			desc: "Forest land proposed or approved for diversion to coal mining under the Van (Sanrakshan Evam Samvardhan) Adhiniyam 1980, from PARIVESH.",
			cat:  layers.Environment, kw: []string{"forest clearance", "FC Act", "PARIVESH", "stage I", "stage II", "diversion"},
			org: "moefcc", geom: layers.Polygon, crs: "EPSG:4326 (KML from PARIVESH)", scale: "1:10,000", acc: "±10 m",
			lineage: "KML boundaries uploaded by user agencies to PARIVESH.", source: "PARIVESH",
			attrs: attrs(one(aCode, txt("stage", "Stage", "चरण", "Stage of the proposal."), txt("user_agency", "User agency", "उपयोगकर्ता एजेंसी", "Applicant."),
				num("ca_land_ha", "Compensatory afforestation land", "ha", "प्रतिपूरक वनीकरण भूमि", "Land offered for compensatory afforestation."),
				date("approved_on", "Approved on", "स्वीकृति तिथि", "Date of the latest approval."), aBlockID, aBlockName, aAreaHa)),
			freq: "weekly", zoom: [2]int{8, 22}, style: fill("#2e7d32", "#a5d6a7", 0.3, 1.2),
			gen: Generator{Kind: KindPolygons, Filter: AnchorBlocks, Count: 300, SizeKm: []float64{0.5, 3}, Vertices: []int{20, 500},
				Values: map[string][]string{"stage": {"Stage-I approved", "Stage-II approved", "Pending at state", "Pending at MoEFCC", "In-principle"}, "user_agency": {"South Eastern Coalfields Ltd", "Mahanadi Coalfields Ltd", "NTPC Ltd", "Adani Enterprises Ltd (MDO)", "Northern Coalfields Ltd", "Hindalco Industries Ltd"}},
				Ranges: map[string][2]float64{"ca_land_ha": {10, 2000}, "approved_on": {2012, 2025}}},
		},
		{
			id: "land_parcels_cadastral", title: "Cadastral land parcels in coal blocks", hi: "कोयला ब्लॉकों में भू-अभिलेख खसरा",
			desc: "Digitised cadastral parcels (khasra) inside coal blocks, with ownership class. Land records: restricted.",
			cat:  layers.Land, kw: []string{"cadastral", "khasra", "land records", "DILRMP", "Bhu-Naksha"},
			org: "dolr", geom: layers.Polygon, crs: "EPSG:32644 / EPSG:32645", scale: "1:4,000", acc: "±2 m",
			lineage: "Bhu-Naksha village maps georeferenced by the states under DILRMP.", source: "State Bhu-Naksha",
			attrs: attrs(one(txt("khasra_no", "Khasra number", "खसरा संख्या", "Plot number in the village record."), txt("village", "Village", "गांव", "Revenue village."),
				txt("owner_type", "Ownership", "स्वामित्व", "Private (raiyati), government, forest or community land."),
				txt("land_class", "Land class", "भूमि वर्ग", "Land use class in the record."), txt("mutation_status", "Mutation", "नामांतरण", "Whether the record is mutated in the company's name."),
				aBlockID, aBlockName, aState, aDistrict, aAreaHa)),
			access: layers.Restricted, freq: "asNeeded", zoom: [2]int{13, 22}, style: fill("#5d4037", "#efebe9", 0.1, 0.6),
			gen: Generator{Kind: KindPolygons, Filter: AnchorBlocks, Count: 8000, SizeKm: []float64{0.04, 0.18}, Vertices: []int{5, 14},
				Values: map[string][]string{"khasra_no": {"12", "47/2", "105", "233/1", "318", "402/3", "56/1", "611", "89", "764/2"}, "owner_type": {"Private (raiyati)", "Private (raiyati)", "Government", "Forest", "Gair mazarua (community)"}, "land_class": {"Agricultural", "Agricultural", "Homestead", "Barren", "Forest", "Water body"}, "mutation_status": {"Mutated", "Pending", "Not applied"}}},
		},
		{
			id: "government_land_banks", title: "Government land banks", hi: "सरकारी भूमि बैंक",
			desc: "Government land identified for compensatory afforestation, resettlement, solar parks and industry.",
			cat:  layers.Land, kw: []string{"land bank", "government land", "compensatory afforestation", "wasteland"},
			org: "state", geom: layers.Polygon, scale: "1:10,000", acc: "±10 m",
			lineage: "State land bank portals.", source: "State industrial and revenue departments",
			attrs: attrs(one(aCode, txt("land_type", "Land type", "भूमि प्रकार", "Category of land."), txt("available_for", "Available for", "उपलब्ध प्रयोजन", "Intended use."), aState, aDistrict, aAreaHa)),
			freq:  "quarterly", zoom: [2]int{8, 22}, style: fill("#827717", "#e6ee9c", 0.3, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorBelt, Count: 150, SizeKm: []float64{0.3, 2}, Vertices: []int{8, 150},
				Values: map[string][]string{"land_type": {"Revenue wasteland", "Degraded forest", "Acquired but unused", "Decoaled land"}, "available_for": {"Compensatory afforestation", "R&R colony", "Solar park", "Industrial park"}}},
		},
		{
			id: "rr_colonies", title: "Rehabilitation and resettlement colonies", hi: "पुनर्वास एवं पुनर्स्थापन कॉलोनियां",
			desc: "Colonies built for families displaced by coal projects.",
			cat:  layers.Settlements, kw: []string{"R&R", "rehabilitation", "resettlement", "displaced families"},
			org: "ccl", geom: layers.Polygon, scale: "1:5,000", acc: "±5 m",
			lineage: "R&R plans of the coal companies; layouts georeferenced.", source: "Coal companies' R&R cells",
			attrs: attrs(named, one(integer("families_resettled", "Families resettled", "", "पुनर्स्थापित परिवार", "Families living in the colony."),
				integer("plots", "Plots", "", "भूखंड", "Residential plots laid out."), txt("amenities", "Amenities", "सुविधाएं", "Main amenities."), aYear, aSubsid, aAreaHa)),
			freq: "annually", zoom: [2]int{10, 22}, style: fill("#ef6c00", "#ffcc80", 0.4, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorNear, Count: 90, SizeKm: []float64{0.2, 0.8}, Vertices: []int{6, 60}, Label: " R&R Colony", LabelHi: " पुनर्वास कॉलोनी",
				Values: map[string][]string{"amenities": {"School, health centre, market", "Community hall, water supply", "School, playground, temple", "Skill centre, bank"}},
				Ranges: map[string][2]float64{"families_resettled": {40, 1500}, "plots": {50, 1800}, "year": {1985, 2025}}},
		},
		{
			id: "project_affected_villages", title: "Project-affected villages", hi: "परियोजना प्रभावित गांव",
			desc: "Villages whose land lies in coal blocks, with households and R&R status.",
			cat:  layers.Settlements, kw: []string{"project affected", "PAF", "R&R", "village"},
			org: "ccl", geom: layers.Point, scale: "1:10,000", acc: "±50 m",
			lineage: "Socio-economic surveys of the R&R plans.", source: "Coal companies' R&R cells",
			attrs: attrs(named, one(integer("households", "Households", "", "परिवार", "Households in the village."), integer("population", "Population", "persons", "जनसंख्या", "Population (Census 2011, updated by survey)."),
				num("st_pct", "Scheduled Tribes", "%", "अनुसूचित जनजाति", "Share of Scheduled Tribe population."), txt("rr_status", "R&R status", "पुनर्वास स्थिति", "Stage of rehabilitation."), aBlockID, aBlockName, aState, aDistrict)),
			access: layers.Restricted, freq: "annually", zoom: [2]int{9, 22}, style: dot("#e65100", 4),
			gen: Generator{Kind: KindPoints, Filter: AnchorBlocks, Count: 900,
				Values: map[string][]string{"rr_status": {"Not started", "Survey done", "Compensation paid", "Resettled", "Partly resettled"}},
				Ranges: map[string][2]float64{"households": {20, 900}, "population": {100, 4500}, "st_pct": {0, 95}}},
		},
	}
}
