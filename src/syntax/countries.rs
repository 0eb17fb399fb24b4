//! Country names and ISO 3166-1 alpha-3 codes, to suggest the alpha-2 code
//! the API wants (`China` or `CHN` -> `CN`). Pure data and one lookup.
//!
//! The names are ISO 3166-1's English short names (with their common and
//! official forms), as the standard publishes them and Debian's iso-codes
//! package lists them, plus a few everyday names (`UK`, `USA`, `Russia`)
//! and the Chinese names of the places this tool's users most often write.

/// (alpha-2, alpha-3, names), by alpha-2.
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    ("AD", "AND", &["Andorra", "Principality of Andorra"]),
    ("AE", "ARE", &["United Arab Emirates", "UAE"]),
    (
        "AF",
        "AFG",
        &["Afghanistan", "Islamic Republic of Afghanistan"],
    ),
    ("AG", "ATG", &["Antigua and Barbuda"]),
    ("AI", "AIA", &["Anguilla"]),
    ("AL", "ALB", &["Albania", "Republic of Albania"]),
    ("AM", "ARM", &["Armenia", "Republic of Armenia"]),
    ("AO", "AGO", &["Angola", "Republic of Angola"]),
    ("AQ", "ATA", &["Antarctica"]),
    ("AR", "ARG", &["Argentina", "Argentine Republic"]),
    ("AS", "ASM", &["American Samoa"]),
    ("AT", "AUT", &["Austria", "Republic of Austria"]),
    ("AU", "AUS", &["Australia", "澳大利亚"]),
    ("AW", "ABW", &["Aruba"]),
    ("AX", "ALA", &["Åland Islands"]),
    ("AZ", "AZE", &["Azerbaijan", "Republic of Azerbaijan"]),
    (
        "BA",
        "BIH",
        &[
            "Bosnia and Herzegovina",
            "Republic of Bosnia and Herzegovina",
        ],
    ),
    ("BB", "BRB", &["Barbados"]),
    (
        "BD",
        "BGD",
        &["Bangladesh", "People's Republic of Bangladesh"],
    ),
    ("BE", "BEL", &["Belgium", "Kingdom of Belgium"]),
    ("BF", "BFA", &["Burkina Faso"]),
    ("BG", "BGR", &["Bulgaria", "Republic of Bulgaria"]),
    ("BH", "BHR", &["Bahrain", "Kingdom of Bahrain"]),
    ("BI", "BDI", &["Burundi", "Republic of Burundi"]),
    ("BJ", "BEN", &["Benin", "Republic of Benin"]),
    ("BL", "BLM", &["Saint Barthélemy"]),
    ("BM", "BMU", &["Bermuda"]),
    ("BN", "BRN", &["Brunei Darussalam", "Brunei"]),
    (
        "BO",
        "BOL",
        &[
            "Bolivia, Plurinational State of",
            "Bolivia",
            "Plurinational State of Bolivia",
        ],
    ),
    ("BQ", "BES", &["Bonaire, Sint Eustatius and Saba"]),
    ("BR", "BRA", &["Brazil", "Federative Republic of Brazil"]),
    ("BS", "BHS", &["Bahamas", "Commonwealth of the Bahamas"]),
    ("BT", "BTN", &["Bhutan", "Kingdom of Bhutan"]),
    ("BV", "BVT", &["Bouvet Island"]),
    ("BW", "BWA", &["Botswana", "Republic of Botswana"]),
    ("BY", "BLR", &["Belarus", "Republic of Belarus"]),
    ("BZ", "BLZ", &["Belize"]),
    ("CA", "CAN", &["Canada", "加拿大"]),
    ("CC", "CCK", &["Cocos (Keeling) Islands"]),
    (
        "CD",
        "COD",
        &[
            "Congo, The Democratic Republic of the",
            "DR Congo",
            "Congo-Kinshasa",
        ],
    ),
    ("CF", "CAF", &["Central African Republic"]),
    (
        "CG",
        "COG",
        &["Congo", "Republic of the Congo", "Congo-Brazzaville"],
    ),
    ("CH", "CHE", &["Switzerland", "Swiss Confederation"]),
    (
        "CI",
        "CIV",
        &["Côte d'Ivoire", "Republic of Côte d'Ivoire", "Ivory Coast"],
    ),
    ("CK", "COK", &["Cook Islands"]),
    ("CL", "CHL", &["Chile", "Republic of Chile"]),
    ("CM", "CMR", &["Cameroon", "Republic of Cameroon"]),
    (
        "CN",
        "CHN",
        &[
            "China",
            "People's Republic of China",
            "PRC",
            "Mainland China",
            "中国",
            "中华人民共和国",
            "中国大陆",
        ],
    ),
    ("CO", "COL", &["Colombia", "Republic of Colombia"]),
    ("CR", "CRI", &["Costa Rica", "Republic of Costa Rica"]),
    ("CU", "CUB", &["Cuba", "Republic of Cuba"]),
    (
        "CV",
        "CPV",
        &["Cabo Verde", "Republic of Cabo Verde", "Cape Verde"],
    ),
    ("CW", "CUW", &["Curaçao"]),
    ("CX", "CXR", &["Christmas Island"]),
    ("CY", "CYP", &["Cyprus", "Republic of Cyprus"]),
    ("CZ", "CZE", &["Czechia", "Czech Republic"]),
    (
        "DE",
        "DEU",
        &["Germany", "Federal Republic of Germany", "德国"],
    ),
    ("DJ", "DJI", &["Djibouti", "Republic of Djibouti"]),
    ("DK", "DNK", &["Denmark", "Kingdom of Denmark"]),
    ("DM", "DMA", &["Dominica", "Commonwealth of Dominica"]),
    ("DO", "DOM", &["Dominican Republic"]),
    (
        "DZ",
        "DZA",
        &["Algeria", "People's Democratic Republic of Algeria"],
    ),
    ("EC", "ECU", &["Ecuador", "Republic of Ecuador"]),
    ("EE", "EST", &["Estonia", "Republic of Estonia"]),
    ("EG", "EGY", &["Egypt", "Arab Republic of Egypt"]),
    ("EH", "ESH", &["Western Sahara"]),
    ("ER", "ERI", &["Eritrea", "the State of Eritrea"]),
    ("ES", "ESP", &["Spain", "Kingdom of Spain"]),
    (
        "ET",
        "ETH",
        &["Ethiopia", "Federal Democratic Republic of Ethiopia"],
    ),
    ("FI", "FIN", &["Finland", "Republic of Finland"]),
    ("FJ", "FJI", &["Fiji", "Republic of Fiji"]),
    ("FK", "FLK", &["Falkland Islands (Malvinas)"]),
    (
        "FM",
        "FSM",
        &[
            "Micronesia, Federated States of",
            "Federated States of Micronesia",
            "Micronesia",
        ],
    ),
    ("FO", "FRO", &["Faroe Islands"]),
    ("FR", "FRA", &["France", "French Republic", "法国"]),
    ("GA", "GAB", &["Gabon", "Gabonese Republic"]),
    (
        "GB",
        "GBR",
        &[
            "United Kingdom",
            "United Kingdom of Great Britain and Northern Ireland",
            "UK",
            "Great Britain",
            "Britain",
            "England",
            "Scotland",
            "Wales",
            "Northern Ireland",
            "英国",
        ],
    ),
    ("GD", "GRD", &["Grenada"]),
    ("GE", "GEO", &["Georgia"]),
    ("GF", "GUF", &["French Guiana"]),
    ("GG", "GGY", &["Guernsey"]),
    ("GH", "GHA", &["Ghana", "Republic of Ghana"]),
    ("GI", "GIB", &["Gibraltar"]),
    ("GL", "GRL", &["Greenland"]),
    ("GM", "GMB", &["Gambia", "Republic of the Gambia"]),
    ("GN", "GIN", &["Guinea", "Republic of Guinea"]),
    ("GP", "GLP", &["Guadeloupe"]),
    (
        "GQ",
        "GNQ",
        &["Equatorial Guinea", "Republic of Equatorial Guinea"],
    ),
    ("GR", "GRC", &["Greece", "Hellenic Republic"]),
    (
        "GS",
        "SGS",
        &["South Georgia and the South Sandwich Islands"],
    ),
    ("GT", "GTM", &["Guatemala", "Republic of Guatemala"]),
    ("GU", "GUM", &["Guam"]),
    ("GW", "GNB", &["Guinea-Bissau", "Republic of Guinea-Bissau"]),
    ("GY", "GUY", &["Guyana", "Republic of Guyana"]),
    (
        "HK",
        "HKG",
        &[
            "Hong Kong",
            "Hong Kong Special Administrative Region of China",
            "Hong Kong SAR",
            "Hong Kong, China",
            "中国香港",
            "香港",
        ],
    ),
    ("HM", "HMD", &["Heard Island and McDonald Islands"]),
    ("HN", "HND", &["Honduras", "Republic of Honduras"]),
    ("HR", "HRV", &["Croatia", "Republic of Croatia"]),
    ("HT", "HTI", &["Haiti", "Republic of Haiti"]),
    ("HU", "HUN", &["Hungary"]),
    ("ID", "IDN", &["Indonesia", "Republic of Indonesia"]),
    ("IE", "IRL", &["Ireland"]),
    ("IL", "ISR", &["Israel", "State of Israel"]),
    ("IM", "IMN", &["Isle of Man"]),
    ("IN", "IND", &["India", "Republic of India"]),
    ("IO", "IOT", &["British Indian Ocean Territory"]),
    ("IQ", "IRQ", &["Iraq", "Republic of Iraq"]),
    (
        "IR",
        "IRN",
        &[
            "Iran, Islamic Republic of",
            "Iran",
            "Islamic Republic of Iran",
        ],
    ),
    ("IS", "ISL", &["Iceland", "Republic of Iceland"]),
    ("IT", "ITA", &["Italy", "Italian Republic"]),
    ("JE", "JEY", &["Jersey"]),
    ("JM", "JAM", &["Jamaica"]),
    ("JO", "JOR", &["Jordan", "Hashemite Kingdom of Jordan"]),
    ("JP", "JPN", &["Japan", "日本"]),
    ("KE", "KEN", &["Kenya", "Republic of Kenya"]),
    ("KG", "KGZ", &["Kyrgyzstan", "Kyrgyz Republic"]),
    ("KH", "KHM", &["Cambodia", "Kingdom of Cambodia"]),
    ("KI", "KIR", &["Kiribati", "Republic of Kiribati"]),
    ("KM", "COM", &["Comoros", "Union of the Comoros"]),
    ("KN", "KNA", &["Saint Kitts and Nevis"]),
    (
        "KP",
        "PRK",
        &[
            "Korea, Democratic People's Republic of",
            "North Korea",
            "Democratic People's Republic of Korea",
        ],
    ),
    (
        "KR",
        "KOR",
        &[
            "Korea, Republic of",
            "South Korea",
            "Korea",
            "Republic of Korea",
            "韩国",
        ],
    ),
    ("KW", "KWT", &["Kuwait", "State of Kuwait"]),
    ("KY", "CYM", &["Cayman Islands"]),
    ("KZ", "KAZ", &["Kazakhstan", "Republic of Kazakhstan"]),
    ("LA", "LAO", &["Lao People's Democratic Republic", "Laos"]),
    ("LB", "LBN", &["Lebanon", "Lebanese Republic"]),
    ("LC", "LCA", &["Saint Lucia"]),
    (
        "LI",
        "LIE",
        &["Liechtenstein", "Principality of Liechtenstein"],
    ),
    (
        "LK",
        "LKA",
        &["Sri Lanka", "Democratic Socialist Republic of Sri Lanka"],
    ),
    ("LR", "LBR", &["Liberia", "Republic of Liberia"]),
    ("LS", "LSO", &["Lesotho", "Kingdom of Lesotho"]),
    ("LT", "LTU", &["Lithuania", "Republic of Lithuania"]),
    ("LU", "LUX", &["Luxembourg", "Grand Duchy of Luxembourg"]),
    ("LV", "LVA", &["Latvia", "Republic of Latvia"]),
    ("LY", "LBY", &["Libya"]),
    ("MA", "MAR", &["Morocco", "Kingdom of Morocco"]),
    ("MC", "MCO", &["Monaco", "Principality of Monaco"]),
    (
        "MD",
        "MDA",
        &["Moldova, Republic of", "Moldova", "Republic of Moldova"],
    ),
    ("ME", "MNE", &["Montenegro"]),
    ("MF", "MAF", &["Saint Martin (French part)"]),
    ("MG", "MDG", &["Madagascar", "Republic of Madagascar"]),
    (
        "MH",
        "MHL",
        &["Marshall Islands", "Republic of the Marshall Islands"],
    ),
    (
        "MK",
        "MKD",
        &[
            "North Macedonia",
            "Republic of North Macedonia",
            "Macedonia",
        ],
    ),
    ("ML", "MLI", &["Mali", "Republic of Mali"]),
    ("MM", "MMR", &["Myanmar", "Republic of Myanmar"]),
    ("MN", "MNG", &["Mongolia"]),
    (
        "MO",
        "MAC",
        &[
            "Macao",
            "Macao Special Administrative Region of China",
            "Macau",
            "Macao SAR",
            "中国澳门",
            "澳门",
        ],
    ),
    (
        "MP",
        "MNP",
        &[
            "Northern Mariana Islands",
            "Commonwealth of the Northern Mariana Islands",
        ],
    ),
    ("MQ", "MTQ", &["Martinique"]),
    (
        "MR",
        "MRT",
        &["Mauritania", "Islamic Republic of Mauritania"],
    ),
    ("MS", "MSR", &["Montserrat"]),
    ("MT", "MLT", &["Malta", "Republic of Malta"]),
    ("MU", "MUS", &["Mauritius", "Republic of Mauritius"]),
    ("MV", "MDV", &["Maldives", "Republic of Maldives"]),
    ("MW", "MWI", &["Malawi", "Republic of Malawi"]),
    ("MX", "MEX", &["Mexico", "United Mexican States"]),
    ("MY", "MYS", &["Malaysia", "马来西亚"]),
    ("MZ", "MOZ", &["Mozambique", "Republic of Mozambique"]),
    ("NA", "NAM", &["Namibia", "Republic of Namibia"]),
    ("NC", "NCL", &["New Caledonia"]),
    ("NE", "NER", &["Niger", "Republic of the Niger"]),
    ("NF", "NFK", &["Norfolk Island"]),
    ("NG", "NGA", &["Nigeria", "Federal Republic of Nigeria"]),
    ("NI", "NIC", &["Nicaragua", "Republic of Nicaragua"]),
    (
        "NL",
        "NLD",
        &["Netherlands", "Kingdom of the Netherlands", "Holland"],
    ),
    ("NO", "NOR", &["Norway", "Kingdom of Norway"]),
    (
        "NP",
        "NPL",
        &["Nepal", "Federal Democratic Republic of Nepal"],
    ),
    ("NR", "NRU", &["Nauru", "Republic of Nauru"]),
    ("NU", "NIU", &["Niue"]),
    ("NZ", "NZL", &["New Zealand"]),
    ("OM", "OMN", &["Oman", "Sultanate of Oman"]),
    ("PA", "PAN", &["Panama", "Republic of Panama"]),
    ("PE", "PER", &["Peru", "Republic of Peru"]),
    ("PF", "PYF", &["French Polynesia"]),
    (
        "PG",
        "PNG",
        &["Papua New Guinea", "Independent State of Papua New Guinea"],
    ),
    ("PH", "PHL", &["Philippines", "Republic of the Philippines"]),
    ("PK", "PAK", &["Pakistan", "Islamic Republic of Pakistan"]),
    ("PL", "POL", &["Poland", "Republic of Poland"]),
    ("PM", "SPM", &["Saint Pierre and Miquelon"]),
    ("PN", "PCN", &["Pitcairn"]),
    ("PR", "PRI", &["Puerto Rico"]),
    (
        "PS",
        "PSE",
        &["Palestine, State of", "the State of Palestine", "Palestine"],
    ),
    ("PT", "PRT", &["Portugal", "Portuguese Republic"]),
    ("PW", "PLW", &["Palau", "Republic of Palau"]),
    ("PY", "PRY", &["Paraguay", "Republic of Paraguay"]),
    ("QA", "QAT", &["Qatar", "State of Qatar"]),
    ("RE", "REU", &["Réunion"]),
    ("RO", "ROU", &["Romania"]),
    ("RS", "SRB", &["Serbia", "Republic of Serbia"]),
    ("RU", "RUS", &["Russian Federation", "Russia", "俄罗斯"]),
    ("RW", "RWA", &["Rwanda", "Rwandese Republic"]),
    ("SA", "SAU", &["Saudi Arabia", "Kingdom of Saudi Arabia"]),
    ("SB", "SLB", &["Solomon Islands"]),
    ("SC", "SYC", &["Seychelles", "Republic of Seychelles"]),
    ("SD", "SDN", &["Sudan", "Republic of the Sudan"]),
    ("SE", "SWE", &["Sweden", "Kingdom of Sweden"]),
    (
        "SG",
        "SGP",
        &["Singapore", "Republic of Singapore", "新加坡"],
    ),
    (
        "SH",
        "SHN",
        &["Saint Helena, Ascension and Tristan da Cunha"],
    ),
    ("SI", "SVN", &["Slovenia", "Republic of Slovenia"]),
    ("SJ", "SJM", &["Svalbard and Jan Mayen"]),
    ("SK", "SVK", &["Slovakia", "Slovak Republic"]),
    ("SL", "SLE", &["Sierra Leone", "Republic of Sierra Leone"]),
    ("SM", "SMR", &["San Marino", "Republic of San Marino"]),
    ("SN", "SEN", &["Senegal", "Republic of Senegal"]),
    ("SO", "SOM", &["Somalia", "Federal Republic of Somalia"]),
    ("SR", "SUR", &["Suriname", "Republic of Suriname"]),
    ("SS", "SSD", &["South Sudan", "Republic of South Sudan"]),
    (
        "ST",
        "STP",
        &[
            "Sao Tome and Principe",
            "Democratic Republic of Sao Tome and Principe",
        ],
    ),
    ("SV", "SLV", &["El Salvador", "Republic of El Salvador"]),
    ("SX", "SXM", &["Sint Maarten (Dutch part)"]),
    ("SY", "SYR", &["Syrian Arab Republic", "Syria"]),
    (
        "SZ",
        "SWZ",
        &["Eswatini", "Kingdom of Eswatini", "Swaziland"],
    ),
    ("TC", "TCA", &["Turks and Caicos Islands"]),
    ("TD", "TCD", &["Chad", "Republic of Chad"]),
    ("TF", "ATF", &["French Southern Territories"]),
    ("TG", "TGO", &["Togo", "Togolese Republic"]),
    ("TH", "THA", &["Thailand", "Kingdom of Thailand", "泰国"]),
    ("TJ", "TJK", &["Tajikistan", "Republic of Tajikistan"]),
    ("TK", "TKL", &["Tokelau"]),
    (
        "TL",
        "TLS",
        &["Timor-Leste", "Democratic Republic of Timor-Leste"],
    ),
    ("TM", "TKM", &["Turkmenistan"]),
    ("TN", "TUN", &["Tunisia", "Republic of Tunisia"]),
    ("TO", "TON", &["Tonga", "Kingdom of Tonga"]),
    ("TR", "TUR", &["Türkiye", "Republic of Türkiye", "Turkey"]),
    (
        "TT",
        "TTO",
        &["Trinidad and Tobago", "Republic of Trinidad and Tobago"],
    ),
    ("TV", "TUV", &["Tuvalu"]),
    (
        "TW",
        "TWN",
        &["Taiwan, Province of China", "Taiwan", "中国台湾", "台湾"],
    ),
    (
        "TZ",
        "TZA",
        &[
            "Tanzania, United Republic of",
            "Tanzania",
            "United Republic of Tanzania",
        ],
    ),
    ("UA", "UKR", &["Ukraine"]),
    ("UG", "UGA", &["Uganda", "Republic of Uganda"]),
    ("UM", "UMI", &["United States Minor Outlying Islands"]),
    (
        "US",
        "USA",
        &[
            "United States",
            "United States of America",
            "USA",
            "America",
            "美国",
        ],
    ),
    ("UY", "URY", &["Uruguay", "Eastern Republic of Uruguay"]),
    ("UZ", "UZB", &["Uzbekistan", "Republic of Uzbekistan"]),
    (
        "VA",
        "VAT",
        &["Holy See (Vatican City State)", "Vatican", "Vatican City"],
    ),
    ("VC", "VCT", &["Saint Vincent and the Grenadines"]),
    (
        "VE",
        "VEN",
        &[
            "Venezuela, Bolivarian Republic of",
            "Venezuela",
            "Bolivarian Republic of Venezuela",
        ],
    ),
    (
        "VG",
        "VGB",
        &["Virgin Islands, British", "British Virgin Islands"],
    ),
    (
        "VI",
        "VIR",
        &[
            "Virgin Islands, U.S.",
            "Virgin Islands of the United States",
        ],
    ),
    (
        "VN",
        "VNM",
        &["Viet Nam", "Vietnam", "Socialist Republic of Viet Nam"],
    ),
    ("VU", "VUT", &["Vanuatu", "Republic of Vanuatu"]),
    ("WF", "WLF", &["Wallis and Futuna"]),
    ("WS", "WSM", &["Samoa", "Independent State of Samoa"]),
    ("YE", "YEM", &["Yemen", "Republic of Yemen"]),
    ("YT", "MYT", &["Mayotte"]),
    ("ZA", "ZAF", &["South Africa", "Republic of South Africa"]),
    ("ZM", "ZMB", &["Zambia", "Republic of Zambia"]),
    ("ZW", "ZWE", &["Zimbabwe", "Republic of Zimbabwe"]),
];

/// Letters and digits only, lower case: `Korea, Republic of` and `korea
/// republic of` compare equal.
fn folded(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The alpha-2 code for a country's name or alpha-3 code, if `text` is one.
pub fn code_for(text: &str) -> Option<&'static str> {
    let wanted = folded(text);
    if wanted.is_empty() {
        return None;
    }
    COUNTRIES
        .iter()
        .find(|(_, alpha3, names)| {
            folded(alpha3) == wanted || names.iter().any(|name| folded(name) == wanted)
        })
        .map(|(alpha2, _, _)| *alpha2)
}

/// Whether `code` is an officially assigned alpha-2 code.
pub fn is_code(code: &str) -> bool {
    COUNTRIES.iter().any(|(alpha2, _, _)| *alpha2 == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_alpha3_codes_lead_to_the_alpha2_code() {
        assert_eq!(code_for("China"), Some("CN"));
        assert_eq!(code_for("china"), Some("CN"));
        assert_eq!(code_for("CHN"), Some("CN"));
        assert_eq!(code_for("People's Republic of China"), Some("CN"));
        assert_eq!(code_for("中国"), Some("CN"));
        assert_eq!(code_for("Hong Kong"), Some("HK"));
        assert_eq!(code_for("United States"), Some("US"));
        assert_eq!(code_for("USA"), Some("US"));
        assert_eq!(code_for("UK"), Some("GB"));
        assert_eq!(code_for("South Korea"), Some("KR"));
        assert_eq!(code_for("Korea, Republic of"), Some("KR"));
        assert_eq!(code_for("Germany"), Some("DE"));
        assert_eq!(code_for("Atlantis"), None);
        assert_eq!(code_for(""), None);
        assert_eq!(code_for("  "), None);
    }

    #[test]
    fn the_table_is_whole_and_consistent() {
        assert_eq!(COUNTRIES.len(), 249);
        let mut seen = std::collections::HashSet::new();
        for (alpha2, alpha3, names) in COUNTRIES {
            assert!(seen.insert(*alpha2), "{alpha2} twice");
            assert!(alpha2.len() == 2 && alpha2.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(alpha3.len() == 3 && alpha3.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(!names.is_empty());
            // Every name leads back to its own code: no name is shared.
            for name in *names {
                assert_eq!(code_for(name), Some(*alpha2), "{name}");
            }
            assert_eq!(code_for(alpha3), Some(*alpha2));
        }
    }
}
