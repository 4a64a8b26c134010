package data

import "github.com/paulmach/orb"

// This file holds the real places the demo is built around: coalfields, coal
// blocks, power stations, rivers, protected areas. Locations are approximate
// (to within a few kilometres) and taken from public maps; every geometry
// drawn around them is synthetic.

// field is a coalfield or lignite field: an ellipse around a real centre.
type field struct {
	ID      string
	Name    string
	NameHi  string
	State   string
	Company string // the CIL subsidiary (or other PSU) that works it
	Lignite bool
	Center  orb.Point // [lon, lat]
	AxisKm  [2]float64
	RotDeg  float64 // rotation of the long axis, degrees anticlockwise from east
	Weight  float64 // share of the generated blocks
}

// fields are the coalfields and lignite fields, roughly at their real places.
var fields = []field{
	{"singrauli", "Singrauli", "सिंगरौली", "Madhya Pradesh", "NCL", false, orb.Point{82.45, 24.02}, [2]float64{48, 26}, 5, 10},
	{"sohagpur", "Sohagpur", "सोहागपुर", "Madhya Pradesh", "SECL", false, orb.Point{81.55, 23.25}, [2]float64{40, 22}, 20, 5},
	{"johilla", "Johilla", "जोहिला", "Madhya Pradesh", "SECL", false, orb.Point{80.95, 23.45}, [2]float64{14, 8}, 30, 1},
	{"pench_kanhan", "Pench-Kanhan", "पेंच-कन्हान", "Madhya Pradesh", "WCL", false, orb.Point{78.85, 22.15}, [2]float64{30, 12}, 15, 3},
	{"satpura", "Satpura (Pathakhera)", "सतपुड़ा (पाथाखेड़ा)", "Madhya Pradesh", "WCL", false, orb.Point{78.2, 22.12}, [2]float64{18, 9}, 0, 1},
	{"korba", "Korba", "कोरबा", "Chhattisgarh", "SECL", false, orb.Point{82.62, 22.32}, [2]float64{28, 18}, 20, 5},
	{"hasdeo_arand", "Hasdeo-Arand", "हसदेव-अरण्ड", "Chhattisgarh", "SECL", false, orb.Point{82.72, 22.78}, [2]float64{36, 20}, 15, 5},
	{"mand_raigarh", "Mand-Raigarh", "माँड-रायगढ़", "Chhattisgarh", "SECL", false, orb.Point{83.36, 22.16}, [2]float64{38, 30}, -20, 8},
	{"tatapani_ramkola", "Tatapani-Ramkola", "तातापानी-रामकोला", "Chhattisgarh", "SECL", false, orb.Point{83.35, 23.65}, [2]float64{26, 14}, 10, 3},
	{"chirimiri_sonhat", "Chirimiri-Sonhat", "चिरमिरी-सोनहत", "Chhattisgarh", "SECL", false, orb.Point{82.45, 23.28}, [2]float64{20, 10}, 0, 2},
	{"bisrampur", "Bisrampur", "बिश्रामपुर", "Chhattisgarh", "SECL", false, orb.Point{83.0, 23.05}, [2]float64{16, 9}, 0, 2},
	{"ib_valley", "Ib Valley", "इब घाटी", "Odisha", "MCL", false, orb.Point{83.78, 21.93}, [2]float64{36, 26}, -35, 8},
	{"talcher", "Talcher", "तालचेर", "Odisha", "MCL", false, orb.Point{85.05, 21.02}, [2]float64{34, 22}, -25, 9},
	{"jharia", "Jharia", "झरिया", "Jharkhand", "BCCL", false, orb.Point{86.33, 23.77}, [2]float64{20, 10}, 0, 5},
	{"raniganj", "Raniganj", "रानीगंज", "West Bengal", "ECL", false, orb.Point{87.12, 23.6}, [2]float64{40, 15}, 5, 6},
	{"east_bokaro", "East Bokaro", "पूर्वी बोकारो", "Jharkhand", "CCL", false, orb.Point{85.88, 23.78}, [2]float64{16, 7}, 0, 2},
	{"west_bokaro", "West Bokaro", "पश्चिमी बोकारो", "Jharkhand", "CCL", false, orb.Point{85.55, 23.8}, [2]float64{14, 7}, 0, 2},
	{"north_karanpura", "North Karanpura", "उत्तरी करनपुरा", "Jharkhand", "CCL", false, orb.Point{85.05, 23.86}, [2]float64{38, 18}, 0, 6},
	{"south_karanpura", "South Karanpura", "दक्षिणी करनपुरा", "Jharkhand", "CCL", false, orb.Point{85.35, 23.66}, [2]float64{18, 9}, 0, 2},
	{"ramgarh", "Ramgarh", "रामगढ़", "Jharkhand", "CCL", false, orb.Point{85.55, 23.62}, [2]float64{9, 5}, 0, 1},
	{"auranga", "Auranga", "औरंगा", "Jharkhand", "CCL", false, orb.Point{84.48, 23.75}, [2]float64{20, 11}, 0, 2},
	{"daltonganj", "Daltonganj", "डाल्टनगंज", "Jharkhand", "CCL", false, orb.Point{84.12, 24.08}, [2]float64{12, 7}, 0, 1},
	{"rajmahal", "Rajmahal", "राजमहल", "Jharkhand", "ECL", false, orb.Point{87.42, 24.75}, [2]float64{36, 14}, 80, 4},
	{"wardha_valley", "Wardha Valley", "वर्धा घाटी", "Maharashtra", "WCL", false, orb.Point{79.12, 20.05}, [2]float64{50, 22}, -40, 6},
	{"kamptee", "Kamptee", "कामठी", "Maharashtra", "WCL", false, orb.Point{79.2, 21.25}, [2]float64{16, 8}, 0, 1},
	{"godavari_valley", "Godavari Valley", "गोदावरी घाटी", "Telangana", "SCCL", false, orb.Point{80.15, 18.33}, [2]float64{95, 20}, -32, 7},
	{"makum", "Makum", "माकूम", "Assam", "NEC", false, orb.Point{95.78, 27.3}, [2]float64{16, 6}, 20, 1},
	{"neyveli", "Neyveli", "नेवेली", "Tamil Nadu", "NLC India", true, orb.Point{79.48, 11.57}, [2]float64{22, 14}, 0, 2},
	{"barmer", "Barmer", "बाड़मेर", "Rajasthan", "RSMML", true, orb.Point{71.42, 25.75}, [2]float64{40, 25}, 30, 2},
	{"bikaner", "Bikaner-Nagaur", "बीकानेर-नागौर", "Rajasthan", "RSMML", true, orb.Point{73.3, 27.9}, [2]float64{45, 20}, 0, 1},
	{"kutch", "Kutch (Panandhro)", "कच्छ (पानन्ध्रो)", "Gujarat", "GMDC", true, orb.Point{68.8, 23.65}, [2]float64{30, 15}, 20, 1},
	{"bhavnagar", "Bhavnagar", "भावनगर", "Gujarat", "GMDC", true, orb.Point{72.05, 21.7}, [2]float64{20, 10}, 0, 1},
	{"surat", "Surat (Tadkeshwar)", "सूरत (तडकेश्वर)", "Gujarat", "GMDC", true, orb.Point{73.1, 21.4}, [2]float64{16, 8}, 0, 1},
}

// namedBlock is a real coal block, near its real place.
type namedBlock struct {
	ID        string
	Name      string
	NameHi    string
	Field     string
	Center    orb.Point
	RadiusKm  float64
	Allocatee string // "" for CIL blocks worked by the field's subsidiary
	Category  string // one of blockCategories
	EndUse    string
	District  string
}

// Allocation categories of a coal block.
const (
	catCIL       = "CIL"
	catAuction   = "Allocated (auction)"
	catAllotment = "Allocated (allotment)"
	catOffered   = "Offered for auction"
	catUnalloc   = "Unallocated"
)

var blockCategories = []string{catCIL, catAuction, catAllotment, catOffered, catUnalloc}

// namedBlocks are the real blocks the demo's real cases and tests rely on.
var namedBlocks = []namedBlock{
	// Singrauli (Madhya Pradesh)
	{"dhirauli", "Dhirauli", "धिरौली", "singrauli", orb.Point{82.33, 23.95}, 3.0, "Stratatech Mineral Resources Pvt Ltd", catAuction, "Commercial", "Singrauli"},
	{"mahan", "Mahan", "महान", "singrauli", orb.Point{82.24, 24.13}, 2.6, "Mahan Energen Ltd", catAuction, "Power", "Singrauli"},
	{"amelia-north", "Amelia (North)", "अमेलिया (उत्तर)", "singrauli", orb.Point{82.40, 24.05}, 2.0, "Jaiprakash Power Ventures Ltd", catAuction, "Power", "Singrauli"},
	{"amelia", "Amelia", "अमेलिया", "singrauli", orb.Point{82.45, 23.99}, 1.8, "THDC India Ltd", catAllotment, "Power", "Singrauli"},
	{"chhatrasal", "Chhatrasal", "छत्रसाल", "singrauli", orb.Point{82.50, 24.06}, 1.8, "Sasan Power Ltd", catAuction, "Commercial", "Singrauli"},
	{"bandha", "Bandha", "बंधा", "singrauli", orb.Point{82.45, 23.87}, 2.6, "EMIL Mines and Mineral Resources Ltd", catAuction, "Commercial", "Singrauli"},
	{"moher-amlohri-extn", "Moher and Moher-Amlohri Extn", "मोहेर एवं मोहेर-अमलोरी विस्तार", "singrauli", orb.Point{82.60, 24.00}, 2.5, "Sasan Power Ltd", catAllotment, "Power", "Singrauli"},
	{"nigahi", "Nigahi", "निगाही", "singrauli", orb.Point{82.57, 24.08}, 2.0, "", catCIL, "Commercial", "Singrauli"},
	{"jayant", "Jayant", "जयंत", "singrauli", orb.Point{82.66, 24.11}, 2.4, "", catCIL, "Commercial", "Singrauli"},
	{"dudhichua", "Dudhichua", "दूधीचुआ", "singrauli", orb.Point{82.72, 24.17}, 2.2, "", catCIL, "Commercial", "Singrauli"},
	{"amlohri", "Amlohri", "अमलोरी", "singrauli", orb.Point{82.68, 24.02}, 2.0, "", catCIL, "Commercial", "Singrauli"},
	{"khadia", "Khadia", "खड़िया", "singrauli", orb.Point{82.78, 24.21}, 1.8, "", catCIL, "Commercial", "Sonbhadra"},
	{"bina", "Bina", "बीना", "singrauli", orb.Point{82.86, 24.19}, 1.6, "", catCIL, "Commercial", "Sonbhadra"},
	{"kakri", "Kakri", "ककरी", "singrauli", orb.Point{82.92, 24.24}, 1.5, "", catCIL, "Commercial", "Sonbhadra"},
	// Korba and Hasdeo-Arand (Chhattisgarh)
	{"gevra", "Gevra", "गेवरा", "korba", orb.Point{82.60, 22.33}, 3.0, "", catCIL, "Commercial", "Korba"},
	{"kusmunda", "Kusmunda", "कुसमुंडा", "korba", orb.Point{82.70, 22.34}, 2.5, "", catCIL, "Commercial", "Korba"},
	{"dipka", "Dipka", "दीपका", "korba", orb.Point{82.52, 22.27}, 2.5, "", catCIL, "Commercial", "Korba"},
	{"parsa-east-kanta-basan", "Parsa East and Kanta Basan", "परसा ईस्ट एवं कांटा बासन", "hasdeo_arand", orb.Point{82.87, 22.84}, 3.0, "Rajasthan Rajya Vidyut Utpadan Nigam Ltd", catAllotment, "Power", "Surguja"},
	{"parsa", "Parsa", "परसा", "hasdeo_arand", orb.Point{82.76, 22.78}, 2.8, "Rajasthan Rajya Vidyut Utpadan Nigam Ltd", catAllotment, "Power", "Surguja"},
	{"kente-extension", "Kente Extension", "केंते एक्सटेंशन", "hasdeo_arand", orb.Point{82.78, 22.90}, 2.2, "Rajasthan Rajya Vidyut Utpadan Nigam Ltd", catAllotment, "Power", "Surguja"},
	{"madanpur-south", "Madanpur (South)", "मदनपुर (दक्षिण)", "hasdeo_arand", orb.Point{82.55, 22.63}, 2.2, "Andhra Pradesh Mineral Development Corporation Ltd", catAllotment, "Power", "Korba"},
	// Mand-Raigarh (Chhattisgarh)
	{"pelma", "Pelma", "पेलमा", "mand_raigarh", orb.Point{83.16, 22.30}, 2.8, "Maharashtra State Power Generation Co Ltd", catAllotment, "Power", "Raigarh"},
	{"gare-palma-sector-i", "Gare Palma Sector I", "गारे पाल्मा सेक्टर I", "mand_raigarh", orb.Point{83.38, 22.28}, 4.0, "Gujarat State Electricity Corporation Ltd", catAllotment, "Power", "Raigarh"},
	{"gare-palma-sector-ii", "Gare Palma Sector II", "गारे पाल्मा सेक्टर II", "mand_raigarh", orb.Point{83.49, 22.17}, 3.2, "Maharashtra State Power Generation Co Ltd", catAllotment, "Power", "Raigarh"},
	{"gare-palma-sector-iii", "Gare Palma Sector III", "गारे पाल्मा सेक्टर III", "mand_raigarh", orb.Point{83.28, 22.22}, 2.6, "Goa Industrial Development Corporation", catAllotment, "Power", "Raigarh"},
	{"gare-palma-iv-1", "Gare Palma IV/1", "गारे पाल्मा IV/1", "mand_raigarh", orb.Point{83.32, 22.10}, 1.6, "Jindal Power Ltd", catAuction, "Power", "Raigarh"},
	{"gare-palma-iv-2-3", "Gare Palma IV/2 & IV/3", "गारे पाल्मा IV/2 एवं IV/3", "mand_raigarh", orb.Point{83.38, 22.10}, 1.6, "Jindal Power Ltd", catAuction, "Power", "Raigarh"},
	{"gare-palma-iv-4", "Gare Palma IV/4", "गारे पाल्मा IV/4", "mand_raigarh", orb.Point{83.42, 22.05}, 1.5, "Hindalco Industries Ltd", catAuction, "Aluminium", "Raigarh"},
	{"gare-palma-iv-5", "Gare Palma IV/5", "गारे पाल्मा IV/5", "mand_raigarh", orb.Point{83.45, 22.11}, 1.6, "Hindalco Industries Ltd", catAuction, "Aluminium", "Raigarh"},
	{"gare-palma-iv-6", "Gare Palma IV/6", "गारे पाल्मा IV/6", "mand_raigarh", orb.Point{83.30, 22.00}, 1.5, "Jindal Steel and Power Ltd", catAuction, "Iron and steel", "Raigarh"},
	{"gare-palma-iv-7", "Gare Palma IV/7", "गारे पाल्मा IV/7", "mand_raigarh", orb.Point{83.38, 21.99}, 1.4, "Sarda Energy and Minerals Ltd", catAuction, "Sponge iron", "Raigarh"},
	{"gare-palma-iv-8", "Gare Palma IV/8", "गारे पाल्मा IV/8", "mand_raigarh", orb.Point{83.46, 22.00}, 1.4, "Ambuja Cements Ltd", catAuction, "Cement", "Raigarh"},
	{"gare-palma-iv-3", "Gare Palma IV/3 (East)", "गारे पाल्मा IV/3 (पूर्व)", "mand_raigarh", orb.Point{83.35, 22.05}, 1.5, "Jindal Power Ltd", catAuction, "Power", "Raigarh"},
	// Ib Valley (Odisha)
	{"sardega", "Sardega", "सारदेगा", "ib_valley", orb.Point{83.80, 22.03}, 2.5, "", catCIL, "Commercial", "Sundargarh"},
	{"siarmal", "Siarmal", "सियारमाल", "ib_valley", orb.Point{83.62, 22.05}, 3.2, "", catCIL, "Commercial", "Sundargarh"},
	{"garjanbahal", "Garjanbahal", "गर्जनबहाल", "ib_valley", orb.Point{83.72, 22.10}, 2.2, "", catCIL, "Commercial", "Sundargarh"},
	{"basundhara", "Basundhara", "बसुंधरा", "ib_valley", orb.Point{83.80, 22.12}, 2.0, "", catCIL, "Commercial", "Sundargarh"},
	{"manoharpur", "Manoharpur", "मनोहरपुर", "ib_valley", orb.Point{83.70, 21.98}, 2.0, "Odisha Coal and Power Ltd", catAllotment, "Power", "Sundargarh"},
	{"dulanga", "Dulanga", "दुलंगा", "ib_valley", orb.Point{83.62, 21.93}, 2.0, "NTPC Ltd", catAllotment, "Power", "Sundargarh"},
	{"talabira-i", "Talabira I", "तालाबीरा I", "ib_valley", orb.Point{83.93, 21.78}, 1.8, "Hindalco Industries Ltd", catAuction, "Aluminium", "Sambalpur"},
	{"talabira-ii-iii", "Talabira II & III", "तालाबीरा II एवं III", "ib_valley", orb.Point{83.99, 21.73}, 3.0, "NLC India Ltd", catAllotment, "Power", "Jharsuguda"},
	{"lakhanpur", "Lakhanpur", "लखनपुर", "ib_valley", orb.Point{83.83, 21.80}, 2.6, "", catCIL, "Commercial", "Jharsuguda"},
	{"belpahar", "Belpahar", "बेलपहाड़", "ib_valley", orb.Point{83.88, 21.85}, 1.8, "", catCIL, "Commercial", "Jharsuguda"},
	// Talcher (Angul, Odisha)
	{"tentuloi", "Tentuloi", "तेंतुलोई", "talcher", orb.Point{84.98, 21.10}, 2.2, "", catOffered, "Commercial", "Angul"},
	{"budhapank", "Budhapank", "बुढ़ापंक", "talcher", orb.Point{85.22, 20.92}, 2.4, "", catOffered, "Commercial", "Angul"},
	{"machhakata", "Machhakata", "मछकाटा", "talcher", orb.Point{85.06, 21.05}, 3.0, "Mahanadi Basin Power Ltd", catAllotment, "Power", "Angul"},
	{"mahanadi", "Mahanadi", "महानदी", "talcher", orb.Point{85.14, 20.99}, 2.0, "", catCIL, "Commercial", "Angul"},
	{"utkal-a", "Utkal A", "उत्कल A", "talcher", orb.Point{84.92, 21.17}, 2.0, "Mahanadi Coal Fields (Utkal)", catAllotment, "Commercial", "Angul"},
	{"utkal-b1", "Utkal B1", "उत्कल B1", "talcher", orb.Point{85.00, 21.20}, 1.6, "Jindal Steel and Power Ltd", catAuction, "Iron and steel", "Angul"},
	{"utkal-c", "Utkal C", "उत्कल C", "talcher", orb.Point{85.08, 21.14}, 2.0, "Hindalco Industries Ltd", catAuction, "Aluminium", "Angul"},
	{"naini", "Naini", "नैनी", "talcher", orb.Point{84.86, 21.13}, 2.2, "Singareni Collieries Company Ltd", catAllotment, "Power", "Angul"},
	{"chhendipada", "Chhendipada", "छेंडीपाड़ा", "talcher", orb.Point{84.82, 21.05}, 2.6, "NTPC Ltd", catAllotment, "Power", "Angul"},
	{"jagannath", "Jagannath", "जगन्नाथ", "talcher", orb.Point{85.10, 20.95}, 1.8, "", catCIL, "Commercial", "Angul"},
	{"bharatpur", "Bharatpur", "भरतपुर", "talcher", orb.Point{85.13, 20.90}, 1.6, "", catCIL, "Commercial", "Angul"},
	{"hingula", "Hingula", "हिंगुला", "talcher", orb.Point{85.05, 20.87}, 2.0, "", catCIL, "Commercial", "Angul"},
	// Jharkhand, West Bengal
	{"pakri-barwadih", "Pakri Barwadih", "पकरी बरवाडीह", "north_karanpura", orb.Point{85.10, 23.86}, 3.5, "NTPC Ltd", catAllotment, "Power", "Hazaribagh"},
	{"chatti-bariatu", "Chatti Bariatu", "चट्टी बरियातू", "north_karanpura", orb.Point{85.02, 23.95}, 2.6, "NTPC Ltd", catAllotment, "Power", "Hazaribagh"},
	{"kerendari", "Kerendari", "केरेडारी", "north_karanpura", orb.Point{85.25, 23.88}, 2.6, "NTPC Ltd", catAllotment, "Power", "Hazaribagh"},
	{"magadh", "Magadh", "मगध", "north_karanpura", orb.Point{84.88, 23.92}, 3.0, "", catCIL, "Commercial", "Chatra"},
	{"amrapali", "Amrapali", "आम्रपाली", "north_karanpura", orb.Point{84.95, 23.80}, 2.5, "", catCIL, "Commercial", "Chatra"},
	{"badam", "Badam", "बादाम", "north_karanpura", orb.Point{85.18, 23.78}, 2.0, "NTPC Ltd", catAllotment, "Power", "Hazaribagh"},
	{"pachwara-central", "Pachwara Central", "पचवारा सेंट्रल", "rajmahal", orb.Point{87.40, 24.52}, 3.0, "Punjab State Power Corporation Ltd", catAllotment, "Power", "Pakur"},
	{"rajmahal-ocp", "Rajmahal", "राजमहल", "rajmahal", orb.Point{87.35, 24.92}, 3.0, "", catCIL, "Commercial", "Godda"},
	{"sarisatolli", "Sarisatolli", "सरिसाटोली", "raniganj", orb.Point{87.05, 23.68}, 2.5, "CESC Ltd", catAuction, "Power", "Paschim Bardhaman"},
	{"trans-damodar", "Trans Damodar", "ट्रांस दामोदर", "raniganj", orb.Point{87.35, 23.50}, 2.4, "West Bengal Mineral Development and Trading Corporation", catAllotment, "Commercial", "Purba Bardhaman"},
	// Maharashtra, Telangana, Madhya Pradesh
	{"baranj-i-iv", "Baranj I–IV", "बरांज I–IV", "wardha_valley", orb.Point{79.08, 20.13}, 3.0, "Karnataka Power Corporation Ltd", catAllotment, "Power", "Chandrapur"},
	{"kiloni", "Kiloni", "किलोनी", "wardha_valley", orb.Point{79.00, 20.18}, 1.8, "Karnataka Power Corporation Ltd", catAllotment, "Power", "Chandrapur"},
	{"manora-deep", "Manora Deep", "मनोरा डीप", "wardha_valley", orb.Point{79.00, 20.08}, 1.8, "Karnataka Power Corporation Ltd", catAllotment, "Power", "Chandrapur"},
	{"marki-mangli-i", "Marki Mangli I", "मार्की मांगली I", "wardha_valley", orb.Point{79.15, 20.22}, 2.0, "Topworth Urja and Metals Ltd", catAuction, "Sponge iron", "Yavatmal"},
	{"ramagundam-ocp", "Ramagundam OCP", "रामागुंडम ओसीपी", "godavari_valley", orb.Point{79.50, 18.75}, 3.0, "Singareni Collieries Company Ltd", catAllotment, "Commercial", "Peddapalli"},
	{"manuguru", "Manuguru", "मणुगुरु", "godavari_valley", orb.Point{80.82, 17.95}, 2.5, "Singareni Collieries Company Ltd", catAllotment, "Commercial", "Bhadradri Kothagudem"},
	{"amlai", "Amlai", "अमलाई", "sohagpur", orb.Point{81.62, 23.18}, 2.0, "", catCIL, "Commercial", "Shahdol"},
	{"rampur-batura", "Rampur Batura", "रामपुर बटुरा", "sohagpur", orb.Point{81.70, 23.35}, 2.0, "", catCIL, "Commercial", "Shahdol"},
}

// place is a named point: a power station, a substation, a town.
type place struct {
	ID     string
	Name   string
	NameHi string
	At     orb.Point
	State  string
	Extra  string // capacity, voltage or owner, depending on the table
}

// namedSubstations are real substations; the ones at the ends of the real
// case lines must be among them.
var namedSubstations = []place{
	{"jharsuguda-765", "Jharsuguda (Sundargarh) 765/400 kV", "झारसुगुड़ा 765/400 केवी", orb.Point{84.02, 21.86}, "Odisha", "765"},
	{"dharamjaygarh-765", "Dharamjaygarh 765/400 kV", "धरमजयगढ़ 765/400 केवी", orb.Point{83.22, 22.47}, "Chhattisgarh", "765"},
	{"vindhyachal-765", "Vindhyachal Pooling 765/400 kV", "विंध्याचल पूलिंग 765/400 केवी", orb.Point{82.64, 24.12}, "Madhya Pradesh", "765"},
	{"satna-765", "Satna 765/400 kV", "सतना 765/400 केवी", orb.Point{80.85, 24.55}, "Madhya Pradesh", "765"},
	{"sasan-765", "Sasan 765/400 kV", "सासन 765/400 केवी", orb.Point{82.59, 23.98}, "Madhya Pradesh", "765"},
	{"bilaspur-765", "Bilaspur Pooling 765/400 kV", "बिलासपुर पूलिंग 765/400 केवी", orb.Point{82.12, 22.12}, "Chhattisgarh", "765"},
	{"raigarh-kotra-765", "Raigarh (Kotra) 765/400 kV", "रायगढ़ (कोटरा) 765/400 केवी", orb.Point{83.35, 21.88}, "Chhattisgarh", "765"},
	{"angul-765", "Angul 765/400 kV", "अंगुल 765/400 केवी", orb.Point{85.10, 20.85}, "Odisha", "765"},
	{"ranchi-765", "Ranchi (New) 765/400 kV", "रांची (नया) 765/400 केवी", orb.Point{85.25, 23.25}, "Jharkhand", "765"},
	{"wardha-765", "Wardha 765/400 kV", "वर्धा 765/400 केवी", orb.Point{78.65, 20.75}, "Maharashtra", "765"},
	{"korba-400", "Korba (West) 400/220 kV", "कोरबा (पश्चिम) 400/220 केवी", orb.Point{82.68, 22.38}, "Chhattisgarh", "400"},
	{"talcher-400", "Talcher 400/220 kV", "तालचेर 400/220 केवी", orb.Point{85.07, 21.10}, "Odisha", "400"},
	{"singrauli-400", "Singrauli 400/132 kV", "सिंगरौली 400/132 केवी", orb.Point{82.70, 24.10}, "Uttar Pradesh", "400"},
	{"maithon-400", "Maithon 400/220 kV", "मैथन 400/220 केवी", orb.Point{86.80, 23.78}, "Jharkhand", "400"},
	{"chandrapur-400", "Chandrapur 400/220 kV", "चंद्रपुर 400/220 केवी", orb.Point{79.30, 19.98}, "Maharashtra", "400"},
	{"ramagundam-400", "Ramagundam 400/220 kV", "रामागुंडम 400/220 केवी", orb.Point{79.45, 18.80}, "Telangana", "400"},
}

// namedPlants are real thermal power stations near the coalfields; Extra is
// the installed capacity in MW.
var namedPlants = []place{
	{"vindhyachal-stps", "Vindhyachal STPS", "विंध्याचल सुपर थर्मल पावर स्टेशन", orb.Point{82.67, 24.10}, "Madhya Pradesh", "4760|NTPC Ltd"},
	{"sasan-umpp", "Sasan UMPP", "सासन अल्ट्रा मेगा पावर प्रोजेक्ट", orb.Point{82.62, 23.97}, "Madhya Pradesh", "3960|Sasan Power Ltd"},
	{"singrauli-stps", "Singrauli STPS", "सिंगरौली सुपर थर्मल पावर स्टेशन", orb.Point{82.79, 24.10}, "Uttar Pradesh", "2000|NTPC Ltd"},
	{"rihand-stps", "Rihand STPS", "रिहंद सुपर थर्मल पावर स्टेशन", orb.Point{82.79, 24.03}, "Uttar Pradesh", "3000|NTPC Ltd"},
	{"anpara-tps", "Anpara TPS", "अनपरा ताप विद्युत गृह", orb.Point{82.78, 24.20}, "Uttar Pradesh", "2630|UPRVUNL"},
	{"korba-stps", "Korba STPS", "कोरबा सुपर थर्मल पावर स्टेशन", orb.Point{82.68, 22.39}, "Chhattisgarh", "2600|NTPC Ltd"},
	{"lara-stpp", "Lara STPP", "लारा सुपर थर्मल पावर प्रोजेक्ट", orb.Point{83.45, 21.78}, "Chhattisgarh", "1600|NTPC Ltd"},
	{"tamnar-tpp", "O.P. Jindal STPP Tamnar", "ओ.पी. जिंदल सुपर थर्मल पावर प्लांट तमनार", orb.Point{83.42, 22.12}, "Chhattisgarh", "3400|Jindal Power Ltd"},
	{"talcher-stps", "Talcher STPS (Kaniha)", "तालचेर सुपर थर्मल पावर स्टेशन (कनिहा)", orb.Point{85.05, 21.09}, "Odisha", "3000|NTPC Ltd"},
	{"darlipali-stps", "Darlipali STPS", "दर्लीपाली सुपर थर्मल पावर स्टेशन", orb.Point{83.90, 22.05}, "Odisha", "1600|NTPC Ltd"},
	{"ib-tps", "IB Thermal Power Station", "आईबी थर्मल पावर स्टेशन", orb.Point{83.90, 21.70}, "Odisha", "1740|OPGC"},
	{"sipat-stps", "Sipat STPS", "सीपत सुपर थर्मल पावर स्टेशन", orb.Point{82.29, 22.13}, "Chhattisgarh", "2980|NTPC Ltd"},
	{"chandrapur-stps", "Chandrapur STPS", "चंद्रपुर सुपर थर्मल पावर स्टेशन", orb.Point{79.30, 19.98}, "Maharashtra", "2920|MAHAGENCO"},
	{"ramagundam-stps", "Ramagundam STPS", "रामागुंडम सुपर थर्मल पावर स्टेशन", orb.Point{79.46, 18.76}, "Telangana", "2600|NTPC Ltd"},
	{"maithon-rb", "Maithon Right Bank TPS", "मैथन राइट बैंक ताप विद्युत केंद्र", orb.Point{86.80, 23.80}, "Jharkhand", "1050|Maithon Power Ltd"},
	{"mejia-tps", "Mejia TPS", "मेजिया ताप विद्युत केंद्र", orb.Point{87.13, 23.46}, "West Bengal", "2340|DVC"},
	{"north-karanpura-stpp", "North Karanpura STPP", "उत्तरी करनपुरा सुपर थर्मल पावर प्रोजेक्ट", orb.Point{85.05, 23.77}, "Jharkhand", "1980|NTPC Ltd"},
	{"kahalgaon-stps", "Kahalgaon STPS", "कहलगांव सुपर थर्मल पावर स्टेशन", orb.Point{87.26, 25.25}, "Bihar", "2340|NTPC Ltd"},
}

// alignment is a real-case line: it runs through the given waypoints, each
// either the centre of a named block or a named place (substation), or a
// fixed point.
type alignment struct {
	ID        string
	Name      string
	NameHi    string
	Layer     string
	Via       []string // ids of named blocks or substations, in order
	VoltageKV int
	Owner     string
	Status    string
	Crosses   []string // the named blocks it crosses (the tests check them)
}

// alignments are the ministry's real cases.
var alignments = []alignment{
	{
		ID: "dhirauli-765kv", Name: "Sasan–Satna 765 kV D/C line (proposed, through Dhirauli)", NameHi: "सासन–सतना 765 केवी डी/सी लाइन (प्रस्तावित, धिरौली होकर)",
		Layer: "transmission_lines_proposed_765kv", Via: []string{"sasan-765", "dhirauli", "satna-765"},
		VoltageKV: 765, Owner: "Power Grid Corporation of India Ltd", Status: "Proposed", Crosses: []string{"dhirauli"},
	},
	{
		ID: "jharsuguda-dharamjaygarh", Name: "Jharsuguda–Dharamjaygarh 765 kV D/C line", NameHi: "झारसुगुड़ा–धरमजयगढ़ 765 केवी डी/सी लाइन",
		Layer: "transmission_lines_765kv", Via: []string{"jharsuguda-765", "gare-palma-sector-ii", "dharamjaygarh-765"},
		VoltageKV: 765, Owner: "Power Grid Corporation of India Ltd", Status: "Existing", Crosses: []string{"gare-palma-sector-ii"},
	},
	{
		ID: "pelma-sardega", Name: "Pelma–Sardega rail line (proposed alignment)", NameHi: "पेलमा–सारदेगा रेल लाइन (प्रस्तावित संरेखण)",
		Layer: "railway_lines_proposed", Via: []string{"pelma", "gare-palma-sector-iii", "gare-palma-iv-5", "sardega"},
		Owner: "Ministry of Railways (SECR/ECoR)", Status: "Proposed", Crosses: []string{"pelma", "gare-palma-sector-iii", "gare-palma-iv-5", "sardega"},
	},
	{
		ID: "tentuloi-budhapank", Name: "Tentuloi–Budhapank rail line (proposed alignment)", NameHi: "तेंतुलोई–बुढ़ापंक रेल लाइन (प्रस्तावित संरेखण)",
		Layer: "railway_lines_proposed", Via: []string{"tentuloi", "machhakata", "mahanadi", "budhapank"},
		Owner: "Ministry of Railways (ECoR)", Status: "Proposed", Crosses: []string{"tentuloi", "machhakata", "mahanadi", "budhapank"},
	},
}

// namedArea is a real protected area, reservoir or similar, drawn as a
// synthetic outline of about its real size around its real centre.
type namedArea struct {
	Layer    string
	ID       string
	Name     string
	NameHi   string
	Center   orb.Point
	RadiusKm float64
	Elong    float64
}

var namedAreas = []namedArea{
	{"reservoirs", "rihand-gb-pant-sagar", "Rihand Reservoir (Govind Ballabh Pant Sagar)", "रिहंद जलाशय (गोविंद बल्लभ पंत सागर)", orb.Point{82.98, 24.12}, 7, 3},
	{"reservoirs", "hirakud", "Hirakud Reservoir", "हीराकुद जलाशय", orb.Point{83.78, 21.62}, 9, 2.5},
	{"reservoirs", "hasdeo-bango", "Hasdeo Bango (Minimata) Reservoir", "हसदेव बांगो (मिनीमाता) जलाशय", orb.Point{82.58, 22.62}, 5, 2.2},
	{"reservoirs", "maithon", "Maithon Reservoir", "मैथन जलाशय", orb.Point{86.78, 23.82}, 3.5, 2},
	{"reservoirs", "panchet", "Panchet Reservoir", "पंचेत जलाशय", orb.Point{86.72, 23.66}, 3.5, 2},
	{"reservoirs", "tilaiya", "Tilaiya Reservoir", "तिलैया जलाशय", orb.Point{85.52, 24.32}, 3, 1.8},
	{"reservoirs", "rengali", "Rengali Reservoir", "रेंगाली जलाशय", orb.Point{85.02, 21.32}, 6, 2.5},
	{"wildlife_sanctuaries", "gomarda", "Gomarda Wildlife Sanctuary", "गोमर्डा वन्यजीव अभयारण्य", orb.Point{83.02, 21.82}, 7, 1.4},
	{"wildlife_sanctuaries", "badalkhol", "Badalkhol Wildlife Sanctuary", "बादलखोल वन्यजीव अभयारण्य", orb.Point{83.82, 22.55}, 5, 1.3},
	{"wildlife_sanctuaries", "tamor-pingla", "Tamor Pingla Wildlife Sanctuary", "तमोर पिंगला वन्यजीव अभयारण्य", orb.Point{83.42, 23.72}, 11, 1.5},
	{"wildlife_sanctuaries", "debrigarh", "Debrigarh Wildlife Sanctuary", "देब्रीगढ़ वन्यजीव अभयारण्य", orb.Point{83.58, 21.50}, 9, 1.6},
	{"wildlife_sanctuaries", "ushakothi", "Ushakothi (Badrama) Wildlife Sanctuary", "उषाकोठी (बड़रमा) वन्यजीव अभयारण्य", orb.Point{84.62, 21.62}, 9, 1.4},
	{"wildlife_sanctuaries", "dalma", "Dalma Wildlife Sanctuary", "दलमा वन्यजीव अभयारण्य", orb.Point{86.18, 22.90}, 7, 1.8},
	{"wildlife_sanctuaries", "hazaribagh", "Hazaribagh Wildlife Sanctuary", "हजारीबाग वन्यजीव अभयारण्य", orb.Point{85.36, 24.12}, 8, 1.3},
	{"wildlife_sanctuaries", "kaimur", "Kaimur Wildlife Sanctuary", "कैमूर वन्यजीव अभयारण्य", orb.Point{83.50, 24.85}, 14, 1.8},
	{"wildlife_sanctuaries", "son-gharial", "Son Gharial Sanctuary", "सोन घड़ियाल अभयारण्य", orb.Point{81.62, 24.30}, 4, 4},
	{"wildlife_sanctuaries", "barnawapara", "Barnawapara Wildlife Sanctuary", "बारनवापारा वन्यजीव अभयारण्य", orb.Point{82.42, 21.42}, 9, 1.3},
	{"national_parks", "sanjay", "Sanjay National Park", "संजय राष्ट्रीय उद्यान", orb.Point{81.92, 23.95}, 14, 1.5},
	{"national_parks", "betla", "Betla National Park", "बेतला राष्ट्रीय उद्यान", orb.Point{84.20, 23.90}, 8, 1.4},
	{"national_parks", "guru-ghasidas", "Guru Ghasidas National Park", "गुरु घासीदास राष्ट्रीय उद्यान", orb.Point{82.15, 23.52}, 18, 1.5},
	{"national_parks", "kanger-valley", "Kanger Valley National Park", "कांगेर घाटी राष्ट्रीय उद्यान", orb.Point{81.95, 18.85}, 8, 2},
	{"national_parks", "simlipal", "Simlipal National Park", "सिमलीपाल राष्ट्रीय उद्यान", orb.Point{86.32, 21.72}, 14, 1.4},
	{"national_parks", "bandhavgarh", "Bandhavgarh National Park", "बांधवगढ़ राष्ट्रीय उद्यान", orb.Point{81.02, 23.70}, 12, 1.6},
	{"national_parks", "kanha", "Kanha National Park", "कान्हा राष्ट्रीय उद्यान", orb.Point{80.62, 22.30}, 18, 1.5},
	{"national_parks", "tadoba", "Tadoba National Park", "ताडोबा राष्ट्रीय उद्यान", orb.Point{79.38, 20.25}, 9, 1.6},
	{"tiger_reserves", "achanakmar-tr", "Achanakmar Tiger Reserve", "अचानकमार बाघ अभयारण्य", orb.Point{81.80, 22.45}, 18, 1.4},
	{"tiger_reserves", "palamau-tr", "Palamau Tiger Reserve", "पलामू बाघ अभयारण्य", orb.Point{84.15, 23.78}, 22, 1.3},
	{"tiger_reserves", "satkosia-tr", "Satkosia Tiger Reserve", "सतकोसिया बाघ अभयारण्य", orb.Point{84.78, 20.62}, 18, 2},
	{"tiger_reserves", "tadoba-andhari-tr", "Tadoba-Andhari Tiger Reserve", "ताडोबा-अंधारी बाघ अभयारण्य", orb.Point{79.36, 20.27}, 17, 1.5},
	{"tiger_reserves", "sanjay-dubri-tr", "Sanjay-Dubri Tiger Reserve", "संजय-दुबरी बाघ अभयारण्य", orb.Point{81.90, 23.98}, 20, 1.6},
	{"tiger_reserves", "simlipal-tr", "Simlipal Tiger Reserve", "सिमलीपाल बाघ अभयारण्य", orb.Point{86.30, 21.75}, 25, 1.4},
	{"elephant_reserves", "lemru", "Lemru Elephant Reserve", "लेमरू हाथी रिज़र्व", orb.Point{82.62, 22.72}, 22, 1.5},
	{"elephant_reserves", "badalkhol-tamorpingla", "Badalkhol-Tamorpingla Elephant Reserve", "बादलखोल-तमोरपिंगला हाथी रिज़र्व", orb.Point{83.60, 23.20}, 28, 1.6},
	{"elephant_reserves", "singhbhum", "Singhbhum Elephant Reserve", "सिंहभूम हाथी रिज़र्व", orb.Point{85.70, 22.45}, 30, 1.4},
	{"elephant_reserves", "sambalpur", "Sambalpur Elephant Reserve", "संबलपुर हाथी रिज़र्व", orb.Point{84.30, 21.30}, 30, 1.5},
}

// river is a real river drawn through approximate waypoints.
type river struct {
	ID     string
	Name   string
	NameHi string
	Basin  string
	Via    []orb.Point
}

var rivers = []river{
	{"son", "Son", "सोन", "Ganga", []orb.Point{{81.75, 22.67}, {81.6, 23.2}, {81.3, 23.8}, {81.6, 24.35}, {82.3, 24.45}, {83.0, 24.55}, {83.9, 24.75}, {84.4, 24.9}, {84.9, 25.3}, {85.1, 25.65}}},
	{"rihand", "Rihand", "रिहंद", "Ganga", []orb.Point{{82.9, 23.1}, {83.0, 23.6}, {82.95, 24.0}, {82.95, 24.2}, {83.05, 24.55}}},
	{"mahanadi", "Mahanadi", "महानदी", "Mahanadi", []orb.Point{{81.9, 20.1}, {81.65, 20.7}, {82.0, 21.3}, {82.6, 21.7}, {83.4, 21.8}, {83.9, 21.55}, {84.1, 21.0}, {84.6, 20.8}, {85.1, 20.55}, {85.9, 20.45}, {86.6, 20.3}}},
	{"hasdeo", "Hasdeo", "हसदेव", "Mahanadi", []orb.Point{{82.35, 23.2}, {82.6, 22.8}, {82.7, 22.4}, {82.6, 22.0}, {82.55, 21.75}}},
	{"ib", "Ib", "इब", "Mahanadi", []orb.Point{{83.9, 22.9}, {83.85, 22.4}, {83.85, 22.0}, {83.95, 21.6}}},
	{"mand", "Mand", "माँड", "Mahanadi", []orb.Point{{83.2, 22.9}, {83.25, 22.5}, {83.3, 22.1}, {83.35, 21.75}}},
	{"kelo", "Kelo", "केलो", "Mahanadi", []orb.Point{{83.55, 22.4}, {83.45, 22.0}, {83.4, 21.7}}},
	{"brahmani", "Brahmani", "ब्राह्मणी", "Brahmani-Baitarani", []orb.Point{{84.8, 22.3}, {85.0, 21.6}, {85.15, 21.05}, {85.6, 20.8}, {86.5, 20.6}}},
	{"damodar", "Damodar", "दामोदर", "Ganga", []orb.Point{{84.6, 23.75}, {85.3, 23.65}, {85.9, 23.7}, {86.4, 23.7}, {87.1, 23.55}, {87.9, 23.2}, {88.1, 22.4}}},
	{"barakar", "Barakar", "बराकर", "Ganga", []orb.Point{{85.4, 24.3}, {86.0, 24.1}, {86.5, 23.95}, {86.8, 23.8}}},
	{"subarnarekha", "Subarnarekha", "स्वर्णरेखा", "Subarnarekha", []orb.Point{{85.3, 23.3}, {85.8, 23.0}, {86.2, 22.8}, {87.0, 22.2}, {87.3, 21.6}}},
	{"wardha", "Wardha", "वर्धा", "Godavari", []orb.Point{{78.4, 21.3}, {78.6, 20.8}, {79.0, 20.4}, {79.3, 19.95}, {79.7, 19.6}, {79.9, 19.0}}},
	{"pench", "Pench", "पेंच", "Godavari", []orb.Point{{78.8, 22.2}, {79.2, 21.6}, {79.2, 21.2}}},
	{"godavari", "Godavari", "गोदावरी", "Godavari", []orb.Point{{78.0, 18.9}, {78.5, 18.8}, {79.4, 18.85}, {79.9, 18.6}, {80.4, 18.0}, {80.9, 17.7}, {81.4, 17.3}, {81.8, 17.0}}},
}

// namedPorts are ports with coal berths; Extra is "capacity Mtpa|berths|type|owner".
var namedPorts = []place{
	{"paradip", "Paradip Port", "पारादीप बंदरगाह", orb.Point{86.67, 20.26}, "Odisha", "70|6|Major|Paradip Port Authority"},
	{"dhamra", "Dhamra Port", "धामरा बंदरगाह", orb.Point{86.95, 20.80}, "Odisha", "50|4|Non-major|Adani Ports and SEZ Ltd"},
	{"visakhapatnam", "Visakhapatnam Port", "विशाखापत्तनम बंदरगाह", orb.Point{83.29, 17.69}, "Andhra Pradesh", "30|4|Major|Visakhapatnam Port Authority"},
	{"gangavaram", "Gangavaram Port", "गंगावरम बंदरगाह", orb.Point{83.23, 17.62}, "Andhra Pradesh", "35|3|Non-major|Adani Gangavaram Port Ltd"},
	{"haldia", "Haldia Dock Complex", "हल्दिया डॉक परिसर", orb.Point{88.07, 22.03}, "West Bengal", "15|3|Major|Syama Prasad Mookerjee Port"},
	{"krishnapatnam", "Krishnapatnam Port", "कृष्णापट्टनम बंदरगाह", orb.Point{80.12, 14.25}, "Andhra Pradesh", "45|4|Non-major|Adani Krishnapatnam Port Ltd"},
	{"kamarajar", "Kamarajar Port (Ennore)", "कामराजर बंदरगाह (एन्नोर)", orb.Point{80.33, 13.26}, "Tamil Nadu", "25|3|Major|Kamarajar Port Ltd"},
	{"mundra", "Mundra Port", "मुंद्रा बंदरगाह", orb.Point{69.70, 22.75}, "Gujarat", "60|5|Non-major|Adani Ports and SEZ Ltd"},
	{"deendayal", "Deendayal Port (Kandla)", "दीनदयाल बंदरगाह (कांडला)", orb.Point{70.20, 23.00}, "Gujarat", "20|3|Major|Deendayal Port Authority"},
	{"tuticorin", "V.O. Chidambaranar Port (Tuticorin)", "वी.ओ. चिदंबरनार बंदरगाह (तूतीकोरिन)", orb.Point{78.20, 8.75}, "Tamil Nadu", "15|2|Major|V.O. Chidambaranar Port Authority"},
}
