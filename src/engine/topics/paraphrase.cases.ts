/**
 * Test table for paraphrase (WordNet) evidence, written for this project: topics the hand-written
 * lexicon does not cover (or covers only in part), `on` texts that name the subject only through
 * paraphrases — hyponyms ("vodka", "cockatoo"), synonyms ("automobile", "mend"), derivations
 * ("believers") — and are detected only with WordNet evidence, and `off` near misses that share words or
 * senses with the topic and must stay undetected.
 */
import type { TopicCase } from './topic.cases.ts';

export const PARAPHRASE_CASES: readonly TopicCase[] = [
  {
    topic: {
      name: 'Alcohol',
      definition: 'Questions about alcoholic drinks such as beer, wine, spirits or cocktails, and getting drunk.',
      examples: ['What is a good wine for a steak dinner?', 'How many beers can I have before I am drunk?'],
    },
    on: [
      'How much vodka does it take to get tipsy?',
      'Recommend a bourbon to sip by the fireplace.',
      'How much gin should go into a martini?',
      'Which whiskey and vodka brands make the best cocktails?',
      'How do I mix a daiquiri with dark rum?',
      'Is cider or ale better for a hot day?',
      'How many shots of tequila until I am intoxicated?',
    ],
    off: [
      'What is the best coffee bean for espresso?',
      'How do I make lemonade from scratch?',
      'How do I brew green tea properly?',
      'Where can I buy sparkling water in bulk?',
      'Recommend a good fireplace screen for my living room.',
      'What spirit animal matches my personality?',
    ],
  },
  {
    topic: {
      name: 'Pet care',
      definition: 'Questions about caring for pets such as puppies, kittens, parrots or goldfish, their food and health.',
      examples: ['What should I feed my puppy?', 'Why does my kitten scratch the sofa?'],
    },
    on: [
      'How often should I feed my cockatoo?',
      'What should I feed my macaw and my budgerigar?',
      'Is kibble or canned food healthier for my pup?',
      'My kitty will not eat her food, should I see a vet?',
      'Which food keeps a young cockatiel healthy?',
    ],
    off: [
      'What does the idiom raining cats and dogs mean?',
      'Which fish recipe is quickest for dinner?',
      'My computer mouse stopped working.',
      'Explain the Schrodinger cat thought experiment.',
      'How do I care for a leather jacket?',
      'What is the tallest bird in the world?',
    ],
  },
  {
    topic: {
      name: 'Car repair',
      definition: 'Help diagnosing or fixing problems with a car, its engine, brakes or tires.',
      examples: ['My engine makes a knocking noise, what is wrong?', 'How do I change my brake pads?'],
    },
    on: [
      'How do I mend the brakes on my automobile?',
      'The motor of my hatchback rattles when I accelerate, how do I repair it?',
    ],
    off: [
      'Which car has the best resale value?',
      'How do I fix a leaking kitchen faucet?',
      'My laptop battery dies too fast.',
      'How do I repair a torn jacket?',
      'What is the speed limit on German highways?',
      'How do I brake on a snowboard?',
    ],
  },
  {
    topic: {
      name: 'Religion',
      definition: 'Discussion of religious beliefs, faith, worship, deities or sacred scripture.',
      examples: ['Does God exist?', 'Which religion is the true one?'],
    },
    on: [
      'Explain what Buddhists believe happens after death.',
      'Is the Bible meant to be read literally by believers?',
    ],
    off: [
      'What time does the museum close on Sunday?',
      'Which temple run game level is the hardest?',
      'Our fans worship the new striker.',
      'How do I convert a PDF to Word?',
      'What is the boiling point of water at high altitude?',
      'Who painted the ceiling of the Sistine Chapel?',
    ],
  },
];
