// Memory for framed response batches: 64 KiB slabs cut into batches and used again once every batch
// cut from them is written out, instead of a new ArrayBuffer (external memory V8 counts) per batch.

/** Bytes of one slab; a batch larger than this gets memory of its own. @private */
export const slabBytes = 64 * 1024;

/** Slabs kept for reuse once free (at most 1 MiB); more are left to the garbage collector. */
const maxFreeSlabs = 16;

/** One slab: its memory, where the next batch is cut, and how many batches cut from it are not written yet. */
interface Slab {
  readonly memory: Buffer;
  cut: number;
  outstanding: number;
  /** No longer cut from: it goes back to the free list when its last batch is released. */
  retired: boolean;
}

/** Memory for one batch, and what gives it back once the batch is written out (call at most once). @private */
export interface FrameMemory {
  readonly frames: Buffer;
  readonly release: () => void;
}

const noRelease = (): void => {};

/**
 * Cuts batches from slabs. A slab is cut until a batch does not fit; it is used again (from its
 * start) once every batch cut from it was released; a batch never released keeps its slab from
 * being reused and is left to the garbage collector with it. One instance serves a whole process
 * (see {@link frameSlabs}): batches of many streams share slabs.
 * @private
 */
export class FrameSlabs {
  private current: Slab | undefined;
  private readonly free: Slab[] = [];

  /** Memory for a batch of `bytes` bytes (uninitialized). */
  take(bytes: number): FrameMemory {
    if (bytes > slabBytes) return { frames: Buffer.allocUnsafe(bytes), release: noRelease };
    let slab = this.current;
    if (slab !== undefined && slab.cut + bytes > slabBytes) {
      if (slab.outstanding === 0) {
        slab.cut = 0;
      } else {
        slab.retired = true;
        slab = undefined;
      }
    }
    if (slab === undefined) {
      slab = this.free.pop() ?? { memory: Buffer.allocUnsafeSlow(slabBytes), cut: 0, outstanding: 0, retired: false };
      this.current = slab;
    }
    const at = slab.cut;
    slab.cut += bytes;
    slab.outstanding++;
    const owner = slab;
    let released = false;
    return {
      frames: slab.memory.subarray(at, at + bytes),
      release: () => {
        if (released) return;
        released = true;
        this.release(owner);
      },
    };
  }

  /** Slabs waiting in the free list (for tests). */
  get freeSlabs(): number {
    return this.free.length;
  }

  private release(slab: Slab): void {
    if (--slab.outstanding > 0) return;
    if (!slab.retired) {
      // The slab still being cut: nothing of it is in use, start again from its beginning.
      slab.cut = 0;
      return;
    }
    slab.retired = false;
    slab.cut = 0;
    if (this.free.length < maxFreeSlabs) this.free.push(slab);
  }
}

/** The process's slabs for response batches. @private */
export const frameSlabs = new FrameSlabs();
