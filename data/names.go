package data

import "github.com/paulmach/orb"

// Names: real district headquarters, and the syllables of generated village
// and place names (in Latin script and Devanagari, so that Hindi labels are
// real words rather than transliteration noise).

type hq struct {
	Name   string
	NameHi string
	At     orb.Point
}

// districtHQs are real district headquarters of the coal belt.
var districtHQs = []hq{
	{"Singrauli", "सिंगरौली", orb.Point{82.67, 24.20}},
	{"Sonbhadra", "सोनभद्र", orb.Point{83.07, 24.69}},
	{"Sidhi", "सीधी", orb.Point{81.88, 24.40}},
	{"Rewa", "रीवा", orb.Point{81.30, 24.53}},
	{"Satna", "सतना", orb.Point{80.83, 24.58}},
	{"Shahdol", "शहडोल", orb.Point{81.36, 23.30}},
	{"Anuppur", "अनूपपुर", orb.Point{81.69, 23.10}},
	{"Umaria", "उमरिया", orb.Point{80.84, 23.53}},
	{"Jabalpur", "जबलपुर", orb.Point{79.93, 23.18}},
	{"Katni", "कटनी", orb.Point{80.39, 23.83}},
	{"Mandla", "मंडला", orb.Point{80.37, 22.60}},
	{"Dindori", "डिंडोरी", orb.Point{81.08, 22.94}},
	{"Chhindwara", "छिंदवाड़ा", orb.Point{78.94, 22.06}},
	{"Seoni", "सिवनी", orb.Point{79.54, 22.09}},
	{"Balaghat", "बालाघाट", orb.Point{80.19, 21.80}},
	{"Sagar", "सागर", orb.Point{78.74, 23.84}},
	{"Damoh", "दमोह", orb.Point{79.44, 23.83}},
	{"Panna", "पन्ना", orb.Point{80.19, 24.72}},
	{"Narsinghpur", "नरसिंहपुर", orb.Point{79.19, 22.95}},
	{"Korba", "कोरबा", orb.Point{82.68, 22.35}},
	{"Bilaspur", "बिलासपुर", orb.Point{82.14, 22.08}},
	{"Raigarh", "रायगढ़", orb.Point{83.40, 21.90}},
	{"Jashpur", "जशपुर", orb.Point{84.14, 22.88}},
	{"Surguja", "सरगुजा", orb.Point{83.20, 23.12}},
	{"Koriya", "कोरिया", orb.Point{82.56, 23.26}},
	{"Balrampur", "बलरामपुर", orb.Point{83.61, 23.60}},
	{"Janjgir-Champa", "जांजगीर-चांपा", orb.Point{82.58, 22.01}},
	{"Raipur", "रायपुर", orb.Point{81.63, 21.25}},
	{"Mahasamund", "महासमुंद", orb.Point{82.10, 21.11}},
	{"Durg", "दुर्ग", orb.Point{81.28, 21.19}},
	{"Kanker", "कांकेर", orb.Point{81.49, 20.27}},
	{"Bastar", "बस्तर", orb.Point{82.02, 19.08}},
	{"Dantewada", "दंतेवाड़ा", orb.Point{81.35, 18.90}},
	{"Sundargarh", "सुंदरगढ़", orb.Point{84.03, 22.12}},
	{"Jharsuguda", "झारसुगुड़ा", orb.Point{84.00, 21.86}},
	{"Sambalpur", "संबलपुर", orb.Point{83.97, 21.47}},
	{"Angul", "अनुगुल", orb.Point{85.10, 20.84}},
	{"Dhenkanal", "ढेंकानाल", orb.Point{85.60, 20.66}},
	{"Deogarh", "देवगढ़", orb.Point{84.73, 21.53}},
	{"Keonjhar", "क्योंझर", orb.Point{85.58, 21.63}},
	{"Cuttack", "कटक", orb.Point{85.88, 20.46}},
	{"Balangir", "बलांगीर", orb.Point{83.49, 20.70}},
	{"Bargarh", "बरगढ़", orb.Point{83.62, 21.33}},
	{"Koraput", "कोरापुट", orb.Point{82.71, 18.81}},
	{"Kalahandi", "कालाहांडी", orb.Point{83.17, 19.91}},
	{"Mayurbhanj", "मयूरभंज", orb.Point{86.72, 21.94}},
	{"Balasore", "बालेश्वर", orb.Point{86.93, 21.49}},
	{"Dhanbad", "धनबाद", orb.Point{86.43, 23.80}},
	{"Bokaro", "बोकारो", orb.Point{86.15, 23.67}},
	{"Hazaribagh", "हजारीबाग", orb.Point{85.36, 23.99}},
	{"Ramgarh", "रामगढ़", orb.Point{85.52, 23.63}},
	{"Ranchi", "रांची", orb.Point{85.31, 23.34}},
	{"Chatra", "चतरा", orb.Point{84.87, 24.21}},
	{"Latehar", "लातेहार", orb.Point{84.50, 23.74}},
	{"Palamu", "पलामू", orb.Point{84.07, 24.03}},
	{"Garhwa", "गढ़वा", orb.Point{83.80, 24.16}},
	{"Giridih", "गिरिडीह", orb.Point{86.30, 24.19}},
	{"Dumka", "दुमका", orb.Point{87.25, 24.27}},
	{"Pakur", "पाकुड़", orb.Point{87.85, 24.63}},
	{"Godda", "गोड्डा", orb.Point{87.21, 24.83}},
	{"Deoghar", "देवघर", orb.Point{86.69, 24.48}},
	{"East Singhbhum", "पूर्वी सिंहभूम", orb.Point{86.20, 22.80}},
	{"West Singhbhum", "पश्चिमी सिंहभूम", orb.Point{85.80, 22.55}},
	{"Gumla", "गुमला", orb.Point{84.54, 23.04}},
	{"Paschim Bardhaman", "पश्चिम बर्धमान", orb.Point{86.98, 23.68}},
	{"Bankura", "बांकुड़ा", orb.Point{87.07, 23.23}},
	{"Purulia", "पुरुलिया", orb.Point{86.36, 23.33}},
	{"Birbhum", "बीरभूम", orb.Point{87.53, 23.91}},
	{"Chandrapur", "चंद्रपुर", orb.Point{79.30, 19.96}},
	{"Yavatmal", "यवतमाल", orb.Point{78.12, 20.39}},
	{"Nagpur", "नागपुर", orb.Point{79.09, 21.15}},
	{"Wardha", "वर्धा", orb.Point{78.60, 20.74}},
	{"Gadchiroli", "गढ़चिरौली", orb.Point{80.00, 20.18}},
	{"Bhandara", "भंडारा", orb.Point{79.65, 21.17}},
	{"Gondia", "गोंदिया", orb.Point{80.20, 21.46}},
	{"Peddapalli", "पेद्दापल्ली", orb.Point{79.38, 18.61}},
	{"Mancherial", "मंचेरियल", orb.Point{79.45, 18.87}},
	{"Bhadradri Kothagudem", "भद्राद्री कोठागुडेम", orb.Point{80.62, 17.55}},
	{"Khammam", "खम्मम", orb.Point{80.15, 17.25}},
	{"Adilabad", "आदिलाबाद", orb.Point{78.53, 19.67}},
	{"Gaya", "गया", orb.Point{85.00, 24.80}},
	{"Aurangabad", "औरंगाबाद", orb.Point{84.37, 24.75}},
	{"Rohtas", "रोहतास", orb.Point{84.03, 24.95}},
	{"Varanasi", "वाराणसी", orb.Point{83.00, 25.32}},
	{"Mirzapur", "मिर्ज़ापुर", orb.Point{82.57, 25.15}},
	{"Prayagraj", "प्रयागराज", orb.Point{81.85, 25.43}},
	{"Bhagalpur", "भागलपुर", orb.Point{87.00, 25.25}},
	{"Jamui", "जमुई", orb.Point{86.22, 24.92}},
	{"Nawada", "नवादा", orb.Point{85.54, 24.88}},
	{"Banda", "बांदा", orb.Point{80.33, 25.48}},
	{"Jhansi", "झांसी", orb.Point{78.57, 25.45}},
	{"Lalitpur", "ललितपुर", orb.Point{78.41, 24.69}},
	{"Visakhapatnam", "विशाखापत्तनम", orb.Point{83.30, 17.70}},
	{"Vizianagaram", "विजयनगरम", orb.Point{83.40, 18.11}},
	{"Malkangiri", "मलकानगिरी", orb.Point{81.88, 18.35}},
	{"Rayagada", "रायगढ़ा", orb.Point{83.42, 19.17}},
	{"Kandhamal", "कंधमाल", orb.Point{84.23, 20.47}},
	{"Puri", "पुरी", orb.Point{85.83, 19.81}},
	{"Jajpur", "जाजपुर", orb.Point{86.33, 20.85}},
	{"Dhamtari", "धमतरी", orb.Point{81.55, 20.71}},
	{"Rajnandgaon", "राजनांदगांव", orb.Point{81.03, 21.10}},
	{"Kabirdham", "कबीरधाम", orb.Point{81.23, 22.01}},
}

type syllable struct{ en, hi string }

var namePrefixes = []syllable{
	{"Ram", "राम"}, {"Shiv", "शिव"}, {"Gop", "गोप"}, {"Ban", "बन"}, {"Kus", "कुस"}, {"Dev", "देव"},
	{"Har", "हर"}, {"Bel", "बेल"}, {"Sir", "सिर"}, {"Mah", "मह"}, {"Sal", "साल"}, {"Amb", "अंब"},
	{"Kol", "कोल"}, {"Tar", "तार"}, {"Chand", "चंद"}, {"Bhim", "भीम"}, {"Lal", "लाल"}, {"Sun", "सुन"},
	{"Jam", "जाम"}, {"Pip", "पीप"}, {"Gan", "गण"}, {"Bar", "बर"}, {"Kar", "कर"}, {"Nim", "नीम"},
	{"Madh", "मध"}, {"Kes", "केस"}, {"Son", "सोन"}, {"Pat", "पाट"}, {"Raj", "राज"}, {"Dhar", "धार"},
	{"Khair", "खैर"}, {"Mohan", "मोहन"}, {"Bhaga", "भागा"}, {"Jhar", "झार"}, {"Kanha", "कान्हा"}, {"Tila", "तिला"},
}

var nameSuffixes = []syllable{
	{"pur", "पुर"}, {"garh", "गढ़"}, {"dih", "डीह"}, {"tola", "टोला"}, {"pali", "पाली"}, {"para", "पारा"},
	{"nagar", "नगर"}, {"gaon", "गांव"}, {"bahal", "बहाल"}, {"munda", "मुंडा"}, {"kela", "केला"}, {"bera", "बेरा"},
	{"sara", "सरा"}, {"tand", "टांड"}, {"ganj", "गंज"}, {"wara", "वाड़ा"}, {"ghat", "घाट"}, {"pada", "पाड़ा"},
	{"nala", "नाला"}, {"kund", "कुंड"}, {"bandh", "बांध"}, {"jhari", "झरी"}, {"hatu", "हातू"}, {"khand", "खंड"},
}

var nameQualifiers = []syllable{{"", ""}, {"", ""}, {"", ""}, {" Khurd", " खुर्द"}, {" Kalan", " कलां"}, {" Basti", " बस्ती"}}

// placeName returns a generated place name and its Hindi form.
func placeName(r *rng) (string, string) {
	p, s, q := pick(r, namePrefixes), pick(r, nameSuffixes), pick(r, nameQualifiers)
	return p.en + s.en + q.en, p.hi + s.hi + q.hi
}
