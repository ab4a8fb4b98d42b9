import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { IssueLine } from './exit-codes';
import type { FileIssue } from './issue-printer';

/**
 * Maps an issue's field path (`stages.door-opener.milestones[0].owner`, as `formatPath` writes it) to a line
 * and column in the YAML or JSON source. The `yaml` package keeps each node's source range; JSON is a subset
 * of YAML 1.2, so one parser serves both formats.
 */

export type PathSegment = string | number;

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

const SEGMENT = /\.?([A-Za-z0-9_$-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/** The inverse of `formatPath`: `a.b[0]["x y"]` -> `['a', 'b', 0, 'x y']`; `(root)` -> `[]`. */
export function parseIssuePath(path: string): PathSegment[] {
  if (path === '(root)' || path === '') return [];
  const segments: PathSegment[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < path.length) {
    const start = SEGMENT.lastIndex;
    const match = SEGMENT.exec(path);
    if (!match) {
      // Not a path formatPath could have written (e.g. `(content-type)`): keep what was read.
      segments.push(path.slice(start));
      break;
    }
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3] as string) as string);
  }
  return segments;
}

/** Line and column (1-based) of a character offset. */
export function offsetToPosition(text: string, offset: number): SourcePosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** Where a parser said a syntax error is, from its message: `(line 2, column 1)`, `at position 8`. */
export function positionInMessage(text: string, message: string): SourcePosition | undefined {
  const lineColumn = /\(line (\d+),? column (\d+)\)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  if (position) return offsetToPosition(text, Number(position[1]));
  return undefined;
}

type Located = { node: Node; key?: Node };

function keyMatches(key: unknown, segment: PathSegment): boolean {
  return isScalar(key) && String(key.value) === String(segment);
}

/** Source positions of the nodes of one YAML or JSON document. */
export class SourceLocator {
  private readonly lineCounter = new LineCounter();
  private readonly contents: Node | null;

  constructor(private readonly text: string) {
    // Lenient: a document with errors still yields the nodes that parsed; positions are best effort.
    const doc = parseDocument(text, {
      lineCounter: this.lineCounter,
      uniqueKeys: false,
      strict: false,
      prettyErrors: false,
    });
    this.contents = (doc.contents as Node | null) ?? null;
  }

  private position(offset: number): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return line === 0 ? { line: 1, column: 1 } : { line, column: col };
  }

  /**
   * The position an issue at `path` points at: the value when it is a scalar, the key when the value is a
   * block (a section), the deepest part of the path that exists when the rest is missing. When `message`
   * quotes a key of the object at `path` (`Unrecognized key: "bogus"`), that key.
   */
  locate(path: readonly PathSegment[], message = ''): SourcePosition {
    if (path.length === 0 && message) {
      const fromMessage = positionInMessage(this.text, message);
      if (fromMessage) return fromMessage;
    }
    let current: Located | undefined = this.contents ? { node: this.contents } : undefined;
    for (const segment of path) {
      const next = current ? this.child(current.node, segment) : undefined;
      if (!next) break;
      current = next;
    }
    if (!current) return { line: 1, column: 1 };

    const quotedKey = isMap(current.node) ? this.quotedKeyIn(current.node, message) : undefined;
    if (quotedKey) return this.start(quotedKey);
    if (isScalar(current.node) && current.node.value !== null) return this.start(current.node);
    return this.start(current.key ?? current.node);
  }

  private child(node: Node, segment: PathSegment): Located | undefined {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyMatches(item.key, segment));
      if (!pair) return undefined;
      const key = pair.key as Node;
      return { node: (pair.value as Node | null) ?? key, key };
    }
    if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | null | undefined;
      return item ? { node: item } : undefined;
    }
    return undefined;
  }

  private quotedKeyIn(node: Node, message: string): Node | undefined {
    if (!isMap(node)) return undefined;
    for (const match of message.matchAll(/"([^"]+)"/g)) {
      const pair = node.items.find((item) => isPair(item) && keyMatches(item.key, match[1] as string));
      if (pair) return pair.key as Node;
    }
    return undefined;
  }

  private start(node: Node): SourcePosition {
    return this.position(node.range?.[0] ?? 0);
  }
}

/** Each issue with the line and column its path points at in `text` (YAML or JSON, a byte order mark allowed). */
export function locateIssues(text: string, issues: readonly IssueLine[]): FileIssue[] {
  const locator = new SourceLocator(text.startsWith('\uFEFF') ? text.slice(1) : text);
  return issues.map((issue) => ({ ...issue, ...locator.locate(parseIssuePath(issue.path), issue.message) }));
}
