/**
 * Hand-written concept lexicon for the denied-topics detector.
 *
 * A concept groups words and short phrases that signal the same subject (stock/share/etf/fund…).
 * Both the topic (name, definition, examples) and the text are mapped onto concepts, so a topic that
 * says "stocks, funds, bonds" also matches "Tesla shares" or "my 401k". Members are surface forms; they
 * are stemmed with `text/stem.ts` when the module loads, so inflections match too. Multi-word members
 * are matched as consecutive tokens.
 *
 * - `strength`: how specific the concept is (strong ≈ a clear subject, weak ≈ a loose hint).
 * - `weak`: ambiguous members ("party", "share", "charge") that count at half strength in a text.
 * - `related`: concepts a topic about this concept is partly about too (directional, reduced weight).
 *
 * Also here: advice/intent cue phrases and the boilerplate words of topic definitions.
 */

export type ConceptStrength = 'strong' | 'medium' | 'weak';

export interface Concept {
  readonly id: string;
  readonly strength: ConceptStrength;
  readonly terms: readonly string[];
  readonly weak?: readonly string[];
  readonly related?: readonly string[];
}

export const CONCEPTS: readonly Concept[] = [
  // ── money and investing ────────────────────────────────────────────────────────────────────────
  {
    id: 'SECURITIES',
    strength: 'strong',
    terms: [
      'stock', 'stocks', 'equity', 'equities', 'etf', 'etfs', 'index fund', 'mutual fund', 'bonds', 'treasury bond',
      'treasuries', 't-bill', 'stock market', 'stock exchange', 'nasdaq', 'dow jones', 's&p 500', 'sp500',
      'ticker', 'dividend', 'dividends', 'ipo', 'blue chip', 'penny stock', 'reit', 'reits',
      'shareholder', 'stockholder', 'options trading', 'call options', 'put options', 'stock split', 'gilts',
      'nyse', 'tesla stock', 'apple stock',
    ],
    weak: ['share', 'shares', 'fund', 'funds', 'bond', 'option', 'options', 'index', 'market', 'markets', 'securities'],
    related: ['INVESTING', 'CRYPTO', 'RETIREMENT'],
  },
  {
    id: 'CRYPTO',
    strength: 'strong',
    terms: [
      'crypto', 'cryptos', 'cryptocurrency', 'cryptocurrencies', 'bitcoin', 'bitcoins', 'btc', 'ethereum', 'eth',
      'dogecoin', 'doge', 'solana', 'cardano', 'xrp', 'litecoin', 'altcoin', 'altcoins', 'stablecoin',
      'usdt', 'usdc', 'tether', 'nft', 'nfts', 'coinbase', 'binance', 'defi', 'memecoin', 'shitcoin', 'satoshi',
      'crypto wallet', 'hodl', 'web3',
    ],
    weak: ['token', 'tokens', 'coin', 'coins', 'blockchain', 'ether', 'mining', 'ripple'],
    related: ['INVESTING', 'SECURITIES'],
  },
  {
    id: 'INVESTING',
    strength: 'strong',
    terms: [
      'invest', 'investing', 'investment', 'investments', 'investor', 'investors', 'portfolio', 'asset allocation',
      'allocate', 'allocation', 'diversify', 'diversification', 'roi', 'hedge fund', 'brokerage', 'broker',
      'robinhood', 'vanguard', 'etrade', 'day trading', 'day trader', 'trader', 'bull market', 'bear market',
      'financial advisor', 'financial adviser', 'capital gains', 'compound interest',
      'passive income', 'get rich', 'buy the dip', 'long term hold', 'wealth management', 'asset', 'assets',
    ],
    weak: ['returns', 'yield', 'trading', 'gains', 'profit', 'profits', 'wealth', 'growth', 'wall street'],
    related: ['SECURITIES', 'CRYPTO', 'RETIREMENT'],
  },
  {
    id: 'RETIREMENT',
    strength: 'strong',
    terms: [
      'pension', 'pensions', '401k', '401 k', '403b', 'ira', 'roth', 'roth ira', 'retirement', 'retirement fund',
      'savings', 'nest egg', 'superannuation', 'annuity', 'annuities', 'lump sum', 'emergency fund', 'isa',
      'college fund', '529 plan',
    ],
    weak: ['retire', 'retiring', 'save', 'saving'],
    related: ['INVESTING'],
  },
  {
    id: 'TRADE_ACTION',
    strength: 'medium',
    terms: [
      'buy', 'buys', 'buying', 'bought', 'purchase', 'purchasing', 'sell', 'sells', 'selling', 'sold', 'trade',
      'trades', 'cash out', 'short sell', 'shorting', 'put money', 'move my money', 'pull out', 'go all in',
    ],
    weak: ['hold', 'dump', 'get into', 'move'],
  },
  {
    id: 'MONEY',
    strength: 'weak',
    terms: ['money', 'cash', 'dollars', 'euros', 'pounds', 'income', 'finances', 'financial'],
    weak: ['budget'],
  },
  {
    id: 'BANKING',
    strength: 'medium',
    terms: [
      'bank', 'banks', 'loan', 'loans', 'mortgage', 'credit card', 'interest rate', 'debt', 'refinance', 'overdraft',
      'credit score', 'checking account', 'bank account', 'savings account', 'payday loan',
    ],
    related: ['MONEY'],
  },
  {
    id: 'TAX',
    strength: 'strong',
    terms: [
      'tax', 'taxes', 'taxation', 'irs', 'hmrc', 'deduction', 'deductions', 'deductible', 'write-off', 'tax return',
      'vat', 'tax bracket', 'capital gains tax', 'tax evasion', 'tax avoidance', 'withholding', 'w-2', '1099',
    ],
    weak: ['audit', 'refund'],
  },
  {
    id: 'INSURANCE',
    strength: 'strong',
    terms: ['insurance', 'insurer', 'insured', 'policyholder', 'life insurance', 'health insurance', 'car insurance', 'underwriting'],
    weak: ['premium', 'premiums', 'coverage', 'claim', 'claims', 'policy'],
  },
  {
    id: 'REAL_ESTATE',
    strength: 'medium',
    terms: ['real estate', 'property', 'properties', 'realtor', 'mortgage', 'down payment', 'housing market', 'condo', 'apartment'],
    weak: ['house', 'home', 'rent'],
  },

  // ── health ─────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'SYMPTOM',
    strength: 'strong',
    terms: [
      'symptom', 'symptoms', 'pain', 'painful', 'ache', 'aches', 'aching', 'headache', 'migraine', 'fever', 'cough',
      'coughing', 'rash', 'nausea', 'nauseous', 'vomit', 'vomiting', 'throwing up', 'dizzy', 'dizziness', 'swelling',
      'swollen', 'itch', 'itchy', 'itching', 'soreness', 'fatigue', 'bleeding', 'numbness', 'lump', 'diarrhea',
      'diarrhoea', 'constipation', 'cramp', 'cramps', 'chills', 'sneezing', 'congestion', 'shortness of breath',
      'chest pain', 'blurry vision', 'blurred vision', 'insomnia', 'bruise', 'bruising', 'inflammation', 'tingling',
      'palpitations', 'wheezing', 'sore throat', 'stomachache', 'stomach ache', 'backache', 'toothache',
      'runny nose', 'high temperature', 'blood in', 'faint', 'fainted', 'fainting', 'seizure', 'seizures',
      'thirsty', 'discharge', 'mole', 'sore',
    ],
    weak: ['hurts', 'hurt', 'hurting', 'tired', 'sick', 'bleed', 'burning', 'numb'],
    related: ['ILLNESS'],
  },
  {
    id: 'ILLNESS',
    strength: 'strong',
    terms: [
      'illness', 'disease', 'diseases', 'disorder', 'diagnosis', 'diagnose', 'diagnosed', 'misdiagnosis', 'cancer',
      'tumor', 'tumour', 'diabetes', 'diabetic', 'asthma', 'flu', 'influenza', 'covid', 'covid-19', 'pneumonia',
      'infection', 'infected', 'bacterial', 'sti', 'hiv', 'herpes', 'arthritis', 'adhd', 'autism',
      'heart attack', 'hypertension', 'high blood pressure', 'allergy', 'allergies', 'allergic', 'strep',
      'appendicitis', 'concussion', 'fracture', 'sprain', 'ulcer', 'anemia', 'thyroid', 'lupus', 'eczema',
      'psoriasis', 'shingles', 'measles', 'chickenpox', 'bronchitis', 'sinusitis', 'uti', 'kidney stone',
      'kidney stones', 'gout', 'melanoma', 'leukemia', 'dementia', 'alzheimer', "alzheimer's", 'parkinson',
      "parkinson's", 'epilepsy', 'hepatitis', 'tuberculosis', 'malaria', 'lyme', 'celiac', 'ibs', 'gerd',
      'acid reflux', 'medical condition', 'prognosis', 'cholesterol',
    ],
    weak: ['condition', 'conditions', 'virus', 'ill', 'stroke', 'depression', 'anxiety', 'cold', 'disorders', 'aids', 'std'],
    related: ['SYMPTOM', 'MEDICATION', 'HEALTHCARE'],
  },
  {
    id: 'MEDICATION',
    strength: 'strong',
    terms: [
      'medication', 'medications', 'medicine', 'medicines', 'meds', 'pill', 'pills', 'dose', 'doses', 'dosage',
      'dosing', 'mg', 'milligram', 'milligrams', 'prescription', 'prescribe', 'prescribed', 'antibiotic',
      'antibiotics', 'ibuprofen', 'advil', 'motrin', 'tylenol', 'acetaminophen', 'paracetamol', 'aspirin',
      'amoxicillin', 'penicillin', 'insulin', 'metformin', 'xanax', 'adderall', 'prozac', 'zoloft', 'sertraline',
      'opioid', 'opioids', 'oxycodone', 'codeine', 'morphine', 'antihistamine', 'benadryl', 'steroid', 'steroids',
      'prednisone', 'antidepressant', 'antidepressants', 'painkiller', 'painkillers', 'overdose', 'side effects',
      'side effect', 'naproxen', 'aleve', 'lisinopril', 'statin', 'statins', 'melatonin', 'cough syrup',
      'over the counter', 'otc', 'vaccine', 'vaccines',
    ],
    weak: ['drug', 'drugs', 'tablet', 'tablets', 'supplement', 'supplements', 'vitamin', 'vitamins', 'cream'],
    related: ['ILLNESS', 'HEALTHCARE'],
  },
  {
    id: 'HEALTHCARE',
    strength: 'medium',
    terms: [
      'doctor', 'doctors', 'physician', 'nurse', 'hospital', 'clinic', 'emergency room', 'gp', 'pediatrician',
      'surgeon', 'surgery', 'treatment', 'treatments', 'cure', 'therapist', 'blood test', 'x-ray', 'mri',
      'checkup', 'specialist', 'pharmacy', 'pharmacist', 'medical', 'health', 'healthcare', 'dermatologist',
      'cardiologist', 'er visit', 'urgent care', 'patient', 'patients',
    ],
    weak: ['treat', 'therapy', 'scan', 'test results'],
  },
  {
    id: 'BODY',
    strength: 'weak',
    terms: [
      'chest', 'heart', 'lung', 'lungs', 'stomach', 'skin', 'throat', 'neck', 'knee', 'liver', 'kidney', 'kidneys',
      'blood', 'bowel', 'bladder', 'spine', 'joint', 'joints', 'muscle', 'muscles', 'brain', 'breast', 'abdomen',
      'belly', 'ear', 'ears', 'eyes', 'teeth', 'tooth', 'gums', 'wrist', 'ankle', 'shoulder', 'hip', 'toe', 'toes',
    ],
    related: ['SYMPTOM'],
  },
  {
    id: 'MENTAL_HEALTH',
    strength: 'strong',
    terms: [
      'depressed', 'depression', 'anxiety', 'anxious', 'panic attack', 'panic attacks', 'mental health', 'therapy',
      'therapist', 'psychiatrist', 'bipolar', 'ptsd', 'ocd', 'schizophrenia', 'eating disorder', 'anorexia',
      'bulimia', 'self-esteem', 'burnout', 'lonely', 'loneliness', 'hopeless',
    ],
    weak: ['stress', 'stressed', 'sad'],
  },
  {
    id: 'SELF_HARM',
    strength: 'strong',
    terms: [
      'suicide', 'suicidal', 'self-harm', 'self harm', 'kill myself', 'end my life', 'end it all', 'hurt myself',
      'cut myself', 'cutting myself', 'want to die', 'overdose', 'take my own life',
    ],
    related: ['MENTAL_HEALTH'],
  },

  // ── law ────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'LITIGATION',
    strength: 'strong',
    terms: [
      'lawsuit', 'lawsuits', 'sue', 'sues', 'suing', 'sued', 'litigation', 'litigate', 'court', 'courts', 'courtroom',
      'judge', 'plaintiff', 'defendant', 'settlement', 'small claims', 'class action', 'subpoena', 'testify',
      'testimony', 'verdict', 'jury', 'custody', 'divorce', 'alimony', 'child support', 'restraining order',
      'file a claim', 'legal action', 'take legal action', 'press charges', 'dispute', 'disputes', 'damages',
      'compensation claim', 'injunction', 'deposition', 'mediation', 'arbitration', 'court case', 'legal case',
      'legal dispute', 'liable', 'liability', 'negligence', 'malpractice', 'defamation', 'libel', 'slander',
    ],
    weak: ['trial', 'hearing', 'appeal', 'case', 'claim', 'settle'],
    related: ['LAWYER', 'CONTRACT', 'CRIMINAL'],
  },
  {
    id: 'LAWYER',
    strength: 'strong',
    terms: [
      'lawyer', 'lawyers', 'attorney', 'attorneys', 'legal', 'legally', 'law firm', 'solicitor', 'barrister',
      'public defender', 'legal advice', 'legal counsel', 'paralegal', 'illegal', 'unlawful', 'lawful',
      'my rights', 'legal rights', 'statute', 'statute of limitations',
    ],
    weak: ['law', 'laws', 'counsel'],
    related: ['LITIGATION'],
  },
  {
    id: 'CONTRACT',
    strength: 'strong',
    terms: [
      'contract', 'contracts', 'clause', 'clauses', 'lease', 'leases', 'tenancy', 'non-compete', 'noncompete', 'nda',
      'breach', 'breach of contract', 'terms and conditions', 'landlord', 'tenant', 'tenants', 'eviction', 'evict',
      'evicted', 'waiver', 'indemnity', 'rental agreement', 'security deposit', 'break my lease', 'notice period',
    ],
    weak: ['agreement', 'deposit', 'penalty', 'warranty', 'sign', 'signed', 'terms'],
    related: ['LITIGATION', 'LAWYER'],
  },
  {
    id: 'CRIMINAL',
    strength: 'strong',
    terms: [
      'arrest', 'arrested', 'arrests', 'police', 'cop', 'cops', 'charged', 'crime', 'crimes', 'criminal', 'felony',
      'misdemeanor', 'dui', 'dwi', 'drunk driving', 'bail', 'jail', 'prison', 'probation', 'parole', 'warrant',
      'plea', 'plea deal', 'guilty', 'conviction', 'convicted', 'miranda', 'interrogation', 'detained', 'shoplifting',
      'theft', 'stealing', 'assault charge', 'criminal record', 'expunge', 'prosecutor', 'prosecuted', 'indicted',
      'speeding ticket', 'traffic ticket',
    ],
    weak: ['charge', 'charges', 'sentence', 'sentenced', 'officer', 'innocent', 'ticket'],
    related: ['LAWYER', 'LITIGATION'],
  },
  {
    id: 'IMMIGRATION',
    strength: 'strong',
    terms: [
      'immigration', 'immigrant', 'immigrants', 'visa', 'visas', 'green card', 'citizenship', 'deportation', 'deport',
      'deported', 'asylum', 'refugee', 'overstay', 'overstayed', 'work permit', 'naturalization', 'uscis', 'h-1b',
      'h1b', 'residency permit', 'undocumented', 'daca', 'work visa',
    ],
    weak: ['passport', 'border', 'residency'],
    related: ['LAWYER'],
  },
  {
    id: 'EMPLOYMENT_DISPUTE',
    strength: 'medium',
    terms: [
      'fired', 'wrongful termination', 'wrongfully terminated', 'wrongful dismissal', 'unfair dismissal',
      'discrimination', 'harassment', 'severance', 'unpaid wages', 'unpaid overtime', 'workers comp',
      "workers' compensation", 'whistleblower', 'hostile work environment', 'retaliation',
    ],
    weak: ['termination', 'terminated', 'overtime', 'dismissed'],
    related: ['LITIGATION'],
  },

  // ── politics ───────────────────────────────────────────────────────────────────────────────────
  {
    id: 'ELECTION',
    strength: 'strong',
    terms: [
      'vote', 'votes', 'voting', 'voter', 'voters', 'election', 'elections', 'elect', 'elected', 'reelection',
      're-election', 're-elect', 'ballot', 'ballots', 'midterm', 'midterms', 'referendum', 'ballot measure',
      'electoral', 'electorate', 'caucus', 'polling station', 'absentee', 'mail-in ballot', 'swing state',
      'presidential race', 'run for office', 'running for office', 'electoral college',
    ],
    weak: ['candidate', 'candidates', 'poll', 'polls', 'primary', 'primaries', 'proposition', 'measure', 'race'],
    related: ['PARTY', 'POLITICIAN'],
  },
  {
    id: 'PARTY',
    strength: 'strong',
    terms: [
      'democrat', 'democrats', 'democratic party', 'republican', 'republicans', 'gop', 'labour', 'labour party',
      'tory', 'tories', 'conservative party', 'liberal party', 'green party', 'greens', 'libertarian',
      'libertarians', 'socialist', 'socialists', 'left-wing', 'right-wing', 'maga', 'political party',
      'political parties', 'reform uk', 'lib dems', 'snp', 'dnc', 'rnc',
    ],
    weak: ['party', 'parties', 'conservative', 'conservatives', 'liberal', 'liberals', 'progressive', 'progressives'],
    related: ['ELECTION', 'POLITICIAN'],
  },
  {
    id: 'POLITICIAN',
    strength: 'medium',
    terms: [
      'politician', 'politicians', 'senator', 'congressman', 'congresswoman', 'congressperson', 'mp', 'mayor',
      'governor', 'prime minister', 'incumbent', 'trump', 'biden', 'obama', 'kamala', 'presidency', 'councillor',
      'council member', 'lawmaker', 'lawmakers', 'president',
    ],
    weak: ['representative', 'minister', 'leader', 'chancellor'],
    related: ['ELECTION', 'PARTY'],
  },
  {
    id: 'PERSUADE',
    strength: 'medium',
    terms: [
      'persuade', 'persuading', 'persuasive', 'convince', 'convincing', 'urge', 'urging', 'endorse', 'endorsement',
      'rally', 'propaganda', 'slogan', 'flyer', 'canvass', 'canvassing', 'lobby', 'advocate', 'campaign',
      'campaigning', 'campaign speech', 'talking points', 'attack ad', 'smear', 'win votes', 'reasons to support',
      'reasons not to', 'speech against', 'speech for', 'op-ed',
    ],
    weak: ['support', 'oppose', 'speech', 'tweet', 'post', 'ad', 'pitch', 'argue', 'argument'],
  },
  {
    id: 'GOVERNMENT',
    strength: 'weak',
    terms: [
      'government', 'senate', 'congress', 'parliament', 'legislation', 'constitution', 'politics', 'political',
      'democracy', 'legislature', 'white house', 'downing street', 'supreme court', 'federal', 'policy', 'policies',
    ],
    weak: ['bill', 'state'],
  },

  // ── business ───────────────────────────────────────────────────────────────────────────────────
  {
    id: 'COMPETITOR',
    strength: 'strong',
    terms: [
      'competitor', 'competitors', 'competition', 'rival', 'rivals', 'competing', 'other company', 'other companies',
      'other vendors', 'other providers', 'other brands', 'compete', 'competes', 'market share',
    ],
    weak: ['alternative', 'alternatives'],
    related: ['COMPARISON'],
  },
  {
    id: 'COMPARISON',
    strength: 'medium',
    terms: [
      'compare', 'compared', 'comparing', 'comparison', 'comparisons', 'versus', 'vs', 'better than', 'cheaper',
      'cheaper than', 'worse than', 'difference between', 'outperform', 'outperforms', 'switch to', 'switch from',
      'superior', 'inferior', 'instead of', 'rather than', 'stack up', 'beat', 'beats', 'cheapest', 'faster than',
    ],
    weak: ['prefer', 'better', 'worse'],
  },
  {
    id: 'PRICE',
    strength: 'medium',
    terms: [
      'price', 'prices', 'pricing', 'cost', 'costs', 'cheap', 'expensive', 'fee', 'fees', 'discount', 'discounts',
      'subscription', 'how much does', 'pricey', 'affordable', 'rates', 'price list', 'per month', 'quote',
    ],
    weak: ['rate', 'deal', 'deals', 'charge', 'pay'],
  },
  {
    id: 'PRODUCT',
    strength: 'weak',
    terms: [
      'product', 'products', 'feature', 'features', 'offering', 'offerings', 'service', 'services', 'app', 'apps',
      'software', 'platform', 'tool', 'tools', 'device', 'model', 'models', 'version',
    ],
  },
  {
    id: 'BUSINESS_PLANS',
    strength: 'medium',
    terms: [
      'roadmap', 'strategy', 'upcoming', 'launch', 'launching', 'release', 'releasing', 'announce', 'announcement',
      'acquisition', 'merger', 'expansion', 'pipeline', 'next quarter', 'next year', 'unreleased', 'plans',
      'planning', 'plan to',
    ],
  },

  // ── other frequent deny-list subjects ──────────────────────────────────────────────────────────
  {
    id: 'WEAPONS',
    strength: 'strong',
    terms: [
      'gun', 'guns', 'firearm', 'firearms', 'rifle', 'rifles', 'pistol', 'handgun', 'shotgun', 'ammo', 'ammunition',
      'bullet', 'bullets', 'weapon', 'weapons', 'explosive', 'explosives', 'bomb', 'bombs', 'grenade', 'ar-15',
      'silencer', 'suppressor', 'assault rifle', 'glock', 'caliber',
    ],
    weak: ['knife', 'knives', 'blade', 'shoot', 'shooting'],
  },
  {
    id: 'DRUGS',
    strength: 'strong',
    terms: [
      'cocaine', 'heroin', 'meth', 'methamphetamine', 'weed', 'marijuana', 'cannabis', 'lsd', 'mdma', 'ecstasy',
      'fentanyl', 'shrooms', 'psilocybin', 'ketamine', 'get high', 'getting high', 'drug dealer', 'crack cocaine',
      'thc', 'edibles', 'recreational drugs', 'illegal drugs',
    ],
    weak: ['high', 'dealer', 'stoned', 'joint'],
  },
  {
    id: 'GAMBLING',
    strength: 'strong',
    terms: [
      'gamble', 'gambling', 'bet', 'bets', 'betting', 'casino', 'casinos', 'poker', 'blackjack', 'roulette',
      'slot machine', 'slots', 'sportsbook', 'wager', 'wagers', 'lottery', 'jackpot', 'parlay', 'bookmaker',
      'bookie', 'sports betting',
    ],
    weak: ['odds', 'stake', 'stakes'],
  },
  {
    id: 'RELIGION',
    strength: 'strong',
    terms: [
      'religion', 'religions', 'religious', 'god', 'gods', 'jesus', 'christ', 'allah', 'bible', 'quran', 'koran',
      'torah', 'church', 'mosque', 'synagogue', 'pray', 'prayer', 'prayers', 'faith', 'atheist', 'atheism',
      'christian', 'christianity', 'muslim', 'muslims', 'islam', 'jewish', 'judaism', 'hindu', 'hinduism',
      'buddhist', 'buddhism', 'sin', 'heaven', 'salvation', 'scripture', 'catholic', 'protestant', 'pope',
    ],
    weak: ['temple', 'hell', 'soul', 'spiritual'],
  },
  {
    id: 'HACKING',
    strength: 'strong',
    terms: [
      'hack', 'hacking', 'hacked', 'hacker', 'hackers', 'exploit', 'exploits', 'malware', 'ransomware', 'phishing',
      'sql injection', 'ddos', 'keylogger', 'botnet', 'trojan', 'rootkit', 'zero-day', 'brute force', 'spyware',
      'credential stuffing', 'backdoor',
    ],
    weak: ['crack', 'bypass', 'breach', 'password', 'passwords', 'virus'],
  },
  {
    id: 'SEXUAL',
    strength: 'strong',
    terms: ['sex', 'sexual', 'porn', 'pornography', 'nude', 'nudes', 'naked', 'erotic', 'explicit', 'nsfw', 'orgasm', 'fetish'],
    weak: ['hot', 'intimate'],
  },
  {
    id: 'VIOLENCE',
    strength: 'medium',
    terms: ['kill', 'killing', 'murder', 'murdered', 'assault', 'stab', 'stabbing', 'beat up', 'torture', 'massacre', 'violence', 'violent'],
    weak: ['attack', 'fight', 'hurt', 'shoot'],
  },
  {
    id: 'EMPLOYMENT',
    strength: 'medium',
    terms: [
      'salary', 'salaries', 'pay raise', 'raise', 'compensation', 'bonus', 'bonuses', 'layoff', 'layoffs', 'hiring',
      'promotion', 'performance review', 'resignation', 'resign', 'job offer', 'employer', 'employee', 'employees',
      'interview', 'recruiter', 'payroll', 'paycheck', 'wage', 'wages',
    ],
    weak: ['job', 'boss', 'manager', 'hr'],
  },
  {
    id: 'EDUCATION',
    strength: 'medium',
    terms: [
      'homework', 'assignment', 'assignments', 'essay', 'essays', 'exam', 'exams', 'quiz', 'teacher', 'professor',
      'grade', 'grades', 'coursework', 'thesis', 'dissertation', 'university', 'college', 'tuition', 'syllabus',
    ],
    weak: ['test', 'school', 'class', 'cheat'],
  },
  {
    id: 'FOOD',
    strength: 'medium',
    terms: [
      'recipe', 'recipes', 'cook', 'cooking', 'bake', 'baking', 'ingredient', 'ingredients', 'meal', 'meals', 'food',
      'dinner', 'lunch', 'breakfast', 'cuisine', 'restaurant', 'dessert', 'snack', 'vegan', 'vegetarian', 'diet',
    ],
    weak: ['dish', 'eat', 'eating', 'kitchen'],
  },
  {
    id: 'TRAVEL',
    strength: 'medium',
    terms: [
      'travel', 'traveling', 'travelling', 'trip', 'trips', 'flight', 'flights', 'hotel', 'hotels', 'vacation',
      'holiday', 'holidays', 'airline', 'airport', 'itinerary', 'tourist', 'tourism', 'cruise', 'sightseeing',
    ],
    weak: ['booking', 'tour'],
  },
  {
    id: 'SPORTS',
    strength: 'medium',
    terms: [
      'football', 'soccer', 'basketball', 'baseball', 'tennis', 'hockey', 'cricket', 'rugby', 'golf', 'nfl', 'nba',
      'mlb', 'nhl', 'fifa', 'world cup', 'super bowl', 'premier league', 'olympics', 'championship', 'tournament',
    ],
    weak: ['match', 'game', 'team', 'player', 'league', 'score'],
  },
  {
    id: 'ASTROLOGY',
    strength: 'strong',
    terms: ['horoscope', 'horoscopes', 'zodiac', 'astrology', 'tarot', 'star sign', 'birth chart', 'psychic', 'fortune telling'],
  },
  {
    id: 'RELATIONSHIPS',
    strength: 'medium',
    terms: [
      'dating', 'boyfriend', 'girlfriend', 'relationship', 'relationships', 'romance', 'romantic', 'crush', 'breakup',
      'break up', 'marriage', 'husband', 'wife', 'spouse', 'partner', 'cheating', 'tinder',
    ],
    weak: ['date', 'ex', 'love'],
  },
];

/**
 * Phrases that signal a request for advice, a recommendation or a decision ("should I", "is it a good
 * time to", "what do I have"). Lowercase tokens separated by spaces; matched on consecutive tokens.
 */
export const INTENT_PHRASES: readonly string[] = [
  'should i', 'should we', 'should my', 'should he', 'should she', 'shall i', 'shall we', 'ought to',
  'do you recommend', 'would you recommend', 'can you recommend', 'could you recommend', 'recommend', 'recommended',
  'recommendation', 'recommendations', 'advise', 'advice', 'suggest', 'suggestion', 'suggestions',
  'is it a good', 'is it wise', 'is it smart', 'is it safe', 'is it worth', 'is it okay', 'is it ok',
  'is it better', 'is now a good', 'is this a good', 'is this the right', 'is now the time', 'good time to',
  'good moment to', 'right time to', 'good idea to', 'best way to', 'best time to', 'what do i do',
  'what can i do', 'what would you do', 'tell me which', 'tell me what to', 'help me decide', 'help me choose',
  'help me pick', 'worth it', 'worth buying', 'worth investing', 'can i', 'may i', 'do i have', 'do i need',
  'am i', 'what are my options', 'what are my rights', 'my rights', 'convince me', 'persuade', 'convince',
  'what could it be', 'what is wrong with me', "what's wrong with me", 'is this normal',
  'is that normal', 'how much should', 'how many should', 'how much can i', 'how many can i', 'i want to know if',
  'would it be', 'is it possible for me', 'what should', 'which is better', 'which one is better', 'which one should',
  'give me reasons', 'reasons to',
];

/** "which/what/where … should …" and "which … to buy" count as intent too (within a few tokens). */
export const INTENT_INTERROGATIVES: readonly string[] = ['which', 'what', 'where', 'who', 'whom', 'how'];
export const INTENT_MODALS: readonly string[] = ['should', 'shall', 'ought'];
/** Verbs after "to" that make "which X to <verb>" a decision request. */
export const INTENT_TO_VERBS: readonly string[] = [
  'buy', 'sell', 'invest', 'take', 'do', 'say', 'vote', 'choose', 'pick', 'put', 'use', 'get', 'trust', 'hire',
  'sign', 'file', 'sue', 'support', 'back', 'move', 'trade', 'hold',
];

/**
 * Boilerplate of topic definitions ("Advice on…", "Questions about…", "Telling a person…"): ignored when
 * building a topic's representation, because every topic says it and texts use it in any subject.
 */
export const TOPIC_META_WORDS: readonly string[] = [
  'advice', 'advise', 'advising', 'advises', 'recommend', 'recommending', 'recommendation', 'recommendations',
  'recommends', 'question', 'questions', 'ask', 'asks', 'asking', 'tell', 'telling', 'tells', 'person', 'persons',
  'someone', 'somebody', 'anyone', 'user', 'users', 'people', 'help', 'helping', 'information', 'info',
  'discussion', 'discussions', 'discuss', 'discussing', 'topic', 'topics', 'related', 'relating', 'regarding',
  'concerning', 'including', 'include', 'includes', 'such', 'specific', 'specifically', 'matter', 'matters',
  'provide', 'provides', 'providing', 'give', 'gives', 'giving', 'request', 'requests', 'requesting', 'kind',
  'kinds', 'type', 'types', 'example', 'examples', 'anything', 'something', 'content', 'talk', 'talking',
  'mention', 'mentions', 'mentioning', 'explain', 'explaining', 'describe', 'describing', 'guidance',
  'suggestion', 'suggestions', 'suggest', 'suggesting', 'opinion', 'opinions', 'statement', 'statements',
  'any', 'all', 'other', 'various', 'general', 'particular', 'certain', 'way', 'ways',
];
