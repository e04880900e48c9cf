/*
 * Helpers of the PostgreSQL tests and benchmark: the test server's
 * connection string (CHORUSACCT_TEST_PG, set by tests/pg-server.sh), a
 * direct libpq connection to look at what the backend stored, and a new
 * empty schema per test, so that every test starts from an empty
 * database without starting a server of its own.
 */
#ifndef CHORUSACCT_PGUTIL_H
#define CHORUSACCT_PGUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

/* The test server, or NULL when the program was not started by
 * tests/pg-server.sh. */
static inline const char *pg_base(void)
{
    const char *s = getenv("CHORUSACCT_TEST_PG");
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static inline void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* A direct connection to the test server, with `search_path` set to
 * `schema` when it is not NULL; NULL on failure (printed). */
static inline PGconn *pg_admin(const char *schema)
{
    char info[1024];
    if (schema != NULL)
        snprintf(info, sizeof info, "%s options='-csearch_path=%s'", pg_base(),
                 schema);
    else
        snprintf(info, sizeof info, "%s", pg_base());
    PGconn *c = PQconnectdb(info);
    if (c == NULL || PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg_admin: %s\n",
                c != NULL ? PQerrorMessage(c) : "out of memory");
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    return c;
}

/* Runs SQL text; false (and the server's message printed) on failure. */
static inline bool pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "pg_exec: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok;
}

/* The first column of the first row of a query as a number; -1 when
 * there is no row, -2 on failure. */
static inline long long pg_value(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long long v = -2;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        v = PQntuples(r) > 0 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    else
        fprintf(stderr, "pg_value: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return v;
}

/*
 * Creates a new empty schema, named in `name` (`ncap` bytes, 32 are
 * enough), and writes to `info` (`cap` bytes) a connection string whose
 * `search_path` is that schema alone, so that the backend's tables go
 * there. False on failure.
 */
static inline bool pg_new_schema(char *name, size_t ncap, char *info,
                                 size_t cap)
{
    static unsigned seq;
    snprintf(name, ncap, "t%ld_%u_%ld", (long)getpid(), ++seq,
             (long)(time(NULL) % 100000));
    PGconn *c = pg_admin(NULL);
    if (c == NULL)
        return false;
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", name);
    bool ok = pg_exec(c, sql);
    PQfinish(c);
    snprintf(info, cap, "%s options='-csearch_path=%s'", pg_base(), name);
    return ok;
}

static inline void pg_drop_schema(const char *name)
{
    PGconn *c = pg_admin(NULL);
    if (c == NULL)
        return;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", name);
    (void)pg_exec(c, sql);
    PQfinish(c);
}

#endif
