/**
 * Gradient-boosted decision trees for a binary label (logistic loss, Newton steps, histogram
 * splits), written for this project: see the README's library list for why no npm library is
 * used. Training is deterministic: no randomness inside (the caller samples rows with a seed),
 * fixed iteration orders, ties broken by the lower feature index and then the lower threshold.
 *
 * A tree is a flat list of nodes; node 0 is the root. An inner node sends a row left when
 * `row[feature] < threshold`. Every node (inner ones too) holds `value`, what the tree would
 * answer if it stopped there: that lets a prediction be split into one contribution per
 * feature along its path (Saabas' method), which is how alerts are explained.
 */
export interface TreeNode {
  /** Feature index, or -1 for a leaf. */
  feature: number;
  threshold: number;
  left: number;
  right: number;
  value: number;
}

export interface BoostedTrees {
  /** Log-odds every prediction starts from. */
  baseMargin: number;
  trees: TreeNode[][];
}

export interface BoostingParams {
  rounds: number;
  maxDepth: number;
  learningRate: number;
  /** L2 penalty on leaf values. */
  lambda: number;
  /** Smallest sum of hessians (about: rows) on each side of a split. */
  minChildWeight: number;
  /** Most bins per feature (quantiles of the training values). */
  maxBins: number;
}

export const DEFAULT_BOOSTING: BoostingParams = {
  rounds: 150,
  maxDepth: 5,
  learningRate: 0.1,
  lambda: 1,
  minChildWeight: 5,
  maxBins: 64,
};

/** Rows of features, row-major: `values[row * features + feature]`. */
export interface FeatureMatrix {
  rows: number;
  features: number;
  values: Float64Array;
}

/** Trains on `matrix` and `labels` (1 positive, 0 negative). */
export function trainBoostedTrees(
  matrix: FeatureMatrix,
  labels: Uint8Array,
  params: BoostingParams,
): BoostedTrees {
  const { rows, features } = matrix;
  if (rows === 0) throw new RangeError('Cannot train on zero rows');
  const cuts = binCuts(matrix, params.maxBins);
  const bins = new Uint8Array(rows * features);
  for (let r = 0; r < rows; r += 1)
    for (let f = 0; f < features; f += 1)
      bins[r * features + f] = binOf(cuts[f], matrix.values[r * features + f]);
  let positives = 0;
  for (let r = 0; r < rows; r += 1) positives += labels[r];
  const prior = Math.min(Math.max(positives / rows, 1e-6), 1 - 1e-6);
  const baseMargin = Math.log(prior / (1 - prior));
  const margin = new Float64Array(rows).fill(baseMargin);
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);
  const trees: TreeNode[][] = [];
  for (let round = 0; round < params.rounds; round += 1) {
    for (let r = 0; r < rows; r += 1) {
      const p = sigmoid(margin[r]);
      grad[r] = p - labels[r];
      hess[r] = Math.max(p * (1 - p), 1e-9);
    }
    const tree = growTree({ bins, features, cuts, grad, hess, rows }, params);
    for (let r = 0; r < rows; r += 1) margin[r] += leafValue(tree, matrix.values, r * features);
    trees.push(tree);
  }
  return { baseMargin, trees };
}

/** The model's log-odds for one row. */
export function predictMargin(model: BoostedTrees, row: ArrayLike<number>): number {
  let margin = model.baseMargin;
  for (const tree of model.trees) margin += leafValue(tree, row, 0);
  return margin;
}

/**
 * The log-odds split into a start value (base margin plus every root's value) and one
 * contribution per feature: the sum of the value changes at the nodes that split on it.
 */
export function explainMargin(
  model: BoostedTrees,
  row: ArrayLike<number>,
): { bias: number; contributions: Float64Array } {
  const contributions = new Float64Array(row.length);
  let bias = model.baseMargin;
  for (const tree of model.trees) {
    let node = tree[0];
    bias += node.value;
    while (node.feature >= 0) {
      const next = tree[row[node.feature] < node.threshold ? node.left : node.right];
      contributions[node.feature] += next.value - node.value;
      node = next;
    }
  }
  return { bias, contributions };
}

/**
 * The trees flattened into typed arrays, for scoring one row after another without
 * allocating: the same walk and the same sums, in the same order, as `explainMargin`, so the
 * answers are identical.
 */
export class CompiledTrees {
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Float64Array;
  private readonly roots: Int32Array;
  private readonly baseMargin: number;

  constructor(model: BoostedTrees) {
    const size = model.trees.reduce((n, tree) => n + tree.length, 0);
    this.feature = new Int32Array(size);
    this.threshold = new Float64Array(size);
    this.left = new Int32Array(size);
    this.right = new Int32Array(size);
    this.value = new Float64Array(size);
    this.roots = new Int32Array(model.trees.length);
    this.baseMargin = model.baseMargin;
    let offset = 0;
    model.trees.forEach((tree, t) => {
      this.roots[t] = offset;
      tree.forEach((node, n) => {
        const at = offset + n;
        this.feature[at] = node.feature;
        this.threshold[at] = node.threshold;
        this.left[at] = offset + node.left;
        this.right[at] = offset + node.right;
        this.value[at] = node.value;
      });
      offset += tree.length;
    });
  }

  /**
   * Writes each feature's contribution to the log-odds of `row` into `contributions` (one
   * slot per feature) and returns the start value (base margin plus every root's value).
   */
  explainInto(row: ArrayLike<number>, contributions: Float64Array): number {
    contributions.fill(0);
    const { feature, threshold, left, right, value } = this;
    let bias = this.baseMargin;
    for (const root of this.roots) {
      let node = root;
      bias += value[node];
      while (feature[node] >= 0) {
        const f = feature[node];
        const next = row[f] < threshold[node] ? left[node] : right[node];
        contributions[f] += value[next] - value[node];
        node = next;
      }
    }
    return bias;
  }
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function leafValue(tree: readonly TreeNode[], values: ArrayLike<number>, offset: number): number {
  let node = tree[0];
  while (node.feature >= 0)
    node = tree[values[offset + node.feature] < node.threshold ? node.left : node.right];
  return node.value;
}

/**
 * Cut points per feature: midpoints between distinct values when there are few, else between
 * quantiles. A value's bin is the number of cuts at or below it.
 */
function binCuts(matrix: FeatureMatrix, maxBins: number): Float64Array[] {
  const { rows, features, values } = matrix;
  const cuts: Float64Array[] = [];
  const column = new Float64Array(rows);
  for (let f = 0; f < features; f += 1) {
    for (let r = 0; r < rows; r += 1) column[r] = values[r * features + f];
    const sorted = Float64Array.from(column).sort();
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length; i += 1)
      if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    const chosen: number[] = [];
    if (distinct.length <= maxBins) {
      for (let i = 1; i < distinct.length; i += 1) chosen.push((distinct[i - 1] + distinct[i]) / 2);
    } else {
      for (let q = 1; q < maxBins; q += 1) {
        const at = Math.floor((q * sorted.length) / maxBins);
        const lower = sorted[at - 1];
        const upper = sorted[at];
        const cut = lower === upper ? nextAbove(sorted, at) : (lower + upper) / 2;
        if (cut !== undefined && (chosen.length === 0 || cut > chosen[chosen.length - 1]))
          chosen.push(cut);
      }
    }
    cuts.push(Float64Array.from(chosen));
  }
  return cuts;
}

/** The midpoint between sorted[at] and the next larger value, if any. */
function nextAbove(sorted: Float64Array, at: number): number | undefined {
  for (let i = at + 1; i < sorted.length; i += 1)
    if (sorted[i] !== sorted[at]) return (sorted[at] + sorted[i]) / 2;
  return undefined;
}

function binOf(cuts: Float64Array, value: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface GrowInput {
  bins: Uint8Array;
  features: number;
  cuts: Float64Array[];
  grad: Float64Array;
  hess: Float64Array;
  rows: number;
}

function growTree(input: GrowInput, params: BoostingParams): TreeNode[] {
  const all = new Uint32Array(input.rows);
  for (let r = 0; r < input.rows; r += 1) all[r] = r;
  const nodes: TreeNode[] = [];
  grow(input, params, all, 0, nodes);
  return nodes;
}

/** Adds the node for `rows` (and its subtree) to `nodes`; returns its index. */
function grow(
  input: GrowInput,
  params: BoostingParams,
  rows: Uint32Array,
  depth: number,
  nodes: TreeNode[],
): number {
  const { bins, features, cuts, grad, hess } = input;
  let g = 0;
  let h = 0;
  for (const r of rows) {
    g += grad[r];
    h += hess[r];
  }
  const value = (-g / (h + params.lambda)) * params.learningRate;
  const index = nodes.length;
  nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value });
  if (depth >= params.maxDepth || h < 2 * params.minChildWeight) return index;
  const parentScore = (g * g) / (h + params.lambda);
  let bestGain = 1e-9;
  let bestFeature = -1;
  let bestBin = -1;
  const maxBins = params.maxBins + 1;
  const histG = new Float64Array(maxBins);
  const histH = new Float64Array(maxBins);
  for (let f = 0; f < features; f += 1) {
    const binCount = cuts[f].length + 1;
    if (binCount < 2) continue;
    histG.fill(0, 0, binCount);
    histH.fill(0, 0, binCount);
    for (const r of rows) {
      const b = bins[r * features + f];
      histG[b] += grad[r];
      histH[b] += hess[r];
    }
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < binCount - 1; b += 1) {
      gl += histG[b];
      hl += histH[b];
      const hr = h - hl;
      if (hl < params.minChildWeight || hr < params.minChildWeight) continue;
      const gr = g - gl;
      const gain =
        (gl * gl) / (hl + params.lambda) + (gr * gr) / (hr + params.lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = f;
        bestBin = b;
      }
    }
  }
  if (bestFeature < 0) return index;
  let leftCount = 0;
  for (const r of rows) if (bins[r * features + bestFeature] <= bestBin) leftCount += 1;
  const leftRows = new Uint32Array(leftCount);
  const rightRows = new Uint32Array(rows.length - leftCount);
  let li = 0;
  let ri = 0;
  for (const r of rows) {
    if (bins[r * features + bestFeature] <= bestBin) leftRows[li++] = r;
    else rightRows[ri++] = r;
  }
  const node = nodes[index];
  node.feature = bestFeature;
  node.threshold = cuts[bestFeature][bestBin];
  node.left = grow(input, params, leftRows, depth + 1, nodes);
  node.right = grow(input, params, rightRows, depth + 1, nodes);
  return index;
}
