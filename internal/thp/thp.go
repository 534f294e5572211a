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
// a reserve of heap with one large allocation, marks the mapping that holds
// it (the runtime's first heap arena) MADV_HUGEPAGE, and frees the reserve
// with a GC, so the heap grows into memory that faults in 2 MiB pages.
//
// Only for emmdev lint (EMMDEV_THP=on for any command, EMMDEV_THP=off for
// none). The Go runtime dropped MADV_HUGEPAGE on its heap in Go 1.21.1
// because long-running servers saw memory grow and page faults stall in
// compaction (golang/go#61718, #64332); a lint run lives for a second.
// It also does nothing unless THP mode is "madvise", with
// GODEBUG=disablethp=1, under a virtual-memory limit (ulimit -v), with
// strict overcommit, or with less than 1 GiB of memory available, where
// the reserve could not be mapped.
package thp
