/**
 * The parsed syntax tree as plain objects, read out of the wasm tree in one walk of a TreeCursor.
 * web-tree-sitter's Node wrappers cost a wasm round trip (and for children an allocation) for
 * every `type`, `isNamed`, `child(i)` or `text` read, and build.ts reads each several times; here
 * every node is read once (type id, start, end) and the rest is plain property access.
 */
import type { Language, Tree, TreeCursor } from "web-tree-sitter";

/** One syntax node: the subset of web-tree-sitter's Node that build.ts uses, as data. */
export class SyntaxNode {
  /** Every child, named or not, in order. */
  readonly children: SyntaxNode[] = [];
  readonly type: string;
  readonly isNamed: boolean;
  /** UTF-16 offsets into the parsed text (web-tree-sitter parses JS strings as UTF-16). */
  readonly startIndex: number;
  readonly endIndex: number;
  readonly #source: string;

  constructor(type: string, isNamed: boolean, startIndex: number, endIndex: number, source: string) {
    this.type = type;
    this.isNamed = isNamed;
    this.startIndex = startIndex;
    this.endIndex = endIndex;
    this.#source = source;
  }

  /** Source text of the node. */
  get text(): string {
    return this.#source.slice(this.startIndex, this.endIndex);
  }

  /** The named children, in order. */
  get namedChildren(): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const child of this.children) if (child.isNamed) out.push(child);
    return out;
  }

  /** This node or a node below it has one of `types` (web-tree-sitter's `descendantsOfType` counts the node itself). */
  hasDescendantOfType(types: ReadonlySet<string>): boolean {
    if (types.has(this.type)) return true;
    for (const child of this.children) if (child.hasDescendantOfType(types)) return true;
    return false;
  }
}

/** Type names and named flags by type id, read from the language once. */
export interface SyntaxTables {
  readonly types: readonly string[];
  readonly isNamed: (typeId: number) => boolean;
}

/** Tables for `language`; the named flag of each type id is asked of the language once. */
export function syntaxTables(language: Language): SyntaxTables {
  // 0 = not asked yet, 1 = anonymous, 2 = named. Type ids are 16-bit (the error symbol is 65535).
  const named = new Uint8Array(65536);
  return {
    types: language.types,
    isNamed(typeId) {
      let flag = named[typeId]!;
      if (flag === 0) flag = named[typeId] = language.nodeTypeIsNamed(typeId) ? 2 : 1;
      return flag === 2;
    },
  };
}

/**
 * Copy `tree` into SyntaxNodes. Iterative (a deeply nested script cannot overflow the stack);
 * the tree is bounded by the parser's input limit, so the copy is too.
 */
export function readSyntaxTree(tree: Tree, source: string, tables: SyntaxTables): SyntaxNode {
  const cursor = tree.walk();
  try {
    const root = readNode(cursor, source, tables);
    // The path from the root to the cursor's node.
    const path: SyntaxNode[] = [root];
    for (;;) {
      if (cursor.gotoFirstChild()) {
        const child = readNode(cursor, source, tables);
        path[path.length - 1]!.children.push(child);
        path.push(child);
        continue;
      }
      for (;;) {
        if (cursor.gotoNextSibling()) {
          path.pop();
          const sibling = readNode(cursor, source, tables);
          path[path.length - 1]!.children.push(sibling);
          path.push(sibling);
          break;
        }
        if (!cursor.gotoParent()) return root;
        path.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

function readNode(cursor: TreeCursor, source: string, tables: SyntaxTables): SyntaxNode {
  const typeId = cursor.nodeTypeId;
  return new SyntaxNode(tables.types[typeId] || "ERROR", tables.isNamed(typeId), cursor.startIndex, cursor.endIndex, source);
}
