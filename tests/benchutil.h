/*
 * The timing harness shared by the benchmarks (bench_*.c): a monotonic
 * clock, the best of several timed rounds of a pass over a set,
 * and the same set timed in Python (python-stdnum, python-phonenumbers).
 *
 * Header only, all static inline: each benchmark is a program of its own
 * that links no test helper. Include it after defining
 * _POSIX_C_SOURCE 200809L (or _GNU_SOURCE): it needs mkstemp(), fdopen()
 * and popen().
 *
 * Figures, not assertions: nothing here fails on a slow machine.
 */
#ifndef CHORUSACCT_BENCHUTIL_H
#define CHORUSACCT_BENCHUTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The Debian interpreter: the python3 on PATH may lack Debian's modules. */
#define BENCH_PYTHON "/usr/bin/python3"

/* One pass over a benchmark's set; returns what it counted (how many
 * were valid), which the harness sinks so that the pass is not optimized
 * away. */
typedef unsigned (*bench_pass_fn)(void);

/* CLOCK_MONOTONIC, in nanoseconds. */
static inline double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The same clock in seconds, for the benchmarks that time whole runs. */
static inline double bench_now_s(void)
{
    return bench_now_ns() / 1e9;
}

/* Nanoseconds per item of `pass`, which goes over `items` items: the best
 * of `rounds` timed runs of `reps` passes each, `reps` chosen by the
 * caller so that a run dwarfs the clock's resolution. */
static inline double bench_best_ns(bench_pass_fn pass, int items, int reps,
                                   int rounds)
{
    volatile unsigned sink = 0;
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_now_ns();
        for (int k = 0; k < reps; k++)
            sink += pass();
        double per = (bench_now_ns() - t0) / ((double)reps * items);
        if (per < best)
            best = per;
    }
    (void)sink;
    return best;
}

/* Writes `n` NUL-terminated strings, `stride` bytes apart from `values`
 * (a `char v[n][stride]` array), one a line, into a new file made by
 * mkstemp() from `path` (a template ending in XXXXXX, rewritten to the
 * file's name). Returns 0, or -1 (no file is left behind then). */
static inline int bench_write_values(char *path, const char *values,
                                     size_t stride, size_t n)
{
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(path);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\n", values + i * stride);
    if (fclose(f) != 0) {
        unlink(path);
        return -1;
    }
    return 0;
}

/* Runs the shell command `cmd`, which prints the nanoseconds per item and
 * then how many items were valid. Returns the nanoseconds (and the count
 * in *valid, when not NULL), or -1 when the command printed neither. */
static inline double bench_run_ns(const char *cmd, unsigned *valid)
{
    FILE *p = popen(cmd, "r");
    double ns = -1;
    unsigned count = 0;
    if (p == NULL)
        return -1;
    if (fscanf(p, "%lf %u", &ns, &count) != 2)
        ns = -1;
    pclose(p);
    if (ns >= 0 && valid != NULL)
        *valid = count;
    return ns;
}

/*
 * Times a Python expression on the same values as a benchmark's set, with
 * BENCH_PYTHON (python-stdnum and python-phonenumbers are Debian
 * packages).
 *
 * `imports` is Python run first (imports, and any function the expression
 * calls); `call_expr` is evaluated for each value, named `x`, and is true
 * for a valid one. `values`, `stride` and `n` are as for
 * bench_write_values(). The list of all values is timed `number` times in
 * a row, best of 3 such runs (timeit.repeat).
 *
 * Returns the nanoseconds per value, with the number of values for which
 * `call_expr` was true in *valid (when not NULL); or -1 when python3 or
 * the module is missing (or a temporary file cannot be written). Neither
 * string may hold a single quote: the script goes to the shell in single
 * quotes.
 */
static inline double bench_python_ns(const char *imports, const char *call_expr,
                                     const char *values, size_t stride,
                                     size_t n, int number, unsigned *valid)
{
    if (access(BENCH_PYTHON, X_OK) != 0 || strchr(imports, '\'') != NULL ||
        strchr(call_expr, '\'') != NULL)
        return -1;
    char path[] = "/tmp/chorusacct-bench-XXXXXX";
    if (bench_write_values(path, values, stride, n) != 0)
        return -1;
    char cmd[2048];
    int len =
        snprintf(cmd, sizeof cmd,
                 BENCH_PYTHON " -c 'import sys, timeit\n"
                              "%s\n"
                              "v = open(sys.argv[1]).read().splitlines()\n"
                              "t = min(timeit.repeat(lambda: [%s for x "
                              "in v], number=%d, repeat=3))\n"
                              "print(t / (%d * len(v)) * 1e9, "
                              "sum(1 for x in v if %s))' "
                              "'%s' 2>/dev/null",
                 imports, call_expr, number, number, call_expr, path);
    double ns = -1;
    if (len > 0 && (size_t)len < sizeof cmd)
        ns = bench_run_ns(cmd, valid);
    unlink(path);
    return ns;
}

#endif
