import path from 'node:path';

/**
 * ESLint rule: workflow code runs in Temporal's deterministic sandbox and everything it
 * imports lands in the workflow bundle. An allow-list, not a block-list: a module may import
 * only the listed packages and files under the listed folders (type-only imports are erased
 * at compile time and always allowed).
 *
 * Options: { packages: string[], folders: string[] (relative to the project root) }.
 */
export const sandboxImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Only workflow-safe modules may be imported by sandboxed workflow code' },
    schema: [
      {
        type: 'object',
        properties: { packages: { type: 'array', items: { type: 'string' } }, folders: { type: 'array', items: { type: 'string' } } },
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden:
        '"{{spec}}" is not workflow-safe: workflow code may import only {{allowed}}. Move I/O into an activity, or move a pure definition into src/domain/.',
      dynamic: 'Workflow code may not load modules dynamically.',
    },
  },
  create(context) {
    const { packages = [], folders = [] } = context.options[0] ?? {};
    const root = context.cwd;
    const allowedFolders = folders.map((f) => path.resolve(root, f));
    const allowed = [...packages, ...folders.map((f) => `${f}/**`)].join(', ');
    const isAllowed = (spec) => {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(context.filename), spec);
        return allowedFolders.some((dir) => target === dir || target.startsWith(dir + path.sep));
      }
      return packages.includes(spec);
    };
    const check = (source, typeOnly) => {
      if (typeOnly || typeof source.value !== 'string' || isAllowed(source.value)) return;
      context.report({ node: source, messageId: 'forbidden', data: { spec: source.value, allowed } });
    };
    const allTypes = (specifiers) => specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
    return {
      ImportDeclaration: (node) => check(node.source, node.importKind === 'type' || allTypes(node.specifiers)),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.exportKind === 'type' || allTypes(node.specifiers)),
      ExportAllDeclaration: (node) => check(node.source, node.exportKind === 'type'),
      ImportExpression: (node) => context.report({ node, messageId: 'dynamic' }),
      'CallExpression[callee.name="require"]': (node) => context.report({ node, messageId: 'dynamic' }),
    };
  },
};
