/**
 * No import cycle between folders at any depth: the check dependency-cruiser cannot express.
 *
 * A folder's dependencies in dependency-cruiser's folder-scope rules leave out its own subfolders,
 * so a parent and its subfolder that import each other (src/deployment/index.ts importing
 * src/deployment/local/ while local imports ../DeploymentTarget.ts) are not a cycle there. Here a
 * folder stands for the modules directly in it, and the graph is drawn once per depth d: a module
 * counts for its folder cut to d segments (src/deployment/local/testing at d = 3 is
 * src/deployment/local), a folder shallower than d counts as itself. Any strongly connected
 * component of two or more folders, at any depth, is a cycle. Depth 2 finds cycles between
 * components (src/jobmaster <-> src/resourcemanager, whichever subfolders they pass through); the
 * deepest depth finds cycles between leaf folders, parent and child included.
 */

/** The rule's name and why it exists, reported like dependency-cruiser's own rules. */
export const FOLDER_CYCLE_RULE = {
  name: 'no-folder-cycle',
  comment:
    'Folders are the layers: folders that import each other (a parent and its subfolder too) form one ' +
    'tangled layer that cannot be understood or moved alone; move what both need into a folder neither ' +
    'owns, or invert the dependency with an interface.',
};

/**
 * Finds the folder cycles among the given imports.
 *
 * @param {{ from: string, to: string }[]} imports module-to-module imports, paths relative to the
 *   repository with `/` separators (only those between modules of the checked tree)
 * @returns {{ depth: number, folders: string[], edges: { from: string, to: string, imports: { from: string, to: string }[] }[] }[]}
 *   one entry per distinct cycle (a set of folders), shallowest first; `edges` lists the folder
 *   imports inside the cycle with the module imports that make each of them
 */
export function findFolderCycles(imports) {
  const dirs = imports.flatMap(({ from, to }) => [dirname(from), dirname(to)]);
  const maxDepth = Math.max(0, ...dirs.map((dir) => dir.split('/').length));
  const seen = new Set();
  const cycles = [];
  for (let depth = 2; depth <= maxDepth; depth += 1) {
    const edges = folderEdges(imports, depth);
    for (const component of stronglyConnectedComponents(edges)) {
      if (component.length < 2) continue;
      const folders = [...component].sort();
      const key = folders.join('\n');
      if (seen.has(key)) continue;
      seen.add(key);
      const inside = new Set(folders);
      const cycleEdges = [];
      for (const [from, targets] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
        if (!inside.has(from)) continue;
        for (const [to, moduleImports] of [...targets].sort(([a], [b]) => a.localeCompare(b))) {
          if (inside.has(to)) cycleEdges.push({ from, to, imports: moduleImports });
        }
      }
      cycles.push({ depth, folders, edges: cycleEdges });
    }
  }
  return cycles;
}

/**
 * @param {string} path
 * @returns {string}
 */
function dirname(path) {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : path.slice(0, slash);
}

/**
 * The folder of a module cut to `depth` segments.
 *
 * @param {string} modulePath
 * @param {number} depth
 * @returns {string}
 */
function folderAt(modulePath, depth) {
  return dirname(modulePath).split('/').slice(0, depth).join('/');
}

/**
 * @param {{ from: string, to: string }[]} imports
 * @param {number} depth
 * @returns {Map<string, Map<string, { from: string, to: string }[]>>} folder -> folder -> module imports
 */
function folderEdges(imports, depth) {
  const edges = new Map();
  for (const moduleImport of imports) {
    const from = folderAt(moduleImport.from, depth);
    const to = folderAt(moduleImport.to, depth);
    if (!edges.has(from)) edges.set(from, new Map());
    if (from === to) continue;
    const targets = edges.get(from);
    if (!targets.has(to)) targets.set(to, []);
    targets.get(to).push(moduleImport);
    if (!edges.has(to)) edges.set(to, new Map());
  }
  return edges;
}

/**
 * Tarjan's algorithm, iterative so that a deep tree cannot overflow the stack.
 *
 * @param {Map<string, Map<string, unknown>>} edges
 * @returns {string[][]}
 */
function stronglyConnectedComponents(edges) {
  let counter = 0;
  const index = new Map();
  const lowLink = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work = [{ node: root, next: [...edges.get(root).keys()], position: 0 }];
    index.set(root, counter);
    lowLink.set(root, counter);
    counter += 1;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.position < frame.next.length) {
        const target = frame.next[frame.position];
        frame.position += 1;
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter);
          counter += 1;
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: [...edges.get(target).keys()], position: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node), index.get(target)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        lowLink.set(parent, Math.min(lowLink.get(parent), lowLink.get(frame.node)));
      }
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}
