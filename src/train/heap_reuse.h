// Training allocates and frees the same large buffers (activations, im2col panels, gradients)
// on every step. glibc serves blocks above its mmap threshold with fresh mmap()s and returns them
// on free(), so each step page-faults hundreds of MB back in and the kernel zeroes them again
// (~20% of an fmnist-cnn epoch went to system time). Keeping freed blocks in the heap lets the
// next step reuse them. Process-wide and one-way: memory is not handed back to the OS afterwards.
#pragma once

namespace prunq {

// Idempotent; a no-op where the C library offers no such control.
void keep_freed_memory_for_reuse();

}  // namespace prunq
