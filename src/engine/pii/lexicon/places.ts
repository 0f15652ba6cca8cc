/*
 * Place lexicons for the ADDRESS detector, written for Parapet from common public knowledge: street
 * types, unit words, US states and Canadian provinces, and country names. Entries are lower case with
 * single spaces; the detector normalises text the same way (diacritics kept: "são tomé").
 */

/** Street types written after the street name ("Main Street", "Elm Rd"), English and a few loan forms. */
export const STREET_SUFFIXES: readonly string[] = [
  'street', 'st', 'str', 'avenue', 'ave', 'av', 'road', 'rd', 'boulevard', 'blvd', 'lane', 'ln', 'drive', 'dr',
  'court', 'ct', 'way', 'place', 'pl', 'terrace', 'ter', 'terr', 'parkway', 'pkwy', 'highway', 'hwy', 'circle',
  'cir', 'square', 'sq', 'trail', 'trl', 'crescent', 'cres', 'close', 'grove', 'gardens', 'gdns', 'row', 'mews',
  'walk', 'alley', 'loop', 'pike', 'plaza', 'expressway', 'expy', 'freeway', 'fwy', 'turnpike', 'tpke', 'causeway',
  'heights', 'parade', 'promenade', 'quay', 'wharf', 'esplanade', 'embankment', 'route', 'rte', 'strasse', 'straße',
  'crossing', 'xing', 'junction', 'jct', 'ridge', 'hollow', 'glen', 'dale', 'meadow', 'meadows', 'hill', 'rise',
  'vale',
];

/**
 * Street types that are ordinary words too ("Google Drive", "Supreme Court", "Milky Way"): accepted after a house
 * number, but not for a street named without one ("on Baker Street").
 */
export const UNNUMBERED_STREET_SUFFIXES: readonly string[] = [
  'street', 'st', 'avenue', 'ave', 'road', 'rd', 'boulevard', 'blvd', 'lane', 'terrace', 'crescent', 'strasse',
  'straße', 'parkway', 'highway',
];

/** Words that introduce a unit inside a building ("Apt. 4B", "Suite 200"). */
export const UNIT_WORDS: readonly string[] = [
  'apartment', 'apt', 'suite', 'ste', 'unit', 'room', 'rm', 'floor', 'fl', 'building', 'bldg', 'flat', 'lot',
  'box', 'dept', 'office', 'ofc', 'space', 'trailer', 'pier', 'hangar', 'slip', 'penthouse', 'ph', 'wohnung',
  'etage', 'piso', 'bloco', 'lokal', 'app', 'appt',
];

/** Street words written before the name ("rue de la Paix", "Calle Mayor 3", "ul. Długa 5"). */
export const STREET_PREFIXES: readonly string[] = [
  'rue', 'avenue', 'av', 'avda', 'c/', 'boulevard', 'bd', 'bld', 'chemin', 'allée', 'allee', 'impasse', 'quai', 'place',
  'cours', 'route', 'calle', 'c', 'avenida', 'paseo', 'carrer', 'camino', 'carretera', 'plaza', 'praza', 'via',
  'viale', 'vicolo', 'piazza', 'piazzale', 'corso', 'largo', 'strada', 'rua', 'r', 'praça', 'praca', 'travessa',
  'estrada', 'alameda', 'ulica', 'ul', 'aleja', 'al', 'plac', 'ulitsa', 'prospekt', 'pr', 'calea',
  'bulevardul', 'piața', 'odos', 'leoforos', 'sokak', 'sokağı', 'cadde', 'caddesi', 'jalan', 'jl',
];

/**
 * Endings of one-word street names in Germanic, Nordic, Baltic, Finnish, Central European languages
 * ("Hauptstraße", "Nassaustraat", "Drottninggatan", "Mannerheimintie", "Váci utca" written as one word).
 */
export const STREET_WORD_ENDINGS: readonly string[] = [
  'straße', 'strasse', 'str.', 'straat', 'gasse', 'weg', 'laan', 'plein', 'platz', 'gracht', 'allee', 'kade', 'dijk',
  'damm', 'ufer', 'steig', 'pfad', 'markt', 'vej', 'vei', 'veien', 'vegen', 'gade', 'gaden', 'gata', 'gatan',
  'vägen', 'väg', 'stræde', 'torget', 'torv', 'tie', 'katu', 'kuja', 'polku', 'kaari', 'utca', 'ulica', 'iela',
  'gatve', 'tänav', 'cesta', 'ulice', 'náměstí', 'namesti', 'ulitsa', 'straede',
];

/** Separate street-type words written after the name outside English ("Váci utca 5", "Luite tee 7", "Eötvös út 10"). */
export const TRAILING_STREET_WORDS: readonly string[] = [
  'utca', 'út', 'útja', 'tér', 'körút', 'sor', 'köz', 'tee', 'maantee', 'puiestee', 'iela', 'gatve', 'prospektas',
  'tie', 'katu', 'vej', 'gade', 'gata', 'gatan', 'vägen', 'veien', 'vei', 'rkp', 'krt', 'str', 'weg', 'straße',
  'strasse', 'straat', 'gasse', 'laan', 'platz', 'plein', 'allee', 'cesta', 'ulica', 'ulice', 'sokak', 'caddesi',
];

/** US state and territory codes, Canadian province and territory codes. */
export const REGION_CODES: readonly string[] = [
  'al', 'ak', 'az', 'ar', 'ca', 'co', 'ct', 'de', 'dc', 'fl', 'ga', 'hi', 'id', 'il', 'in', 'ia', 'ks', 'ky', 'la',
  'me', 'md', 'ma', 'mi', 'mn', 'ms', 'mo', 'mt', 'ne', 'nv', 'nh', 'nj', 'nm', 'ny', 'nc', 'nd', 'oh', 'ok', 'or',
  'pa', 'pr', 'ri', 'sc', 'sd', 'tn', 'tx', 'ut', 'vt', 'va', 'wa', 'wv', 'wi', 'wy', 'gu', 'vi', 'as', 'mp', 'on',
  'qc', 'bc', 'ab', 'mb', 'sk', 'ns', 'nb', 'nl', 'pe', 'yt', 'nt', 'nu',
];

/** US states, Canadian provinces and Australian states by name. */
export const REGION_NAMES: readonly string[] = [
  'alabama', 'alaska', 'arizona', 'arkansas', 'california', 'colorado', 'connecticut', 'delaware', 'florida',
  'georgia', 'hawaii', 'idaho', 'illinois', 'indiana', 'iowa', 'kansas', 'kentucky', 'louisiana', 'maine',
  'maryland', 'massachusetts', 'michigan', 'minnesota', 'mississippi', 'missouri', 'montana', 'nebraska', 'nevada',
  'new hampshire', 'new jersey', 'new mexico', 'new york', 'north carolina', 'north dakota', 'ohio', 'oklahoma',
  'oregon', 'pennsylvania', 'rhode island', 'south carolina', 'south dakota', 'tennessee', 'texas', 'utah',
  'vermont', 'virginia', 'washington', 'west virginia', 'wisconsin', 'wyoming', 'district of columbia',
  'puerto rico', 'ontario', 'quebec', 'québec', 'british columbia', 'alberta', 'manitoba', 'saskatchewan',
  'nova scotia', 'new brunswick', 'newfoundland and labrador', 'prince edward island', 'yukon',
  'northwest territories', 'nunavut', 'new south wales', 'victoria', 'queensland', 'western australia',
  'south australia', 'tasmania', 'australian capital territory', 'northern territory',
];

/** Country names in English (short and common long forms). */
export const COUNTRIES: readonly string[] = [
  'afghanistan', 'albania', 'algeria', 'andorra', 'angola', 'antigua and barbuda', 'argentina', 'armenia',
  'australia', 'austria', 'azerbaijan', 'bahamas', 'the bahamas', 'bahrain', 'bangladesh', 'barbados', 'belarus',
  'belgium', 'belize', 'benin', 'bhutan', 'bolivia', 'bosnia and herzegovina', 'botswana', 'brazil', 'brunei',
  'brunei darussalam', 'bulgaria', 'burkina faso', 'burundi', 'cabo verde', 'cape verde', 'cambodia', 'cameroon',
  'canada', 'central african republic', 'chad', 'chile', 'china', "people's republic of china", 'colombia',
  'comoros', 'congo', 'republic of the congo', 'democratic republic of the congo', 'costa rica', "cote d'ivoire",
  "côte d'ivoire", 'ivory coast', 'croatia', 'cuba', 'cyprus', 'czech republic', 'czechia', 'denmark', 'djibouti',
  'dominica', 'dominican republic', 'ecuador', 'egypt', 'el salvador', 'equatorial guinea', 'eritrea', 'estonia',
  'eswatini', 'swaziland', 'ethiopia', 'fiji', 'finland', 'france', 'gabon', 'gambia', 'the gambia', 'georgia',
  'germany', 'ghana', 'greece', 'grenada', 'guatemala', 'guinea', 'guinea-bissau', 'guyana', 'haiti', 'honduras',
  'hungary', 'iceland', 'india', 'indonesia', 'iran', 'iraq', 'ireland', 'israel', 'italy', 'jamaica', 'japan',
  'jordan', 'kazakhstan', 'kenya', 'kiribati', 'north korea', 'south korea', 'korea', 'kosovo', 'kuwait',
  'kyrgyzstan', 'laos', "lao people's democratic republic", 'latvia', 'lebanon', 'lesotho', 'liberia', 'libya',
  'liechtenstein', 'lithuania', 'luxembourg', 'madagascar', 'malawi', 'malaysia', 'maldives', 'mali', 'malta',
  'marshall islands', 'mauritania', 'mauritius', 'mexico', 'micronesia', 'federated states of micronesia',
  'moldova', 'monaco', 'mongolia', 'montenegro', 'morocco', 'mozambique', 'myanmar', 'burma', 'namibia', 'nauru',
  'nepal', 'netherlands', 'the netherlands', 'new zealand', 'nicaragua', 'niger', 'nigeria', 'north macedonia',
  'macedonia', 'norway', 'oman', 'pakistan', 'palau', 'palestine', 'panama', 'papua new guinea', 'paraguay', 'peru',
  'philippines', 'the philippines', 'poland', 'portugal', 'qatar', 'romania', 'russia', 'russian federation',
  'rwanda', 'saint kitts and nevis', 'saint lucia', 'saint vincent and the grenadines', 'samoa', 'san marino',
  'sao tome and principe', 'são tomé and príncipe', 'saudi arabia', 'senegal', 'serbia', 'seychelles',
  'sierra leone', 'singapore', 'slovakia', 'slovenia', 'solomon islands', 'somalia', 'south africa', 'south sudan',
  'spain', 'sri lanka', 'sudan', 'suriname', 'sweden', 'switzerland', 'syria', 'taiwan', 'tajikistan', 'tanzania',
  'thailand', 'timor-leste', 'east timor', 'togo', 'tonga', 'trinidad and tobago', 'tunisia', 'turkey', 'türkiye',
  'turkmenistan', 'tuvalu', 'uganda', 'ukraine', 'united arab emirates', 'uae', 'united kingdom', 'uk',
  'great britain', 'england', 'scotland', 'wales', 'northern ireland', 'united states', 'united states of america',
  'usa', 'us', 'u.s.a.', 'uruguay', 'uzbekistan', 'vanuatu', 'vatican city', 'holy see', 'venezuela', 'vietnam',
  'viet nam', 'yemen', 'zambia', 'zimbabwe', 'hong kong', 'macau', 'macao', 'greenland', 'faroe islands',
  'puerto rico', 'guam', 'bermuda', 'cayman islands', 'british virgin islands', 'us virgin islands', 'aruba',
  'curaçao', 'curacao', 'gibraltar', 'isle of man', 'jersey', 'guernsey', 'new caledonia', 'french polynesia',
  'réunion', 'reunion', 'martinique', 'guadeloupe', 'french guiana', 'western sahara', 'american samoa',
  'northern mariana islands', 'cook islands', 'anguilla', 'montserrat', 'turks and caicos islands',
  'falkland islands', 'saint helena', 'saint pierre and miquelon', 'wallis and futuna', 'norfolk island',
  'christmas island', 'cocos islands', 'pitcairn islands', 'tokelau', 'niue', 'svalbard', 'åland islands',
  'bouvet island', 'heard island and mcdonald islands', 'british indian ocean territory', 'mayotte',
  'saint barthélemy', 'saint martin', 'sint maarten', 'bonaire', 'south georgia and the south sandwich islands',
  'united states minor outlying islands', 'french southern territories', 'antarctica', 'libyan arab jamahiriya',
  'syrian arab republic', 'netherlands antilles', 'palestinian territory',
];
