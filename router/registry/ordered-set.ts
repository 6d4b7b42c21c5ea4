// A persistent sorted set (an AVL tree with path copying): O(log n) insert, remove and index, O(1) size, and an
// in-order walk that can stop early. Effect's RedBlackTree matches keys with Equal.equals and descends twice per
// removal; this one matches by the comparator alone, which keeps a registry update near a microsecond.

export type Compare<Key> = (left: Key, right: Key) => number

interface Node<Key> {
  readonly key: Key
  readonly left: Node<Key> | undefined
  readonly right: Node<Key> | undefined
  readonly height: number
  readonly size: number
}

export interface OrderedSet<Key> {
  readonly compare: Compare<Key>
  readonly root: Node<Key> | undefined
}

export const emptyOrderedSet = <Key>(compare: Compare<Key>): OrderedSet<Key> => ({ compare, root: undefined })

export const orderedSize = <Key>(set: OrderedSet<Key>): number => set.root?.size ?? 0

/** Adds `key`, replacing a key the comparator finds equal. */
export const orderedInsert = <Key>(set: OrderedSet<Key>, key: Key): OrderedSet<Key> => ({
  compare: set.compare,
  root: insertNode(set.root, key, set.compare)
})

/** Removes the key the comparator finds equal to `key`; the same set when there is none. */
export const orderedRemove = <Key>(set: OrderedSet<Key>, key: Key): OrderedSet<Key> => {
  const root = removeNode(set.root, key, set.compare)
  return root === set.root ? set : { compare: set.compare, root }
}

/** The key at `index` in ascending order, or undefined outside [0, size). */
export const orderedAt = <Key>(set: OrderedSet<Key>, index: number): Key | undefined => {
  let node = set.root
  let rest = index
  while (node !== undefined) {
    const leftSize = node.left?.size ?? 0
    if (rest < leftSize) node = node.left
    else if (rest === leftSize) return node.key
    else {
      rest -= leftSize + 1
      node = node.right
    }
  }
  return undefined
}

/** Visits keys in ascending order until `visit` returns false. */
export const orderedWalk = <Key>(set: OrderedSet<Key>, visit: (key: Key) => boolean): void => {
  const stack: Node<Key>[] = []
  let node = set.root
  while (node !== undefined || stack.length > 0) {
    while (node !== undefined) {
      stack.push(node)
      node = node.left
    }
    const next = stack.pop()!
    if (!visit(next.key)) return
    node = next.right
  }
}

export const orderedToArray = <Key>(set: OrderedSet<Key>): Key[] => {
  const keys: Key[] = []
  orderedWalk(set, (key) => {
    keys.push(key)
    return true
  })
  return keys
}

const heightOf = <Key>(node: Node<Key> | undefined): number => node?.height ?? 0

const makeNode = <Key>(key: Key, left: Node<Key> | undefined, right: Node<Key> | undefined): Node<Key> => ({
  key,
  left,
  right,
  height: Math.max(heightOf(left), heightOf(right)) + 1,
  size: (left?.size ?? 0) + (right?.size ?? 0) + 1
})

/** Joins two subtrees whose heights differ by at most 2 under `key`, rotating once or twice to restore AVL balance. */
const balance = <Key>(key: Key, left: Node<Key> | undefined, right: Node<Key> | undefined): Node<Key> => {
  const leftHeight = heightOf(left)
  const rightHeight = heightOf(right)
  if (left !== undefined && leftHeight > rightHeight + 1) {
    if (heightOf(left.left) >= heightOf(left.right))
      return makeNode(left.key, left.left, makeNode(key, left.right, right))
    const inner = left.right!
    return makeNode(inner.key, makeNode(left.key, left.left, inner.left), makeNode(key, inner.right, right))
  }
  if (right !== undefined && rightHeight > leftHeight + 1) {
    if (heightOf(right.right) >= heightOf(right.left)) {
      return makeNode(right.key, makeNode(key, left, right.left), right.right)
    }
    const inner = right.left!
    return makeNode(inner.key, makeNode(key, left, inner.left), makeNode(right.key, inner.right, right.right))
  }
  return makeNode(key, left, right)
}

const insertNode = <Key>(node: Node<Key> | undefined, key: Key, compare: Compare<Key>): Node<Key> => {
  if (node === undefined) return makeNode(key, undefined, undefined)
  const order = compare(key, node.key)
  if (order < 0) return balance(node.key, insertNode(node.left, key, compare), node.right)
  if (order > 0) return balance(node.key, node.left, insertNode(node.right, key, compare))
  return makeNode(key, node.left, node.right)
}

const removeNode = <Key>(node: Node<Key> | undefined, key: Key, compare: Compare<Key>): Node<Key> | undefined => {
  if (node === undefined) return undefined
  const order = compare(key, node.key)
  if (order < 0) {
    const left = removeNode(node.left, key, compare)
    return left === node.left ? node : balance(node.key, left, node.right)
  }
  if (order > 0) {
    const right = removeNode(node.right, key, compare)
    return right === node.right ? node : balance(node.key, node.left, right)
  }
  if (node.left === undefined) return node.right
  if (node.right === undefined) return node.left
  let successor = node.right
  while (successor.left !== undefined) successor = successor.left
  return balance(successor.key, node.left, removeFirst(node.right))
}

const removeFirst = <Key>(node: Node<Key>): Node<Key> | undefined =>
  node.left === undefined ? node.right : balance(node.key, removeFirst(node.left), node.right)
