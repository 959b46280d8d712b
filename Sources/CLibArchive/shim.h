#ifndef PLATFORM_CLIBARCHIVE_SHIM_H
#define PLATFORM_CLIBARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

// The AE_IF* file-type macros are casts Swift does not import.
static inline unsigned int platform_archive_type_regular(void) { return (unsigned int)AE_IFREG; }
static inline unsigned int platform_archive_type_directory(void) { return (unsigned int)AE_IFDIR; }
static inline unsigned int platform_archive_type_symlink(void) { return (unsigned int)AE_IFLNK; }
static inline unsigned int platform_archive_type_mask(void) { return (unsigned int)AE_IFMT; }
static inline int platform_archive_ok(void) { return ARCHIVE_OK; }
static inline int platform_archive_eof(void) { return ARCHIVE_EOF; }
static inline int platform_archive_warn(void) { return ARCHIVE_WARN; }
#endif
