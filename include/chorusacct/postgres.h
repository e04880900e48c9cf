/**
 * @file chorusacct/postgres.h
 * @brief Storage on a PostgreSQL server, shared by several application
 *        servers.
 *
 * chorusacct_postgres_ops() connects to a database with a libpq
 * connection string and fills a storage callback table over that one
 * connection. The library creates and migrates its tables (a schema
 * version table; each migration runs in a transaction, under an advisory
 * lock, so that servers starting together do not race); a schema written
 * by a newer version of the library is refused with ::CHORUSACCT_E_SCHEMA.
 *
 * **Open one table per context** (one connection each), and use a context
 * from one thread at a time; any number of contexts in any number of
 * threads, processes and machines may share one database. A table does
 * not cross `fork()`: a child process opens its own (an inherited table
 * answers ::CHORUSACCT_E_STORAGE there, and its `destroy` leaves the
 * parent's connection alone). The table's `destroy` closes the
 * connection, so a context that holds it closes it when freed.
 *
 * The backend is optional: a library built without libpq (meson option
 * `-Dpostgres=disabled`, or libpq missing) still exports these functions,
 * and chorusacct_postgres_ops() answers ::CHORUSACCT_E_UNSUPPORTED.
 * docs/postgres.md describes the tables, the isolation and the errors.
 */
#ifndef CHORUSACCT_POSTGRES_H
#define CHORUSACCT_POSTGRES_H

#include <chorusacct/common.h>
#include <chorusacct/storage.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Flags of chorusacct_postgres_ops().
 * @since 0.1
 */
typedef enum chorusacct_postgres_flags {
    /** Never create nor migrate the tables (for servers whose database
     *  role may not change the schema): ::CHORUSACCT_E_NOTFOUND when they
     *  are missing, ::CHORUSACCT_E_SCHEMA when their version is not this
     *  library's. */
    CHORUSACCT_POSTGRES_NO_MIGRATE = 1
} chorusacct_postgres_flags;

/**
 * @brief Connect to a PostgreSQL database and fill a storage table over
 *        the new connection.
 *
 * The tables go where unqualified names go (the first schema of the
 * connection's `search_path`), so that several installations may share a
 * database, each in its own schema (`options=-csearch_path=NAME`). The
 * database must be in UTF-8.
 *
 * @param[out] out      the table, filled as far as its `struct_size`
 *                      (set by chorusacct_storage_ops_init()) reaches;
 *                      its `destroy` closes the connection
 *                      (call it yourself if you never hand the table to a
 *                      context)
 * @param[in]  conninfo a libpq connection string (`host=... dbname=...`)
 *                      or URI (`postgresql://...`); "" takes everything
 *                      from the `PG*` environment variables
 * @param[in]  flags    ::chorusacct_postgres_flags
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_UNSUPPORTED (built without
 *         libpq); ::CHORUSACCT_E_ARG (NULL, unknown flag, or a connection
 *         string libpq cannot parse); ::CHORUSACCT_E_IO (the server cannot
 *         be reached, or refused the connection or the login);
 *         ::CHORUSACCT_E_SCHEMA (written by a newer library);
 *         ::CHORUSACCT_E_NOTFOUND (no tables, with
 *         ::CHORUSACCT_POSTGRES_NO_MIGRATE); ::CHORUSACCT_E_STORAGE (a
 *         statement failed, such as a role without the right to create the
 *         tables, or a database not in UTF-8); ::CHORUSACCT_E_NOMEM.
 * @par Ownership:
 * The caller owns `out`; the connection it holds is closed by the table's
 * `destroy` (called by the context that takes the table, when freed).
 * `conninfo` is read during the call only.
 * @par Threads:
 * Safe from any thread; the table it fills is used by one thread at a
 * time (open one per context).
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_postgres_ops(chorusacct_storage_ops *out, const char *conninfo,
                        uint32_t flags);

/**
 * @brief Schema version this library writes (and the newest it opens),
 *        whether or not it was built with libpq.
 * @return the version number.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API int chorusacct_postgres_schema_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_POSTGRES_H */
