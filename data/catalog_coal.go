package data

import "github.com/coalmap/coalmap/layers"

// Coal resources, mining operations, coal logistics and land: the Ministry of
// Coal's own layers.

var (
	aBasin       = txt("basin", "Basin", "बेसिन", "Geological basin (Gondwana or Tertiary).")
	aAllocCat    = txt("allocation_category", "Allocation category", "आवंटन श्रेणी", "CIL block, allocated by auction or allotment, offered for auction, or unallocated.")
	aAllocatee   = txt("allocatee", "Allocatee", "आवंटिती", "Company the block is allocated to (the CIL subsidiary for CIL blocks).")
	aEndUse      = txt("end_use", "End use", "अंतिम उपयोग", "Specified end use (power, iron and steel, cement…) or commercial mining.")
	aMineType    = txt("mine_type", "Mine type", "खदान का प्रकार", "Opencast, underground or mixed.")
	aGrade       = txt("grade", "Coal grade", "कोयला ग्रेड", "Dominant grade of the coal (GCV band G1–G17).")
	aExpl        = txt("exploration_status", "Exploration status", "अन्वेषण स्थिति", "Explored, partly explored or regionally explored (CMPDI classification).")
	aPRC         = num("pprc_mtpa", "Peak rated capacity", "Mtpa", "शिखर निर्धारित क्षमता", "Peak rated capacity of the approved mining plan.")
	aAllocDate   = date("allocation_date", "Allocation date", "आवंटन तिथि", "Date of the vesting or allotment order (null if not allocated).")
	aTranche     = integer("tranche", "Auction tranche", "", "नीलामी चरण", "Commercial auction tranche (0: not auctioned commercially).")
	aGR          = num("geological_resource_mt", "Geological resource", "Mt", "भूवैज्ञानिक संसाधन", "Total geological resource of the block.")
	aCode        = txt("code", "Code", "कोड", "Custodian's identifier of the record.")
	aCapMtpa     = num("capacity_mtpa", "Capacity", "Mtpa", "क्षमता", "Rated capacity in million tonnes per annum.")
	aCommYear    = integer("commissioned_year", "Year commissioned", "", "चालू होने का वर्ष", "Year the asset was commissioned.")
	aTargetDate  = date("target_date", "Target date", "लक्ष्य तिथि", "Scheduled completion date.")
	aAgency      = txt("agency", "Agency", "एजेंसी", "Agency that did the work.")
	aNotifNo     = txt("notification_no", "Notification (S.O.) number", "अधिसूचना संख्या", "Statutory order number of the Gazette notification.")
	aGazetteDate = date("gazette_date", "Gazette date", "राजपत्र तिथि", "Date of publication in the Gazette of India.")
	aVillages    = integer("villages_count", "Villages covered", "", "गांवों की संख्या", "Number of villages whose land the notification covers.")
	aSection     = txt("cba_section", "CBA Act section", "सीबीए अधिनियम धारा", "Section of the Coal Bearing Areas (Acquisition and Development) Act, 1957.")
)

var blockAttrs = attrs(named, one(aCoalfield, aState, aDistrict, aAllocCat, aAllocatee, aEndUse, aStatus, aMineType, aGrade, aExpl, aArea, aPRC, aAllocDate, aTranche, aRemarks))

func blockLayer(id, title, hi, desc, filter string, style layers.Style) spec {
	return spec{
		id: id, title: title, hi: hi, desc: desc, cat: layers.CoalResources,
		kw:  []string{"coal block", "CMPDI", "allocation", "CMSP Act", "MMDR Act", "coalfield"},
		org: "cmpdi", geom: layers.MultiPolygon, crs: "EPSG:32644 (UTM 44N) / EPSG:32645 (UTM 45N)",
		scale: "1:10,000", acc: "±5 m (DGPS survey of boundary pillars)",
		lineage: "Block boundaries digitised by CMPDI from geological reports and DGPS pillar surveys; allocation data from the Nominated Authority.",
		source:  "CMPDI coal block register; Nominated Authority allocation records",
		attrs:   blockAttrs, freq: "monthly", zoom: [2]int{5, 20}, style: style,
		gen: Generator{Kind: KindBlocks, Filter: filter},
	}
}

func coalSpecs() []spec {
	return []spec{
		{
			id: "coalfields", title: "Coalfield boundaries", hi: "कोयला क्षेत्र सीमाएं",
			desc: "Outer boundaries of India's Gondwana and Tertiary coalfields as mapped by GSI and CMPDI.",
			cat:  layers.CoalResources, kw: []string{"coalfield", "Gondwana", "GSI", "CMPDI", "boundary"},
			org: "gsi", geom: layers.MultiPolygon, crs: "EPSG:4146 (Kalianpur 1975)", scale: "1:250,000", acc: "±250 m",
			lineage: "Compiled from GSI Bulletin A-45 and CMPDI coalfield maps, re-projected to WGS 84.", source: "GSI, Inventory of Indian Coal Resources",
			attrs: attrs(named, one(aState, aSubsid, aBasin, aArea)), freq: "irregular", zoom: [2]int{3, 16},
			style: fill("#3b3b3b", "#595959", 0.15, 1.5), gen: Generator{Kind: KindCoalfields, Filter: "coal"},
		},
		{
			id: "lignite_fields", title: "Lignite fields", hi: "लिग्नाइट क्षेत्र",
			desc: "Tertiary lignite fields of Tamil Nadu, Rajasthan and Gujarat.",
			cat:  layers.CoalResources, kw: []string{"lignite", "Tertiary", "Neyveli", "Barmer", "Kutch"},
			org: "gsi", geom: layers.MultiPolygon, scale: "1:250,000", acc: "±250 m",
			lineage: "Compiled from GSI lignite inventory maps.", source: "GSI lignite inventory",
			attrs: attrs(named, one(aState, aSubsid, aBasin, aArea)), freq: "irregular", zoom: [2]int{3, 16},
			style: fill("#6b4f2a", "#8c6d3f", 0.2, 1.5), gen: Generator{Kind: KindCoalfields, Filter: "lignite"},
		},
		blockLayer("coal_blocks", "Coal blocks", "कोयला ब्लॉक", "All coal blocks of the CMPDI register: CIL blocks, allocated blocks, blocks offered for auction and unallocated blocks. The layer alignments are checked against.", "coal", fill("#000000", "#2f2f2f", 0.35, 1.2)),
		blockLayer("coal_blocks_allocated", "Coal blocks – allocated", "कोयला ब्लॉक – आवंटित", "Coal blocks allocated under the CMSP Act 2015 and the MMDR Act (auction or allotment).", "allocated", fill("#7a0019", "#b3002d", 0.35, 1.2)),
		blockLayer("coal_blocks_auctioned", "Coal blocks – auctioned", "कोयला ब्लॉक – नीलाम", "Coal blocks vested or allotted through auction, including the commercial auction tranches since 2020.", "auctioned", fill("#9c27b0", "#ba68c8", 0.35, 1.2)),
		blockLayer("coal_blocks_allotted", "Coal blocks – allotted to government companies", "कोयला ब्लॉक – सरकारी कंपनियों को आबंटित", "Coal blocks allotted to central and state government companies without auction.", "allotted", fill("#1565c0", "#64b5f6", 0.35, 1.2)),
		blockLayer("coal_blocks_cil", "Coal blocks – Coal India Ltd", "कोयला ब्लॉक – कोल इंडिया लिमिटेड", "Blocks held by Coal India Ltd and its subsidiaries (NCL, SECL, MCL, BCCL, CCL, ECL, WCL).", "cil", fill("#e65100", "#ff9800", 0.35, 1.2)),
		blockLayer("coal_blocks_captive", "Coal blocks – captive (specified end use)", "कोयला ब्लॉक – कैप्टिव", "Allocated blocks tied to a specified end use plant (power, steel, cement, aluminium, sponge iron).", "captive", fill("#2e7d32", "#66bb6a", 0.35, 1.2)),
		blockLayer("coal_blocks_offered", "Coal blocks – offered for auction or unallocated", "कोयला ब्लॉक – नीलामी हेतु प्रस्तावित या अनावंटित", "Blocks available for allocation: offered in a commercial auction tranche, or not yet allocated.", "offered", fill("#f9a825", "#fff176", 0.35, 1.2)),
		blockLayer("coal_blocks_explored", "Coal blocks – explored", "कोयला ब्लॉक – अन्वेषित", "Blocks with detailed exploration complete and a geological report approved.", "explored", fill("#00695c", "#4db6ac", 0.3, 1.2)),
		blockLayer("coal_blocks_unexplored", "Coal blocks – regionally or partly explored", "कोयला ब्लॉक – क्षेत्रीय/आंशिक अन्वेषित", "Blocks where only regional or partial exploration has been done.", "unexplored", fill("#5d4037", "#a1887f", 0.3, 1.2)),
		func() spec {
			s := blockLayer("lignite_blocks", "Lignite blocks", "लिग्नाइट ब्लॉक", "Lignite blocks of Tamil Nadu, Rajasthan and Gujarat.", "lignite", fill("#6d4c41", "#a1887f", 0.35, 1.2))
			s.kw = []string{"lignite", "block", "NLC", "GMDC", "RSMML"}
			return s
		}(),
		{
			id: "geological_resource_estimates", title: "Geological resource estimates by block", hi: "ब्लॉक-वार भूवैज्ञानिक संसाधन अनुमान",
			desc: "Proved, indicated and inferred coal resources of each explored or partly explored block, from the approved geological reports.",
			cat:  layers.CoalResources, kw: []string{"resource", "reserve", "UNFC", "geological report", "proved", "indicated", "inferred"},
			org: "cmpdi", geom: layers.MultiPolygon, scale: "1:10,000", acc: "±5 m",
			lineage: "Resource figures from CMPDI/GSI geological reports (ISP 2023 format); boundaries as in coal_blocks.", source: "CMPDI geological reports",
			attrs: attrs(named, one(aCoalfield, aState, aExpl,
				num("proved_mt", "Proved", "Mt", "प्रमाणित", "Proved resource."),
				num("indicated_mt", "Indicated", "Mt", "संकेतित", "Indicated resource."),
				num("inferred_mt", "Inferred", "Mt", "अनुमानित", "Inferred resource."),
				num("total_mt", "Total resource", "Mt", "कुल संसाधन", "Total geological resource."),
				num("extractable_reserve_mt", "Extractable reserve", "Mt", "निष्कर्षण योग्य भंडार", "Extractable reserve of the mining plan."),
				aGrade,
				integer("seam_count", "Seams", "", "सीम संख्या", "Number of workable seams."),
				integer("max_depth_m", "Maximum depth", "m", "अधिकतम गहराई", "Depth of the deepest workable seam."),
				integer("report_year", "Report year", "", "रिपोर्ट वर्ष", "Year the geological report was approved."),
				aArea)),
			access: layers.Restricted, freq: "annually", zoom: [2]int{6, 20},
			style: fill("#4a148c", "#7b1fa2", 0.3, 1), gen: Generator{Kind: KindBlocks, Filter: "resources"},
		},
		{
			id: "exploration_boreholes", title: "Exploration boreholes", hi: "अन्वेषण बोरहोल",
			desc: "Boreholes drilled in detailed exploration of coal blocks, with depth and seams intersected.",
			cat:  layers.CoalResources, kw: []string{"borehole", "drilling", "exploration", "CMPDI", "MECL"},
			org: "cmpdi", geom: layers.Point, crs: "EPSG:32644 / EPSG:32645", scale: "1:10,000", acc: "±1 m (DGPS collar survey)",
			lineage: "Collar coordinates and logs from CMPDI's borehole database.", source: "CMPDI borehole database",
			attrs: attrs(one(aCode, aBlockID, aBlockName, aCoalfield, aAgency,
				integer("drilling_year", "Year drilled", "", "ड्रिलिंग वर्ष", "Year drilling was completed."),
				num("depth_m", "Depth", "m", "गहराई", "Total depth drilled."),
				integer("seams_intersected", "Seams intersected", "", "प्रतिच्छेदित सीम", "Number of coal seams intersected."),
				num("coal_thickness_m", "Cumulative coal thickness", "m", "कुल कोयला मोटाई", "Total thickness of coal intersected."),
				num("collar_rl_m", "Collar RL", "m", "कॉलर स्तर", "Reduced level of the collar above mean sea level."),
				txt("hole_type", "Hole type", "छेद का प्रकार", "Core or non-core drilling."))),
			access: layers.Restricted, freq: "quarterly", zoom: [2]int{10, 22}, style: dot("#4a148c", 3),
			gen: Generator{Kind: KindPoints, Filter: AnchorBlocks, Count: 20000,
				Values: map[string][]string{"agency": {"CMPDI", "CMPDI", "MECL", "GSI", "SCCL", "Contractual (CMPDI supervised)"}, "hole_type": {"Core", "Core", "Non-core"}},
				Ranges: map[string][2]float64{"drilling_year": {1975, 2024}, "depth_m": {40, 900}, "seams_intersected": {0, 18}, "coal_thickness_m": {0, 65}, "collar_rl_m": {150, 560}}},
		},
		{
			id: "regional_exploration_boreholes", title: "Regional exploration boreholes (GSI)", hi: "क्षेत्रीय अन्वेषण बोरहोल (जीएसआई)",
			desc: "Widely spaced boreholes of GSI's regional and promotional exploration.",
			cat:  layers.CoalResources, kw: []string{"borehole", "regional exploration", "GSI", "promotional"},
			org: "gsi", geom: layers.Point, scale: "1:50,000", acc: "±10 m",
			lineage: "GSI regional exploration reports; coordinates from field sheets.", source: "GSI Online Core Repository",
			attrs: attrs(one(aCode, aCoalfield, aState, aDistrict,
				integer("drilling_year", "Year drilled", "", "ड्रिलिंग वर्ष", "Year drilling was completed."),
				num("depth_m", "Depth", "m", "गहराई", "Total depth drilled."),
				integer("seams_intersected", "Seams intersected", "", "प्रतिच्छेदित सीम", "Number of coal seams intersected."))),
			access: layers.Restricted, freq: "annually", zoom: [2]int{8, 22}, style: dot("#6a1b9a", 3),
			gen: Generator{Kind: KindPoints, Filter: AnchorNear, Count: 3000,
				Ranges: map[string][2]float64{"drilling_year": {1960, 2024}, "depth_m": {100, 1200}, "seams_intersected": {0, 14}}},
		},
		{
			id: "coal_seam_outcrops", title: "Coal seam outcrops / incrop lines", hi: "कोयला सीम आउटक्रॉप",
			desc: "Surface traces of coal seams mapped in geological surveys.",
			cat:  layers.GeologyHydrology, kw: []string{"seam", "outcrop", "incrop", "geology"},
			org: "gsi", geom: layers.LineString, scale: "1:50,000", acc: "±25 m",
			lineage: "Digitised from GSI geological quadrangle maps.", source: "GSI geological quadrangle maps",
			attrs: attrs(one(txt("seam_name", "Seam", "सीम", "Name of the seam."),
				num("dip_deg", "Dip", "degree", "नति", "Dip of the seam."),
				num("thickness_m", "Thickness", "m", "मोटाई", "Seam thickness at the outcrop."), aCoalfield, aLength)),
			freq: "notPlanned", zoom: [2]int{9, 20}, style: stroke("#212121", 1.5),
			gen: Generator{Kind: KindLines, Filter: AnchorFields, Count: 800, SizeKm: []float64{1, 12}, StepKm: 0.05,
				Values: map[string][]string{"seam_name": {"Turra", "Purewa Top", "Purewa Bottom", "Kotta", "Jhingurdah", "Seam III", "Seam IV", "Lajkura", "Rampur", "Ib", "Belpahar", "Parkhani", "Dishergarh", "Kajora"}},
				Ranges: map[string][2]float64{"dip_deg": {2, 15}, "thickness_m": {0.5, 25}}},
		},
		{
			id: "geological_faults", title: "Geological faults", hi: "भूवैज्ञानिक भ्रंश",
			desc: "Faults mapped in and around the coalfields, with throw where known.",
			cat:  layers.GeologyHydrology, kw: []string{"fault", "structure", "geology"},
			org: "gsi", geom: layers.LineString, scale: "1:50,000", acc: "±50 m",
			lineage: "GSI structural maps and CMPDI block reports.", source: "GSI structural maps",
			attrs: attrs(one(txt("fault_type", "Fault type", "भ्रंश प्रकार", "Normal, reverse or strike-slip."),
				num("throw_m", "Throw", "m", "थ्रो", "Vertical displacement."),
				txt("certainty", "Certainty", "निश्चितता", "Observed or inferred."), aCoalfield, aLength)),
			freq: "notPlanned", zoom: [2]int{8, 20}, style: stroke("#d50000", 1.2, 6, 3),
			gen: Generator{Kind: KindLines, Filter: AnchorNear, Count: 600, SizeKm: []float64{2, 30}, StepKm: 0.1,
				Values: map[string][]string{"fault_type": {"Normal", "Normal", "Reverse", "Strike-slip"}, "certainty": {"Observed", "Inferred"}},
				Ranges: map[string][2]float64{"throw_m": {2, 150}}},
		},
		{
			id: "cbm_blocks", title: "Coal bed methane blocks", hi: "कोल बेड मीथेन ब्लॉक",
			desc: "Blocks awarded for coal bed methane exploration and production.",
			cat:  layers.CoalResources, kw: []string{"CBM", "coal bed methane", "DGH", "gas"},
			org: "dgh", geom: layers.MultiPolygon, scale: "1:50,000", acc: "±50 m",
			lineage: "DGH CBM block maps (CBM rounds I–IV and special rounds).", source: "DGH",
			attrs: attrs(named, one(aCoalfield, aState, txt("operator", "Operator", "संचालक", "Block operator."),
				txt("bid_round", "Bid round", "बोली दौर", "CBM bid round."), aStatus, aArea)),
			freq: "annually", zoom: [2]int{5, 18}, style: fill("#00838f", "#4dd0e1", 0.2, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorFields, Count: 40, SizeKm: []float64{5, 12}, Vertices: []int{60, 400},
				Values: map[string][]string{"operator": {"ONGC", "Essar Oil and Gas Exploration and Production Ltd", "Reliance Industries Ltd", "Coal India Ltd", "Deep Industries Ltd"}, "bid_round": {"CBM-I", "CBM-II", "CBM-III", "CBM-IV", "Special CBM Bid Round 2021"}, "status": {"Producing", "Exploration", "Relinquished"}}},
		},
		{
			id: "coal_quality_sampling_points", title: "Coal quality sampling points", hi: "कोयला गुणवत्ता नमूना बिंदु",
			desc: "Third-party sampling points with the latest analysed gross calorific value and ash.",
			cat:  layers.CoalResources, kw: []string{"quality", "GCV", "ash", "third party sampling", "grade"},
			org: "moc", geom: layers.Point, scale: "1:10,000", acc: "±10 m",
			lineage: "Third-party sampling agencies' results reported to the Coal Controller's Organisation.", source: "Coal Controller's Organisation",
			attrs: attrs(one(aCode, aBlockID, aBlockName,
				num("gcv_kcal_kg", "GCV", "kcal/kg", "सकल कैलोरी मान", "Gross calorific value (equilibrated basis)."),
				num("ash_pct", "Ash", "%", "राख", "Ash content."),
				num("moisture_pct", "Moisture", "%", "नमी", "Total moisture."), aGrade,
				date("sampled_on", "Sampled on", "नमूना तिथि", "Date of sampling."), aAgency)),
			freq: "monthly", zoom: [2]int{10, 22}, style: dot("#ff6f00", 3),
			gen: Generator{Kind: KindPoints, Filter: AnchorMines, Count: 3000,
				Values: map[string][]string{"agency": {"CIMFR", "Quality Council of India", "SGS India", "Bureau Veritas India"}},
				Ranges: map[string][2]float64{"gcv_kcal_kg": {2800, 6200}, "ash_pct": {22, 48}, "moisture_pct": {3, 12}, "sampled_on": {2022, 2025}}},
		},
		{
			id: "exploration_programme_areas", title: "Exploration programme areas", hi: "अन्वेषण कार्यक्रम क्षेत्र",
			desc: "Areas in the exploration programme of the Ministry of Coal (promotional and detailed drilling).",
			cat:  layers.ProposedProjects, kw: []string{"exploration", "programme", "promotional", "detailed drilling"},
			org: "moc", geom: layers.Polygon, scale: "1:50,000", acc: "±50 m", status: "planned",
			lineage: "Annual exploration programme approved by the Ministry of Coal.", source: "Ministry of Coal exploration programme",
			attrs: attrs(named, one(aCoalfield, aState, txt("programme", "Programme", "कार्यक्रम", "Promotional (regional) or detailed exploration."), aAgency,
				integer("planned_boreholes", "Planned boreholes", "", "नियोजित बोरहोल", "Boreholes planned."),
				num("planned_metreage_m", "Planned metreage", "m", "नियोजित मीटरेज", "Total drilling planned."),
				integer("target_year", "Target year", "", "लक्ष्य वर्ष", "Year the programme is to be completed."), aArea)),
			freq: "annually", zoom: [2]int{6, 18}, style: fill("#1b5e20", "#a5d6a7", 0.2, 1),
			gen: Generator{Kind: KindPolygons, Filter: AnchorNear, Count: 120, SizeKm: []float64{1.5, 5}, Vertices: []int{30, 300},
				Values: map[string][]string{"programme": {"Promotional (regional)", "Detailed (CIL blocks)", "Detailed (non-CIL blocks)"}, "agency": {"CMPDI", "MECL", "GSI", "SCCL"}},
				Ranges: map[string][2]float64{"planned_boreholes": {20, 220}, "planned_metreage_m": {5000, 90000}, "target_year": {2025, 2030}}},
		},
	}
}
