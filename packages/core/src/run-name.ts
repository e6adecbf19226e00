import { customAlphabet } from 'nanoid';

// Our own word lists; the shape (adjective-noun-number) is MLflow's.
const adjectives = [
  'amber',
  'bold',
  'brave',
  'bright',
  'calm',
  'clever',
  'crisp',
  'dapper',
  'eager',
  'fancy',
  'fleet',
  'gentle',
  'glad',
  'grand',
  'hardy',
  'honest',
  'jolly',
  'keen',
  'kind',
  'lively',
  'lucky',
  'mellow',
  'merry',
  'mighty',
  'nimble',
  'noble',
  'patient',
  'plucky',
  'polite',
  'proud',
  'quiet',
  'rare',
  'royal',
  'rustic',
  'shy',
  'silent',
  'sleek',
  'smooth',
  'sturdy',
  'sunny',
  'swift',
  'tidy',
  'upbeat',
  'valiant',
  'vivid',
  'warm',
  'wise',
  'witty',
  'zany',
  'zesty',
];
const nouns = [
  'badger',
  'bat',
  'bear',
  'bird',
  'boar',
  'carp',
  'cat',
  'cod',
  'colt',
  'crab',
  'crane',
  'crow',
  'deer',
  'doe',
  'dove',
  'duck',
  'eel',
  'elk',
  'finch',
  'fox',
  'frog',
  'goat',
  'gull',
  'hare',
  'hawk',
  'heron',
  'horse',
  'ibis',
  'jay',
  'koala',
  'lark',
  'lynx',
  'mole',
  'moth',
  'newt',
  'otter',
  'owl',
  'panda',
  'pike',
  'quail',
  'ram',
  'robin',
  'seal',
  'shrew',
  'snail',
  'stork',
  'swan',
  'toad',
  'trout',
  'wolf',
];
const pick = customAlphabet('0123456789', 3);

/** A readable run name in MLflow's `adjective-noun-NNN` form, used when a run is created without one. */
export function generateRunName(random: () => number = Math.random): string {
  const adjective = adjectives[Math.floor(random() * adjectives.length)] ?? 'bold';
  const noun = nouns[Math.floor(random() * nouns.length)] ?? 'fox';
  return `${adjective}-${noun}-${Number(pick())}`;
}

/** True for a name {@link generateRunName} could have produced. */
export function isGeneratedRunName(name: string): boolean {
  const [adjective, noun, number, ...rest] = name.split('-');
  return (
    rest.length === 0 &&
    adjectives.includes(adjective ?? '') &&
    nouns.includes(noun ?? '') &&
    /^\d{1,3}$/u.test(number ?? '')
  );
}
