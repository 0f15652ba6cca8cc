/**
 * Precompiled regular expressions of the prompt-attack detector. Every pattern runs in linear time:
 * no nested quantifiers, every gap is bounded (`{0,40}`), and no pattern starts with an unbounded
 * quantifier (so a failed match at one position never rescans a long run).
 */

export interface WeightedPattern {
  readonly name: string;
  readonly re: RegExp;
  readonly weight: number;
}

/** Role markers at the start of a line (tried only at line starts, with the sticky flag). */
export const LINE_MARKERS: readonly WeightedPattern[] = [
  {
    name: 'markdown-role-header',
    re: /[ \t>]{0,8}#{1,6}[ \t]{0,4}(?:system|instruction|instructions|new instructions|assistant|response|admin|developer)\b[ \t]{0,4}(?::|\n|$)/y,
    weight: 2.5,
  },
  { name: 'line-role-prefix', re: /[ \t>*]{0,8}(?:system|assistant|developer|admin)[ \t*]{0,4}:/y, weight: 2.5 },
];

/**
 * Fake conversation turns and chat-template tokens, matched on the folded, lower-cased text.
 */
export const ROLE_MARKERS: readonly WeightedPattern[] = [
  {
    name: 'chat-template-token',
    re: /<\|(?:im_start|im_end|system|assistant|user|endoftext|start_header_id|end_header_id|eot_id|begin_of_text|prompter|im_sep)\|>/g,
    weight: 6,
  },
  { name: 'inst-tag', re: /\[\/?inst\]/g, weight: 5 },
  { name: 'sys-tag', re: /<<\/?sys>>/g, weight: 5 },
  {
    name: 'xml-role-tag',
    re: /<\/?(?:system|sys|admin|instructions?|system_prompt|systemprompt|developer|assistant)(?:[ \t_-][^<>\n]{0,40})?>/g,
    weight: 3.5,
  },
  { name: 'brace-system', re: /[{(][ \t]{0,4}(?:system|admin|developer)[ \t]{0,4}:/g, weight: 4 },
  {
    name: 'bracket-role',
    re: /\[[ \t]{0,4}(?:system|admin|developer|developer mode|jailbreak|jailbroken|dan|🔓[^\]\n]{0,24})[ \t]{0,4}(?:\]|:)/g,
    weight: 3,
  },
  { name: 'bracket-gpt', re: /\[[ \t]{0,4}(?:gpt|chatgpt|classic|normal)[ \t]{0,4}\]/g, weight: 1.5 },
  { name: 'lock-emoji', re: /🔓|🔒/g, weight: 2 },
  { name: 'insert-prompt-here', re: /\[insert prompt here\]|\{insert prompt here\}|\[prompt\]|<prompt>/g, weight: 3.5 },
  { name: 'end-of-prompt', re: /(?:end of|end|---)[ \t]{0,4}(?:system )?(?:prompt|instructions|context)[ \t]{0,4}(?:---|\]|>|:)/g, weight: 2.5 },
];

/** Cheap substring checks that gate the role-marker patterns (same order as `ROLE_MARKERS`). */
export const ROLE_MARKER_GATES: readonly (readonly string[])[] = [
  ['<|'],
  ['[inst]', '[/inst]'],
  ['<<sys>>', '<</sys>>'],
  ['<'],
  ['system', 'admin', 'developer'],
  ['['],
  ['['],
  ['🔓', '🔒'],
  ['insert prompt here', '[prompt]', '<prompt>'],
  ['prompt', 'instructions', 'context'],
];

// The canonical attacks in other languages. Overrides co-occur an override verb and an instruction
// noun within a short window, in either order (verb-final languages put the verb last).
const ML_VERB =
  '(?:ignore[rz]?|ignorez|oublie[rz]?|oubliez|ne tiens pas compte|ne tenez pas compte|fais abstraction|ignora[rn]?|ignoren|olvida[r]?|olvídate|olvidate|olvide[n]?|haz caso omiso|omite|ignorare|dimentica(?:re)?|tralascia|lascia perdere|esqueça|esqueca|esquece[r]?|desconsidere|ignoriere[n]?|ignorieren sie|vergiss|vergessen sie|missachte[n]?|negeer|vergeet|zignoruj|ignoruj|zapomnij|игнорир[а-я]{0,6}|проигнорир[а-я]{0,6}|забуд[а-я]{0,5}|не обращай|ігнор[а-яії]{0,6}|αγνο[α-ωάέήίόύώ]{0,8}|ξέχασε|ignorera|glöm|ignorér|glem|zapomeň|ignoră|uită|felejtsd el|ohita|unohda|abaikan|lupakan|kalimutan|huwag pansinin|balewalain|bỏ qua|quên|phớt lờ|yok say|görmezden gel|unut|忽略|无视|無視|忘记|忘掉|忘れ|不要理会|무시|잊어|अनदेखा|अनदेखी|अवहेलना|नज़रअंदाज़|नजरअंदाज|भूल जा|उपेक्षा|উপেক্ষা|ভুলে যান|ভুলে যাও|ভুলে|تجاهل|انس|انسَ|تناسى|تغاضى|أهمل|اهمل|התעלם|שכח|ลืม|ไม่ต้องสนใจ|อย่าไปสนใจ|เพิกเฉย)';
const ML_NOUN =
  '(?:instru[cç][a-zçõãéíó]{0,8}|istruzion[ei]|anweisung(?:en)?|instructies|instrukcj[eiaą]{0,2}|инструкци[а-яё]{0,3}|указани[а-яё]{0,3}|правил[а-яё]{0,2}|інструкці[а-яії]{0,3}|οδηγ[α-ωάέήίόύώ]{0,6}|instruktion(?:er|erna)?|instruks(?:er|jon|joner|i)?|instrukce|pokyny|utasítás[a-zá]{0,4}|ohje[a-zäö]{0,4}|directiv[a-z]{0,3}|consignes|r[eè]gles|reglas|regole|regeln|regras|tagubilin|hướng dẫn|chỉ dẫn|chỉ thị|quy tắc|talimat[a-zığüşöç]{0,6}|指示|指令|说明|規則|规则|지시|지침|규칙|निर्देश|नियम|নির্দেশ|التعليمات|تعليمات|الأوامر|الإرشادات|הוראות|הנחיות|คําแนะนํา|คำแนะนำ|คำสั่ง|tout ce qu|todo lo que|tutto ciò che|tudo o que|alles was|все,? что|tất cả những gì|semua yang|जो भी आपको|যা বলা)';
const ML_GAP = '[^.!?。！？।\\n]{0,60}?';
// A secret the assistant holds, in other languages.
const ML_SECRET =
  '(?:mot de passe|contraseña|senha|palavra-passe|parola d.ordine|passwort|wachtwoord|hasło|пароль|mật khẩu|kata sandi|kata laluan|şifre|パスワード|비밀번호|密码|密碼|口令|पासवर्ड|পাসওয়ার্ড|كلمة المرور|كلمة السر|รหัสผ่าน|clé secrète|chiave segreta|clave secreta|chave secreta|geheime[rn]? schlüssel|секретный ключ|khóa bí mật|chìa khóa bí mật|kunci rahasia|gizli anahtar|秘密の鍵|秘密钥|秘密鑰|비밀 ?키|गुप्त कुंजी|গোপন চাবি|المفتاح السري|مفتاحك السري|กุญแจลับ|lihim na susi)';
const ML_YOUR =
  '(?:\\bta |\\bton |\\bvotre |\\btu |\\btua |\\btuo |\\bsua |\\bteu |\\btua |\\bdein|\\bihr |\\bтвой|\\bваш|của bạn|\\banda\\b|\\bmu\\b|senin|あなたの|你的|您的|당신의|너의|आपकी|आपका|तुम्हारी|তোমার|আপনার|الخاص بك|ك السري|ของคุณ|iyong)';
const ML_MODE_SYS =
  '(?:system|sistema|système|systeme|systém|систем[а-я]{0,3}|hệ thống|sistem|システム|系统|系統|시스템|सिस्टम|সিস্টেম|النظام|ระบบ|god|dios|dieu|gott|бог[а-я]{0,2}|chúa|tuhan|tanrı|神|上帝|신|भगवान|ঈশ্বর|الإله|พระเจ้า|mantenimiento|maintenance|manutenzione|manutenção|wartung|обслуживани[а-я]{0,2}|bảo trì|pemeliharaan|bakım|メンテナンス|维护|維護|유지보수|रखरखाव|রক্ষণাবেক্ষণ|الصيانة|บำรุงรักษา|override|anulación|contournement|прио?ритет)';
const ML_MODE =
  '(?:mode|modo|modalità|modus|режим[а-я]{0,2}|chế độ|mod|modu|モード|模式|모드|मोड|মোড|وضع|โหมด)';
const ML_DEVELOPER =
  '(?:desarrollador|développeur|developpeur|sviluppatore|desenvolvedor|entwickler|разработчик[а-я]{0,2}|nhà phát triển|pengembang|geliştirici|開発者|开发者|開發者|개발자|डेवलपर|ডেভেলপার|المطور|นักพัฒนา|tagapag-develop|creador|créateur|creatore|criador|schöpfer|создател[а-я]{0,2}|người tạo|pencipta|yaratıcı|作成者|创造者|창조자|निर्माता|স্রষ্টা|خالق|ผู้สร้าง|lumikha)';
export const MULTILINGUAL: readonly WeightedPattern[] = [
  { name: 'override-multilingual', re: new RegExp(`${ML_VERB}${ML_GAP}${ML_NOUN}`, 'g'), weight: 6 },
  { name: 'override-multilingual-verb-final', re: new RegExp(`${ML_NOUN}${ML_GAP}${ML_VERB}`, 'g'), weight: 6 },
  { name: 'secret-multilingual-yours', re: new RegExp(`${ML_YOUR}[^.!?。！？\\n]{0,12}?${ML_SECRET}|${ML_SECRET}[^.!?。！？\\n]{0,12}?${ML_YOUR}`, 'g'), weight: 4.6 },
  { name: 'secret-multilingual', re: new RegExp(ML_SECRET, 'g'), weight: 1.5 },
  { name: 'mode-multilingual', re: new RegExp(`${ML_MODE_SYS}[ \\t'"«»“”‘’-]{0,3}${ML_MODE}|${ML_MODE}[ \\t'"«»“”‘’-]{0,3}(?:de |del |du |di |do |da )?${ML_MODE_SYS}`, 'g'), weight: 3 },
  { name: 'developer-claim-multilingual', re: new RegExp(ML_DEVELOPER, 'g'), weight: 2 },
  {
    name: 'system-prompt-multilingual',
    re: /(?:prompt (?:del |du |de )?(?:sistema|système|systeme|system)|system-?prompt|mensaje del sistema|message système|systemnachricht|системн[а-я]{0,3} (?:промпт|подсказк[а-я]{0,2}|инструкци[а-я]{0,2})|系统提示|システムプロンプト|시스템 프롬프트)/g,
    weight: 3,
  },
];

/** Patterns matched on the original text (case matters). */
export const CASED: readonly WeightedPattern[] = [
  { name: 'dan-persona', re: /\bDAN\b[^.!?\n]{0,80}?(?:model|modelo|modèle|modello|modell|модел|mô hình|\bAI\b|\bIA\b|\bKI\b|ИИ|人工智能|モデル|모델|मॉडल|মডেল|نموذج|โมเดล|application|aplicación|applicazione|aplicativo|Anwendung|приложени|ứng dụng|aplikasi|uygulama|应用|アプリ|애플리케이션|आवेदन|অ্যাপ্লিকেশন|تطبيق|แอป)/g, weight: 4 },
  { name: 'dan-persona-before', re: /(?:model|modelo|modèle|modello|modell|модел|mô hình|\bAI\b|\bIA\b|\bKI\b|ИИ|人工智能|モデル|모델|मॉडल|মডেল|نموذج|โมเดล)[^.!?\n]{0,80}?\bDAN\b/g, weight: 4 },
];

/** Instructions hidden in an HTML/XML comment or a code comment of a document to be processed. */
export const HIDDEN_INSTRUCTIONS: readonly WeightedPattern[] = [
  {
    name: 'comment-instruction',
    re: /(?:<!--|\/\/|#|\/\*)[^\n]{0,40}?(?:ignore|disregard|forget|instead|new instructions|you must|print|say|state|respond with|reply with|output)\b/g,
    weight: 1.5,
  },
];

/**
 * Key attack phrases on the letters-only concatenation of the words ("i g n o r e  p r e v i o u s"
 * and "ign-ore prev.ious" both become "ignoreprevious…"). An override needs an explicit qualifier so
 * that "ignore the rules of grammar" (→ "ignoretherules…") does not match.
 */
export const COMPACT_OVERRIDE =
  /(?:ignore|disregard|forget|overlook|bypass|override|discard|dismiss|neglect)(?:(?:all|any|every|your)(?:of)?(?:the|your)?(?:previous|prior|above|earlier|preceding|former|initial|original|system)?|(?:the)?(?:previous|prior|above|earlier|preceding|former|initial|original|system))(?:andfollowing|andsubsequent)?(?:instructions?|directives?|rules|prompts?|guidelines|commands|constraints|restrictions|programming|orders)/g;
export const COMPACT_JAILBREAK =
  /(?:doanythingnow|developermodeenabled|developermodeoutput|danmodeenabled|youarenowdan|actasdan|jailbroken|whatisyoursystemprompt|revealyoursystemprompt|printyoursystemprompt|repeatyoursystemprompt|repeatthetextabove|repeatthewordsabove|ignoreallpreviousinstructions|ignorepreviousinstructions|ignoreyourinstructions)/g;

/** Encoded blobs with separators (contiguous base64 and hex runs are found by a scan in `decode.ts`). */
// Hex bytes of ASCII text start with a digit 2–7, so the pattern only starts at digits.
export const HEX_SPACED = /(?:[2-7][0-9a-fA-F][ ,:]){15,}[2-7][0-9a-fA-F]/g;
export const BINARY_BLOB = /(?:[01]{8}[ ,]?){8,}/g;
