/**
 * A tiny built-in English frequency model: function words (weight 0), very common content words
 * (low weight) and everything else (full weight). It stands in for IDF when there is no corpus.
 * All lists are lowercase surface forms; `wordWeight` also accepts the stem of a common word.
 */
import { inflections, stem } from './stem.ts';

/** Function words and very frequent fillers: carry no topical information. */
export const STOPWORDS: readonly string[] = [
  'a', 'about', 'above', 'after', 'again', 'against', 'all', 'almost', 'also', 'although', 'always', 'am', 'among',
  'an', 'and', 'another', 'any', 'anybody', 'anyone', 'anything', 'anyway', 'are', 'around', 'as', 'at', 'be',
  'because', 'been', 'before', 'being', 'below', 'between', 'both', 'but', 'by', 'can', 'cannot', 'could', 'did',
  'do', 'does', 'doing', 'done', 'down', 'during', 'each', 'either', 'else', 'enough', 'etc', 'even', 'ever',
  'every', 'few', 'for', 'from', 'further', 'get', 'gets', 'getting', 'got', 'gotten', 'had', 'has', 'have',
  'having', 'he', 'her', 'here', 'hers', 'herself', 'him', 'himself', 'his', 'how', 'however', 'i', 'if', 'in',
  'into', 'is', 'it', 'its', 'itself', 'just', 'least', 'less', 'let', 'lets', 'like', 'many', 'may', 'maybe',
  'me', 'might', 'mine', 'more', 'most', 'much', 'must', 'my', 'myself', 'neither', 'never', 'no', 'nor', 'not',
  'now', 'of', 'off', 'often', 'ok', 'okay', 'on', 'once', 'one', 'only', 'onto', 'or', 'other', 'others',
  'otherwise', 'ought', 'our', 'ours', 'ourselves', 'out', 'over', 'own', 'per', 'perhaps', 'please', 'quite',
  'rather', 'really', 'same', 'shall', 'she', 'should', 'since', 'so', 'some', 'somebody', 'someone', 'something',
  'sometimes', 'somewhat', 'still', 'such', 'than', 'that', 'the', 'their', 'theirs', 'them', 'themselves',
  'then', 'there', 'these', 'they', 'thing', 'things', 'this', 'those', 'though', 'through', 'thus', 'to', 'too',
  'toward', 'towards', 'under', 'until', 'up', 'upon', 'us', 'very', 'via', 'was', 'we', 'well', 'were', 'what',
  'whatever', 'when', 'whenever', 'where', 'whether', 'which', 'while', 'who', 'whoever', 'whom', 'whose', 'why',
  'will', 'with', 'within', 'without', 'would', 'yes', 'yet', 'you', 'your', 'yours', 'yourself', 'yourselves',
  "i'm", "i've", "i'd", "i'll", "you're", "you've", "you'll", "you'd", "he's", "she's", "it's", "we're", "we've",
  "they're", "they've", "that's", "there's", "what's", "who's", "let's", "don't", "doesn't", "didn't", "isn't",
  "aren't", "wasn't", "weren't", "won't", "wouldn't", "can't", "couldn't", "shouldn't", "haven't", "hasn't",
  "hadn't", 'im', 'ive', 'dont', 'doesnt', 'didnt', 'isnt', 'cant', 'wont', 'hi', 'hello', 'hey', 'thanks',
  'thank', 'oh', 'yeah', 'lol', 'ah', 'um', 'uh',
];

/**
 * Frequent English content words (roughly the top few hundred): weak evidence of what a text is about.
 */
export const COMMON_WORDS: readonly string[] = [
  // verbs
  'able', 'accept', 'act', 'add', 'agree', 'allow', 'appear', 'apply', 'ask', 'become', 'begin', 'believe',
  'bring', 'build', 'call', 'came', 'care', 'carry', 'cause', 'change', 'check', 'choose', 'close', 'come',
  'consider', 'continue', 'create', 'cut', 'decide', 'describe', 'die', 'do', 'drive', 'eat', 'end', 'enjoy',
  'expect', 'explain', 'face', 'fall', 'feel', 'fill', 'find', 'finish', 'follow', 'forget', 'gave', 'give',
  'go', 'goes', 'going', 'gone', 'grow', 'happen', 'hate', 'hear', 'help', 'hold', 'hope', 'include', 'keep',
  'kept', 'knew', 'know', 'known', 'last', 'lead', 'learn', 'leave', 'left', 'lie', 'like', 'listen', 'live',
  'look', 'lose', 'love', 'made', 'make', 'mean', 'meet', 'mind', 'miss', 'move', 'need', 'offer', 'open',
  'pass', 'pick', 'place', 'plan', 'play', 'point', 'prefer', 'prepare', 'provide', 'pull', 'push', 'put',
  'reach', 'read', 'receive', 'remain', 'remember', 'reply', 'report', 'require', 'rest', 'return', 'run',
  'said', 'saw', 'say', 'says', 'see', 'seem', 'seen', 'send', 'serve', 'set', 'show', 'sit', 'sleep', 'speak',
  'spend', 'stand', 'start', 'stay', 'stop', 'suppose', 'sure', 'take', 'taken', 'talk', 'teach', 'tell',
  'tend', 'think', 'thought', 'told', 'took', 'try', 'turn', 'understand', 'use', 'used', 'wait', 'walk', 'want',
  'watch', 'went', 'win', 'wish', 'wonder', 'work', 'worry', 'write', 'wrote',
  // nouns
  'age', 'air', 'amount', 'answer', 'area', 'art', 'baby', 'back', 'bit', 'body', 'book', 'box', 'boy', 'car',
  'case', 'center', 'chance', 'child', 'children', 'city', 'class', 'color', 'community', 'country', 'couple',
  'course', 'day', 'days', 'door', 'end', 'example', 'eye', 'fact', 'family', 'father', 'field', 'friend',
  'front', 'fun', 'game', 'girl', 'group', 'guy', 'guys', 'half', 'hand', 'head', 'history', 'home', 'hour',
  'house', 'idea', 'info', 'information', 'issue', 'job', 'kid', 'kids', 'kind', 'level', 'life', 'line', 'list',
  'lot', 'lots', 'man', 'matter', 'member', 'men', 'minute', 'moment', 'month', 'morning', 'mother', 'name',
  'night', 'number', 'office', 'order', 'page', 'paper', 'part', 'party', 'people', 'person', 'picture', 'piece',
  'place', 'problem', 'question', 'reason', 'result', 'room', 'school', 'second', 'side', 'sort', 'state',
  'story', 'student', 'system', 'team', 'term', 'thing', 'time', 'times', 'today', 'tomorrow', 'top', 'type',
  'way', 'ways', 'week', 'weekend', 'woman', 'women', 'word', 'words', 'world', 'year', 'years', 'yesterday',
  'stuff', 'topic', 'detail', 'details', 'step', 'steps', 'tip', 'tips', 'list', 'text', 'email', 'message',
  'phone', 'video', 'music', 'movie', 'food', 'water', 'dog', 'cat', 'friends', 'weather', 'news',
  'company', 'companies', 'business', 'program', 'service', 'study', 'research', 'war', 'power', 'town',
  'street', 'road', 'car', 'bed', 'table', 'window', 'wall', 'floor', 'building', 'account', 'data', 'site',
  'website', 'internet', 'computer', 'game', 'show', 'film', 'art', 'letter', 'plan', 'decision', 'experience',
  'effect', 'form', 'process', 'rule', 'rules', 'situation', 'thanks', 'lunch', 'dinner', 'girlfriend',
  'boyfriend', 'everyone', 'everything', 'nothing', 'someone', 'anyone', 'team', 'way', 'sense', 'kind',
  'step', 'steps', 'top', 'bottom', 'start', 'love', 'fact', 'control', 'model', 'version', 'user', 'users',
  'customer', 'customers', 'goal', 'goals', 'idea', 'ideas', 'need', 'needs', 'option', 'options', 'choice',
  'mind', 'voice', 'hair', 'face', 'heart', 'light', 'sound', 'color', 'colour', 'size', 'space', 'ground',
  'list', 'center', 'centre', 'view', 'age', 'period', 'minute', 'minutes', 'hours', 'weeks', 'months',
  // adjectives / adverbs
  'bad', 'beautiful', 'best', 'better', 'big', 'certain', 'clear', 'common', 'current', 'different', 'early',
  'easy', 'entire', 'fine', 'first', 'free', 'full', 'general', 'good', 'great', 'hard', 'high', 'important',
  'interesting', 'large', 'late', 'later', 'little', 'long', 'low', 'main', 'new', 'next', 'nice', 'normal',
  'old', 'past', 'possible', 'pretty', 'real', 'recent', 'recently', 'right', 'short', 'simple', 'small',
  'soon', 'special', 'strong', 'true', 'wrong', 'young', 'whole', 'ago', 'already', 'away', 'together', 'actually',
  'probably', 'usually', 'basically', 'exactly', 'especially', 'last', 'least', 'ready', 'sure', 'able',
  'available', 'similar', 'likely', 'open', 'close', 'hot', 'cold', 'black', 'white', 'red', 'blue', 'green',
  'dark', 'happy', 'sad', 'hard', 'huge', 'tiny', 'quick', 'quickly', 'slow', 'fast', 'cheap', 'final',
  'major', 'private', 'personal', 'social', 'local', 'national', 'international', 'human', 'whole', 'single',
  'ok', 'fine', 'cool', 'awesome', 'amazing', 'stupid', 'crazy', 'funny', 'weird', 'lot', 'lots',
  // verbs (more)
  'break', 'paying', 'pay', 'buy', 'sell', 'send', 'ask', 'asked', 'answer', 'feel', 'felt', 'lost', 'found',
  'kill', 'hit', 'fix', 'share', 'post', 'join', 'visit', 'happen', 'happened', 'wanted', 'trying', 'tried',
  'making', 'taking', 'seeing', 'saying', 'coming', 'looking', 'getting', 'doing', 'working', 'thinking',
];

/** Words that negate a clause. Contractions ending in n't are negations too (see `isNegation`). */
export const NEGATIONS: readonly string[] = [
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'cannot', 'nowhere', 'dont', 'doesnt',
  'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'wont', 'cant', 'couldnt', 'shouldnt', 'wouldnt', 'hasnt',
  'havent', 'hadnt',
];

const STOP_SET: ReadonlySet<string> = new Set(STOPWORDS);
const COMMON_SET: ReadonlySet<string> = new Set([...COMMON_WORDS, ...COMMON_WORDS.flatMap(inflections), ...COMMON_WORDS.map(stem)]);
const NEG_SET: ReadonlySet<string> = new Set(NEGATIONS);

/** Weight of a function word. */
export const WEIGHT_STOP = 0;
/** Weight of a very common content word. */
export const WEIGHT_COMMON = 0.3;
/** Weight of any other word. */
export const WEIGHT_RARE = 1;

/** True for a function word (lowercase surface form). */
export function isStopword(lower: string): boolean {
  return STOP_SET.has(lower);
}

/** True for a very common content word (lowercase surface form, a regular inflection of one, or a stem). */
export function isCommonWord(lowerOrStem: string): boolean {
  return COMMON_SET.has(lowerOrStem);
}

/** IDF-like weight of a word from its lowercase form and stem: 0, `WEIGHT_COMMON` or `WEIGHT_RARE`. */
export function wordWeight(lower: string, stemmed: string): number {
  if (STOP_SET.has(lower)) return WEIGHT_STOP;
  if (COMMON_SET.has(lower) || COMMON_SET.has(stemmed)) return WEIGHT_COMMON;
  return WEIGHT_RARE;
}

/** True when a lowercase token negates: not, never, no, …, and any contraction ending in n't. */
export function isNegation(lower: string): boolean {
  if (NEG_SET.has(lower)) return true;
  return lower.endsWith("n't") || lower.endsWith('n’t');
}
