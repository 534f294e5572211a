// Package thp lets the Go heap use transparent huge pages where the kernel
// only gives them to memory that asks (THP mode "madvise", the default of
// Debian, Ubuntu and most distributions).
//
// Why: the Go runtime maps its heap without MADV_HUGEPAGE, so every 4 KiB
// page of heap is a page fault on first touch. emmdev lint allocates a few
// MiB during package initialisation and tens to hundreds of MiB while it
// validates; measured on a 2-core VM, those faults were about a fifth of
// the wall time of a one-file run and of an 8,000-object run (the kernel
// zeroes a 2 MiB page in one fault instead of 512).
//
// How: importing the package (for its init, which must run before the
// heavy package initialisation of the Kubernetes libraries allocates) maps
// a reserve of heap with one large allocation, marks the heap's mappings
// MADV_HUGEPAGE, and frees the reserve with a GC, so the heap grows into
// memory that faults in 2 MiB pages. It does nothing unless THP mode is
// "madvise", when EMMDEV_THP=off or GODEBUG=disablethp=1 is set, under a
// virtual-memory limit (ulimit -v) or strict overcommit, where reserving
// address space could fail.
package thp

// reserve is how much heap is mapped (never touched) up front: enough for
// an 8,000-object lint run to stay in huge-page memory. Address space only;
// pages count when they are used, as for any heap.
const reserve = 256 << 20

// hugePage is the x86-64 and arm64 (4 KiB base pages) huge page size.
const hugePage = 2 << 20
