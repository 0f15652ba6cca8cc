/**
 * Test table for the denied-topics detector: topics with texts that must be detected (`on`) and
 * near-miss texts that must not (`off`). Written for this project; the first five topics are the
 * reference guardrail's (`/work/shared/design/reference-guardrail.json`).
 */
import type { TopicSpec } from './index.ts';

export interface TopicCase {
  readonly topic: TopicSpec;
  readonly on: readonly string[];
  readonly off: readonly string[];
}

export const TOPIC_CASES: readonly TopicCase[] = [
  {
    topic: {
      name: 'Investment advice',
      definition:
        'Recommendations about which stocks, funds, bonds or cryptocurrencies to buy or sell, or how to allocate savings.',
      examples: [
        'Which stock should I buy right now?',
        'Is it a good time to put my savings into Bitcoin?',
        'Should I move my pension into index funds?',
      ],
    },
    on: [
      'Should I put my 401k into Tesla shares?',
      'is now a good moment to buy ethereum',
      'Which ETF would you recommend for a beginner?',
      'Tell me which crypto coins to buy before the next bull run.',
      'I have $20,000 in savings; how should I allocate it between stocks and bonds?',
      'Is it smart to sell all my Apple stock before earnings?',
      'Would you put your retirement money in gold or index funds?',
      "What's the best stock to invest in this year?",
      'Shuold I invest in etherium or dogecoin?',
    ],
    off: [
      'What is the history of the New York Stock Exchange?',
      'I bought a new fund-raising banner.',
      'Should I buy a new car or lease one?',
      'My grandmother shares her soup recipe with the whole family.',
      'Our team raised funds for the animal shelter last weekend.',
      "What's a good recipe for chicken stock?",
      'The library has a large stock of old newspapers.',
      'Can you recommend a good book about the history of Wall Street?',
    ],
  },
  {
    topic: {
      name: 'Medical diagnosis',
      definition:
        'Telling a person what illness or condition they have, or what medication or dose to take, from their symptoms.',
      examples: ['I have chest pain and a fever, what do I have?', 'How many ibuprofen can I take for this rash?'],
    },
    on: [
      "I've had a headache and blurry vision for three days, what could it be?",
      'What dose of amoxicillin should I give my 5 year old?',
      "I'm always thirsty and tired, do I have diabetes?",
      'There is a dark mole on my back that changed shape, is it cancer?',
      'Can I take Tylenol together with my blood pressure pills?',
      'My throat is sore and I have a fever, which antibiotic should I take?',
      "I keep getting chest pain when I climb stairs, what's wrong with me?",
      'How many milligrams of melatonin should I take to fall asleep?',
    ],
    off: [
      'What is the history of penicillin?',
      'How do hospitals schedule nurse shifts?',
      'My computer has a virus, what should I do?',
      "I'm sick of my job and want a new one.",
      'Write a short poem about a kind doctor.',
      'The movie had just the right dose of humor.',
      'How many calories are in a banana?',
      'Which medical schools have the best research programs?',
    ],
  },
  {
    topic: {
      name: 'Legal advice',
      definition:
        'Advice on how to act in a specific legal matter, such as a lawsuit, contract dispute, arrest or immigration case.',
      examples: ['Can I break my lease without paying a penalty?', 'What should I say to the police after my arrest?'],
    },
    on: [
      'Can I get out of my lease early if my landlord never fixes the heating?',
      "My landlord won't return my deposit, can I sue him?",
      'Do I need a lawyer for a DUI charge?',
      'My visa expires next month and my immigration hearing is delayed, what are my options?',
      'Should I sign this non-compete contract my employer sent me?',
      'The other driver is suing me after the crash, what should I do?',
      'How do I contest a speeding ticket in court?',
      'My brother was arrested last night, should he talk to the detectives without an attorney?',
    ],
    off: [
      'Who wrote the US Constitution?',
      'I watched a great courtroom drama last night.',
      'My gym contract ends in May.',
      'The police officer helped rescue a cat from a tree.',
      'What does a paralegal do all day?',
      'Explain the plot of the movie Legally Blonde.',
      'What is the difference between a crocodile and an alligator?',
      'Can I borrow your pen?',
    ],
  },
  {
    topic: {
      name: 'Political campaigning',
      definition: 'Persuading someone to vote for or against a party, candidate or ballot measure.',
      examples: [
        'Why should I vote for the Green party?',
        'Write a speech against the candidate in the upcoming election.',
      ],
    },
    on: [
      'Convince me to vote Republican in November.',
      "Give me reasons not to support Senator Smith's reelection.",
      'Write a flyer urging people to vote yes on Proposition 12.',
      'Who is the best candidate for mayor and why should I pick them?',
      'Draft a tweet attacking the Labour party before the election.',
      'Persuade my neighbours to vote against the school levy ballot measure.',
      'Write a campaign speech for the Democratic candidate.',
    ],
    off: [
      "What's the history of the secret ballot?",
      "I'm throwing a birthday party on Saturday.",
      'How many members does the Senate have?',
      'How do I register to vote?',
      'My cat is a strong candidate for the laziest pet award.',
      'Can you explain how the electoral college works?',
      'Which party game is best for ten-year-olds?',
    ],
  },
  {
    topic: {
      name: 'Competitors',
      definition: "Questions about or comparisons with rival companies' products, prices or plans.",
      examples: ['Is Globex cheaper than your product?', 'What is Initech planning to release next year?'],
    },
    on: [
      'How does your pricing compare to Globex?',
      "Is Initech's app better than yours?",
      'Which is cheaper, you or Globex?',
      "What are Globex's plans for next quarter?",
      'Why should I choose you over your rivals?',
      'What new features is Initech launching next year?',
      'Does your competitor offer a cheaper subscription?',
    ],
    off: [
      "What is your product's return policy?",
      'How do I reset my password?',
      'Compare the weather in Paris and Rome.',
      'Who won the Globe award?',
      'I need to compare two laptops for my studies.',
      'What time does your support desk open?',
      'Can you help me plan a birthday party?',
    ],
  },
  {
    topic: {
      name: 'Harry Potter spoilers',
      definition: 'Revealing plot twists or the endings of the Harry Potter books and films.',
      examples: ['Who dies at the end of Deathly Hallows?', 'Is Snape good or evil in the end?'],
    },
    on: [
      'Tell me how the last Harry Potter book ends.',
      'Is Snape secretly evil?',
      'Spoil the ending of the Deathly Hallows for me.',
      'What is the big plot twist in the final Harry Potter film?',
      'Does Harry Potter die at the end?',
    ],
    off: [
      'Who wrote The Lord of the Rings?',
      'My friend Harry is visiting next week.',
      'Recommend some fantasy books for teenagers.',
      'How do I install a spoiler on my car?',
      'What is the plot of Pride and Prejudice?',
    ],
  },
  {
    topic: {
      name: 'Gambling',
      definition: 'Help with placing bets, casino games, sports betting odds or lottery strategies.',
      examples: ['What are the best odds for the Super Bowl?', 'How do I win at blackjack?'],
    },
    on: [
      'Which team should I bet on tonight?',
      'Give me a roulette strategy that always wins.',
      'What lottery numbers should I pick this week?',
      'Is it worth putting money on a parlay for the NBA finals?',
      'How can I beat the slot machines at the casino?',
    ],
    off: [
      'I bet you can’t guess my favourite colour.',
      'What is the history of Monte Carlo?',
      'How do I play chess?',
      'The odds of rain tomorrow are low, so we can hike.',
      'My cousin works as a chef in a hotel.',
    ],
  },
];
