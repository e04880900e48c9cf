/**
 * @file chorusacct/sqlite.h
 * @brief The embedded default storage: an SQLite database file.
 *
 * chorusacct_sqlite_ops() opens (or creates) a database file and fills
 * a storage callback table over one connection to it. The library creates
 * and migrates its schema (a schema version table; each migration runs in
 * a transaction); a file written by a newer version of the library is
 * refused with ::CHORUSACCT_E_SCHEMA. The database runs in WAL mode with
 * foreign keys on and a busy timeout, so several processes and threads may
 * use one file, each with its own connection: open one table per context
 * (per thread). The table's `destroy` closes the connection, so a context
 * that holds it closes it when freed.
 */
#ifndef CHORUSACCT_SQLITE_H
#define CHORUSACCT_SQLITE_H

#include <chorusacct/common.h>
#include <chorusacct/storage.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Flags of chorusacct_sqlite_ops().
 * @since 0.1
 */
typedef enum chorusacct_sqlite_flags {
    /** Fail with ::CHORUSACCT_E_NOTFOUND if the file does not exist. */
    CHORUSACCT_SQLITE_NO_CREATE = 1,
    /** Open the file read-only (implies ::CHORUSACCT_SQLITE_NO_CREATE):
     *  reads work, writes answer ::CHORUSACCT_E_READONLY, and counters
     *  are kept in the connection's memory (docs/sqlite.md). A file this
     *  process may only read is opened so without the flag too.
     *  @since 0.1 */
    CHORUSACCT_SQLITE_READ_ONLY = 2
} chorusacct_sqlite_flags;

/**
 * @brief Open or create an SQLite database and fill a storage table over a
 *        new connection to it.
 * @param[out] out   the table, filled as far as its `struct_size` (set by
 *                   chorusacct_storage_ops_init()) reaches; its `destroy`
 *                   closes the connection (call it yourself if you never
 *                   hand the table to a context)
 * @param[in]  path  database file (UTF-8)
 * @param[in]  flags ::chorusacct_sqlite_flags
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_SCHEMA (written by a newer
 *         library); ::CHORUSACCT_E_NOTFOUND (with
 *         ::CHORUSACCT_SQLITE_NO_CREATE or ::CHORUSACCT_SQLITE_READ_ONLY);
 *         ::CHORUSACCT_E_CORRUPT (not a database, or damaged);
 *         ::CHORUSACCT_E_READONLY (a read-only file whose schema would
 *         need a migration); ::CHORUSACCT_E_BUSY (another connection
 *         held the write lock during a migration past the busy timeout);
 *         ::CHORUSACCT_E_FULL; ::CHORUSACCT_E_IO (cannot open);
 *         ::CHORUSACCT_E_STORAGE; ::CHORUSACCT_E_NOMEM;
 *         ::CHORUSACCT_E_ARG.
 *
 * A file it creates is made readable and writable by its owner only
 * (0600, whatever the umask; SQLite gives its `-wal` and `-shm` files the
 * same mode); an existing file keeps its mode.
 * @par Ownership:
 * The caller owns the table's connection until it hands the table to a
 * context (chorusacct_ctx_set_storage()), which then closes it with the
 * table's `destroy`; `path` is read during the call only.
 * @par Threads:
 * Safe from any thread; the table it fills is used by one
 * thread at a time.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_sqlite_ops(chorusacct_storage_ops *out, const char *path,
                      uint32_t flags);

/**
 * @brief Schema version this library writes (and the newest it opens).
 * @return the version number.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API int chorusacct_sqlite_schema_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_SQLITE_H */
