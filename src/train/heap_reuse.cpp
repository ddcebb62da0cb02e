#include "train/heap_reuse.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace prunq {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  static const bool done = [] {
    // No mmap()ed blocks (they would be unmapped on free), and no trimming of the heap top.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
  }();
  (void)done;
#endif
}

}  // namespace prunq
