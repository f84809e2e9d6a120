// An intrusive doubly linked list: the O(1) queue under every eviction policy (head = least recent).

/** A node that can sit in one `LinkedList` at a time. */
export interface Linked<N> {
  prev: N | null;
  next: N | null;
}

/** A doubly linked list of intrusive nodes; `first` is the least recently added or moved. */
export class LinkedList<N extends Linked<N>> {
  /** The least recent node. */
  first: N | null = null;
  /** The most recent node. */
  last: N | null = null;
  /** Nodes in the list. */
  size = 0;

  /** Appends `node` at the most recent end; it must not be in a list. */
  push(node: N): void {
    node.prev = this.last;
    node.next = null;
    if (this.last === null) this.first = node;
    else this.last.next = node;
    this.last = node;
    this.size++;
  }

  /** Unlinks `node`, which must be in this list. */
  remove(node: N): void {
    if (node.prev === null) this.first = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.last = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
    this.size--;
  }

  /** Moves `node`, which must be in this list, to the most recent end. */
  touch(node: N): void {
    if (this.last === node) return;
    this.remove(node);
    this.push(node);
  }

  /** Removes and returns the least recent node. */
  shift(): N | null {
    const node = this.first;
    if (node !== null) this.remove(node);
    return node;
  }

  /** Empties the list without unlinking nodes one by one. */
  clear(): void {
    this.first = null;
    this.last = null;
    this.size = 0;
  }
}
