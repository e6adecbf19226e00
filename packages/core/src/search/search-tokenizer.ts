import { type SearchGrammar, searchSyntaxError } from './search-error.js';

/** A comparison operator spelled with symbols. `<>` is lexed so the parser can reject it by name. */
export type SymbolOperator = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';

interface TokenBase {
  /** The exact source text of the token. */
  text: string;
  /** Zero-based offset of the token's first character. */
  position: number;
}

/** `prefix.key`, `prefix.\`quoted key\``, or a backtick-quoted key without prefix. */
export interface IdentifierToken extends TokenBase {
  kind: 'identifier';
  prefix: string | undefined;
  key: string;
}

/** A bare word: a keyword (AND, LIKE, ASC...) or an attribute name, decided by the parser. */
export interface WordToken extends TokenBase {
  kind: 'word';
}

/** A quoted string. Double-quoted strings may also name a key, again decided by the parser. */
export interface StringToken extends TokenBase {
  kind: 'string';
  value: string;
  quote: "'" | '"';
}

export interface NumberToken extends TokenBase {
  kind: 'number';
  value: number;
}

export interface OperatorToken extends TokenBase {
  kind: 'operator';
  text: SymbolOperator;
}

export interface PunctuationToken extends TokenBase {
  kind: 'punctuation';
  text: '(' | ')' | ',';
}

/** Marks the end of the input, so the parser always has a token to blame. */
export interface EndToken extends TokenBase {
  kind: 'end';
}

export type SearchToken =
  | IdentifierToken
  | WordToken
  | StringToken
  | NumberToken
  | OperatorToken
  | PunctuationToken
  | EndToken;

const wordStart = /[A-Za-z_]/;
const wordPart = /[A-Za-z0-9_]/;
// Keys after a prefix may hold the characters MLflow allows in keys except space; there is no
// arithmetic in the grammar, so `-` and `/` cannot be mistaken for operators.
const keyPart = /[A-Za-z0-9_.\-/:]/;
const digit = /[0-9]/;
const numberPattern = /[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const symbolOperators: readonly SymbolOperator[] = ['!=', '<>', '<=', '>=', '=', '<', '>'];

/** Splits a filter or order_by clause into tokens; the last token is always `end`. */
export function tokenizeSearch(input: string, grammar: SearchGrammar): SearchToken[] {
  const tokens: SearchToken[] = [];
  let index = 0;

  /** Reads a quoted run starting at `start` (on the quote); doubled quotes stand for one quote. */
  const readQuoted = (start: number): { value: string; end: number } => {
    const quote = input[start] as string;
    let value = '';
    let cursor = start + 1;
    while (cursor < input.length) {
      const char = input[cursor] as string;
      if (char === quote) {
        if (input[cursor + 1] === quote) {
          value += quote;
          cursor += 2;
          continue;
        }
        return { value, end: cursor + 1 };
      }
      value += char;
      cursor += 1;
    }
    throw searchSyntaxError(
      grammar,
      `unterminated quoted text, missing the closing ${quote}`,
      input.slice(start),
      start,
    );
  };

  /** Reads the key after `prefix.` at `start`; returns its unquoted value and end offset. */
  const readKey = (start: number, prefixText: string): { key: string; end: number } => {
    const char = input[start];
    if (char === '`' || char === '"') {
      const quoted = readQuoted(start);
      if (quoted.value === '')
        throw searchSyntaxError(grammar, 'the quoted key is empty', input.slice(start, quoted.end), start);
      return { key: quoted.value, end: quoted.end };
    }
    let cursor = start;
    while (cursor < input.length && keyPart.test(input[cursor] as string)) cursor += 1;
    if (cursor === start) {
      throw searchSyntaxError(
        grammar,
        `expected a key after '${prefixText}'`,
        prefixText,
        start - prefixText.length,
      );
    }
    return { key: input.slice(start, cursor), end: cursor };
  };

  while (index < input.length) {
    const char = input[index] as string;
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const start = index;

    if (wordStart.test(char)) {
      let cursor = index + 1;
      while (cursor < input.length && wordPart.test(input[cursor] as string)) cursor += 1;
      const word = input.slice(start, cursor);
      if (input[cursor] === '.') {
        const { key, end } = readKey(cursor + 1, `${word}.`);
        tokens.push({
          kind: 'identifier',
          prefix: word,
          key,
          text: input.slice(start, end),
          position: start,
        });
        index = end;
      } else {
        tokens.push({ kind: 'word', text: word, position: start });
        index = cursor;
      }
      continue;
    }

    if (char === '`') {
      const quoted = readQuoted(start);
      if (quoted.value === '') throw searchSyntaxError(grammar, 'the quoted key is empty', '``', start);
      // MLflow also accepts a backtick-quoted prefix: `metrics`.acc
      if (input[quoted.end] === '.') {
        const { key, end } = readKey(quoted.end + 1, `${input.slice(start, quoted.end)}.`);
        tokens.push({
          kind: 'identifier',
          prefix: quoted.value,
          key,
          text: input.slice(start, end),
          position: start,
        });
        index = end;
      } else {
        tokens.push({
          kind: 'identifier',
          prefix: undefined,
          key: quoted.value,
          text: input.slice(start, quoted.end),
          position: start,
        });
        index = quoted.end;
      }
      continue;
    }

    if (char === "'" || char === '"') {
      const quoted = readQuoted(start);
      tokens.push({
        kind: 'string',
        value: quoted.value,
        quote: char,
        text: input.slice(start, quoted.end),
        position: start,
      });
      index = quoted.end;
      continue;
    }

    const next = input[index + 1] ?? '';
    if (digit.test(char) || ((char === '-' || char === '+' || char === '.') && /[0-9.]/.test(next))) {
      numberPattern.lastIndex = start;
      const match = numberPattern.exec(input);
      if (match === null) throw searchSyntaxError(grammar, 'malformed number', char + next, start);
      let end = start + match[0].length;
      if (end < input.length && /[A-Za-z0-9_.]/.test(input[end] as string)) {
        while (end < input.length && /[A-Za-z0-9_.]/.test(input[end] as string)) end += 1;
        throw searchSyntaxError(grammar, 'malformed number', input.slice(start, end), start);
      }
      tokens.push({ kind: 'number', value: Number(match[0]), text: match[0], position: start });
      index = end;
      continue;
    }

    const operator = symbolOperators.find((candidate) => input.startsWith(candidate, index));
    if (operator !== undefined) {
      tokens.push({ kind: 'operator', text: operator, position: start });
      index += operator.length;
      continue;
    }

    if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: 'punctuation', text: char, position: start });
      index += 1;
      continue;
    }

    throw searchSyntaxError(grammar, `unexpected character '${char}'`, char, start);
  }
  tokens.push({ kind: 'end', text: '', position: input.length });
  return tokens;
}
