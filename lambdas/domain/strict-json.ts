/**
 * JSON as a plan file or an API body is read: like JSON.parse, but a key repeated in one object is refused
 * (JSON.parse keeps the last one silently), as YAML refuses a duplicated mapping key.
 */

export class DuplicateKeyError extends SyntaxError {
  override readonly name = 'DuplicateKeyError';

  constructor(
    readonly key: string,
    /** Where the object is, e.g. `stages.door-opener` (`(root)` for the top level). */
    readonly path: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`duplicated key "${key}" in ${path} (line ${line}, column ${column})`);
  }
}

/** JSON.parse, refusing duplicate keys (DuplicateKeyError); other syntax errors are JSON.parse's. */
export function parseStrictJson(text: string): unknown {
  const value = JSON.parse(text);
  const duplicate = findDuplicateKey(text);
  if (duplicate) throw duplicate;
  return value;
}

interface Frame {
  keys?: Set<string>;
  key?: string;
  index: number;
  path: string;
}

/** The first key repeated within one object of (valid) JSON text, or undefined. */
export function findDuplicateKey(text: string): DuplicateKeyError | undefined {
  const stack: Frame[] = [];
  let expectKey = false;
  const childPath = () => {
    const parent = stack.at(-1);
    if (!parent) return '(root)';
    const prefix = parent.path === '(root)' ? '' : parent.path;
    return parent.keys ? `${prefix}${prefix ? '.' : ''}${parent.key}` : `${prefix}[${parent.index}]`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      const top = stack.at(-1);
      if (top?.keys && expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) {
          const { line, column } = position(text, i);
          return new DuplicateKeyError(key, top.path, line, column);
        }
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      stack.push({ keys: new Set(), index: 0, path: childPath() });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ index: 0, path: childPath() });
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
  }
  return undefined;
}

/** The index of the quote closing the string that opens at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
