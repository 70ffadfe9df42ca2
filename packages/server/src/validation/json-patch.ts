/*
 * JSON Patch (RFC 6902) over JSON Pointers (RFC 6901). The document is never changed in place: the patch
 * works on a copy and either every operation applies or none does (RFC 6902 §5).
 */

const operations = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type Operation = (typeof operations)[number];

/** A PATCH body of more operations than this is refused; nobody edits one resource in 1000 steps. */
export const maxPatchOperations = 1000;

/** The deepest a patched document may nest: the same bound the JSON body parser puts on a request. */
const maxDepth = 1000;

/**
 * How much `copy` and `move` may place in total (nodes plus string characters). Copying a member into
 * itself doubles it: without a budget, 30 operations would make a gigabyte-sized document. The values of
 * `add` and `replace` are not charged: they come from the body, which the body limit already bounds.
 */
const placementBudget = 2_000_000;

/** Member names that reach into a JavaScript object's prototype machinery rather than its data. */
const reservedNames = new Set(['__proto__', 'constructor', 'prototype']);

type Member = 'op' | 'path' | 'from' | 'value';

/**
 * Why a patch failed: the operation's index, the member at fault and a FusionAuth-style reason
 * (`blank`, `invalid`, `notFound`, `testFailed`, `tooLarge`, `tooLong`). `field` names it for an error
 * body: `patch[2].path`.
 */
export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
  readonly field: string;
  readonly reason: string;

  constructor(index: number | undefined, member: Member | undefined, reason: string, message: string) {
    super(message);
    this.field = index === undefined ? 'patch' : `patch[${index}]${member === undefined ? '' : `.${member}`}`;
    this.reason = reason;
  }
}

type Json = null | boolean | number | string | Json[] | { [name: string]: Json };
type Container = Json[] | { [name: string]: Json };

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;
const isRecord = (value: unknown): value is Record<string, unknown> => isContainer(value) && !Array.isArray(value);

/** One operation, checked for shape, with its pointers parsed. */
interface Step {
  readonly index: number;
  readonly op: Operation;
  readonly path: readonly string[];
  readonly pathText: string;
  readonly from: readonly string[] | undefined;
  readonly value: Json | undefined;
}

/** RFC 6901 §3–4: `""` is the whole document, else `/`-separated tokens with `~1` for `/` and `~0` for `~`. */
function parsePointer(text: string, index: number, member: 'path' | 'from'): string[] {
  if (text === '') return [];
  if (!text.startsWith('/')) throw new JsonPatchError(index, member, 'invalid', `${member} ${JSON.stringify(text.slice(0, 100))} is not a JSON Pointer: it must be empty or start with "/".`);
  return text
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) throw new JsonPatchError(index, member, 'invalid', `${member} has "~" not followed by 0 or 1; write "~0" for "~" and "~1" for "/".`);
      const name = token.replaceAll('~1', '/').replaceAll('~0', '~');
      if (reservedNames.has(name)) throw new JsonPatchError(index, member, 'invalid', `${member} names the reserved member ${JSON.stringify(name)}.`);
      return name;
    });
}

function parseStep(raw: unknown, index: number): Step {
  if (!isRecord(raw)) throw new JsonPatchError(index, undefined, 'invalid', `Operation ${index} must be an object with "op" and "path".`);
  const op = raw['op'];
  if (op === undefined) throw new JsonPatchError(index, 'op', 'blank', `Operation ${index} has no "op".`);
  if (typeof op !== 'string' || !(operations as readonly string[]).includes(op)) {
    throw new JsonPatchError(index, 'op', 'invalid', `Operation ${index}: "op" must be one of ${operations.join(', ')}.`);
  }
  const pointer = (member: 'path' | 'from') => {
    const text = raw[member];
    if (text === undefined) throw new JsonPatchError(index, member, 'blank', `Operation ${index} (${op}) has no "${member}".`);
    if (typeof text !== 'string') throw new JsonPatchError(index, member, 'invalid', `Operation ${index}: "${member}" must be a string (a JSON Pointer).`);
    return parsePointer(text, index, member);
  };
  const path = pointer('path');
  const from = op === 'move' || op === 'copy' ? pointer('from') : undefined;
  const needsValue = op === 'add' || op === 'replace' || op === 'test';
  // `"value": null` is a value; only a missing member is blank (RFC 6902 §4.1).
  if (needsValue && !Object.hasOwn(raw, 'value')) throw new JsonPatchError(index, 'value', 'blank', `Operation ${index} (${op}) has no "value".`);
  return { index, op: op as Operation, path, pathText: raw['path'] as string, from, value: needsValue ? (raw['value'] as Json) : undefined };
}

/** Nodes plus string characters, and nesting depth, of a value, without recursion; stops counting past `limit`. */
function measure(value: Json, limit: number): { size: number; depth: number } {
  let size = 0;
  let depth = 0;
  const stack: [Json, number][] = [[value, 1]];
  while (stack.length > 0 && size <= limit) {
    const [node, level] = stack.pop()!;
    size += 1 + (typeof node === 'string' ? node.length : 0);
    if (level > depth) depth = level;
    if (Array.isArray(node)) for (const child of node) stack.push([child, level + 1]);
    else if (isContainer(node)) for (const [name, child] of Object.entries(node)) {
      size += name.length;
      stack.push([child, level + 1]);
    }
  }
  return { size, depth };
}

/** RFC 6901 §4: an array index is `0` or digits without a leading zero; `-` (past the end) only where allowed. */
function arrayIndex(array: readonly Json[], token: string, step: Step, member: 'path' | 'from', allowEnd: boolean): number {
  if (token === '-') {
    if (allowEnd) return array.length;
    throw new JsonPatchError(step.index, member, 'notFound', `Operation ${step.index} (${step.op}): "-" names the element after the last one, which does not exist.`);
  }
  if (!/^(0|[1-9][0-9]*)$/.test(token)) {
    throw new JsonPatchError(step.index, member, 'invalid', `Operation ${step.index}: ${JSON.stringify(token.slice(0, 50))} is not an array index.`);
  }
  // More than 15 digits is past the end of any array a request can build, and beyond exact doubles.
  const position = token.length > 15 ? Number.POSITIVE_INFINITY : Number(token);
  const last = allowEnd ? array.length : array.length - 1;
  if (position > last) {
    throw new JsonPatchError(step.index, member, 'notFound', `Operation ${step.index}: index ${token.slice(0, 20)} is past the end of an array of ${array.length}.`);
  }
  return position;
}

class JsonPatcher {
  #document: Json;
  #budget = placementBudget;

  constructor(document: unknown) {
    // A JSON copy: members set to undefined vanish, as they would on the wire.
    this.#document = JSON.parse(JSON.stringify(document ?? null)) as Json;
  }

  get document(): Json {
    return this.#document;
  }

  /** The container holding the last token of `tokens`, or an error naming what is missing. */
  #parent(tokens: readonly string[], step: Step, member: 'path' | 'from'): Container {
    let node: Json = this.#document;
    for (const token of tokens.slice(0, -1)) {
      node = this.#child(node, token, step, member);
    }
    if (!isContainer(node)) throw this.#missing(step, member);
    return node;
  }

  #child(node: Json, token: string, step: Step, member: 'path' | 'from'): Json {
    if (Array.isArray(node)) return node[arrayIndex(node, token, step, member, false)]!;
    if (isContainer(node) && Object.hasOwn(node, token)) return node[token]!;
    throw this.#missing(step, member);
  }

  #missing(step: Step, member: 'path' | 'from'): JsonPatchError {
    const text = member === 'path' ? step.pathText : 'the "from" location';
    return new JsonPatchError(step.index, member, 'notFound', `Operation ${step.index} (${step.op}): ${JSON.stringify(text.slice(0, 200))} does not exist.`);
  }

  #get(tokens: readonly string[], step: Step, member: 'path' | 'from'): Json {
    let node: Json = this.#document;
    for (const token of tokens) node = this.#child(node, token, step, member);
    return node;
  }

  /** Keeps the document's depth bounded; a copied or moved value is charged to the budget too. */
  #check(value: Json, tokens: readonly string[], step: Step): void {
    const charged = step.op === 'copy' || step.op === 'move';
    const { size, depth } = measure(value, charged ? this.#budget : Number.POSITIVE_INFINITY);
    if (charged) this.#budget -= size;
    if (this.#budget < 0) throw new JsonPatchError(step.index, undefined, 'tooLarge', `Operation ${step.index} (${step.op}): the patch places more data than this server allows in one request.`);
    if (tokens.length + depth > maxDepth) throw new JsonPatchError(step.index, 'path', 'tooLarge', `Operation ${step.index} (${step.op}): the document would nest deeper than ${maxDepth} levels.`);
  }

  /** RFC 6902 §4.1: a new array element, a new or replaced object member, or the whole document. */
  #add(tokens: readonly string[], value: Json, step: Step): void {
    this.#check(value, tokens, step);
    if (tokens.length === 0) {
      this.#document = value;
      return;
    }
    const parent = this.#parent(tokens, step, 'path');
    const last = tokens[tokens.length - 1]!;
    if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, step, 'path', true), 0, value);
    else Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
  }

  /** RFC 6902 §4.2: the target must exist; removing the whole document is refused (there is nothing left to store). */
  #remove(tokens: readonly string[], step: Step, member: 'path' | 'from'): Json {
    if (tokens.length === 0) throw new JsonPatchError(step.index, member, 'invalid', `Operation ${step.index} (${step.op}) cannot remove the whole document.`);
    const parent = this.#parent(tokens, step, member);
    const last = tokens[tokens.length - 1]!;
    if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, step, member, false), 1)[0]!;
    if (!Object.hasOwn(parent, last)) throw this.#missing(step, member);
    const removed = parent[last]!;
    delete parent[last];
    return removed;
  }

  apply(step: Step): void {
    switch (step.op) {
      case 'add':
        return this.#add(step.path, structuredClone(step.value!), step);
      case 'remove':
        this.#remove(step.path, step, 'path');
        return;
      case 'replace':
        // §4.3: the target must exist; then it is a remove and an add at the same place.
        this.#get(step.path, step, 'path');
        if (step.path.length > 0) this.#remove(step.path, step, 'path');
        return this.#add(step.path, structuredClone(step.value!), step);
      case 'move': {
        const from = step.from!;
        // §4.4: a location cannot move into one of its own children.
        if (from.length < step.path.length && from.every((token, at) => token === step.path[at])) {
          throw new JsonPatchError(step.index, 'from', 'invalid', `Operation ${step.index} (move): "from" is a parent of "path"; a value cannot move into itself.`);
        }
        if (from.length === 0) {
          this.#get(step.path, step, 'path');
          return;
        }
        const value = this.#remove(from, step, 'from');
        return this.#add(step.path, value, step);
      }
      case 'copy':
        return this.#add(step.path, structuredClone(this.#get(step.from!, step, 'from')), step);
      case 'test':
        if (!jsonEqual(this.#get(step.path, step, 'path'), step.value!)) {
          throw new JsonPatchError(step.index, undefined, 'testFailed', `Operation ${step.index} (test): the value at ${JSON.stringify(step.pathText.slice(0, 200))} is not the expected one.`);
        }
        return;
    }
  }
}

/** RFC 6902 §4.6: same type; numbers by value; objects by members regardless of order; arrays element by element. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]!));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key] as Json, b[key] as Json));
}

/**
 * Applies RFC 6902 `operations` to a copy of `document` and returns the result; throws JsonPatchError for
 * the first operation that is malformed, names a location that does not exist, or fails its `test`.
 */
export function applyJsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new JsonPatchError(undefined, undefined, 'invalid', 'A JSON Patch body is an array of operations.');
  if (operations.length > maxPatchOperations) throw new JsonPatchError(undefined, undefined, 'tooLong', `A JSON Patch may hold at most ${maxPatchOperations} operations.`);
  const patcher = new JsonPatcher(document);
  operations.forEach((raw, index) => patcher.apply(parseStep(raw, index)));
  return patcher.document;
}
